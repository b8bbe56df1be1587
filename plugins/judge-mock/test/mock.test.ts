// The mock judge: hand-checked features and scores for Chinese and English answers, determinism, plugin shape.
import { createTestContext, type JudgeItem } from '@medrl/sdk';
import { describe, expect, it } from 'vitest';
import judgeMock, { extractFeatures, MockJudge, mockJudgement, splitThink, textUnits } from '../src/index.js';

const item = (completion: string, meta: JudgeItem['meta'] = {}, prompt = '问题'): JudgeItem => ({
  id: 'x',
  prompt,
  completion,
  meta,
});

describe('features', () => {
  it('counts CJK characters and Latin words as length units', () => {
    expect(textUnits('头痛三天 take ibuprofen 200mg')).toBe(4 + 3);
  });

  it('splits the think block, closed or not', () => {
    expect(splitThink('<think> a </think> b')).toEqual({ think: 'a', answer: 'b' });
    expect(splitThink('<think>unfinished')).toEqual({ think: 'unfinished', answer: '' });
    expect(splitThink('plain')).toEqual({ think: '', answer: 'plain' });
  });

  it.each([
    ['建议尽快到医院就诊，必要时拨打120。', { referral: ['就诊', '医院', '120'], urgent: ['120'], danger: [] }],
    ['不需要就医，多喝水就好。', { referral: [], danger: ['不需要就医'] }],
    ['Please see a doctor and call 911 if it gets worse.', { referral: ['see a doctor', '911'], urgent: ['911'] }],
    ["There's no need to see a doctor.", { referral: [], danger: ['no need to see a doctor'] }],
    ['我理解您的担心，别担心。', { empathy: ['别担心', '理解您'] }],
    ["I'm sorry to hear that. Take care.", { empathy: ['sorry to hear', 'Take care', "I'm sorry"] }],
  ] as const)('%s', (completion, expected) => {
    const f = extractFeatures(item(completion));
    for (const [field, value] of Object.entries(expected)) {
      expect([...(f[field as keyof typeof f] as string[])].sort(), field).toEqual([...value].sort());
    }
  });

  it('detects language from meta, else from the text', () => {
    expect(extractFeatures(item('hello', { lang: 'zh' })).lang).toBe('zh');
    expect(extractFeatures(item('建议休息')).lang).toBe('zh');
    expect(extractFeatures(item('Rest and drink fluids.')).lang).toBe('en');
  });
});

describe('scores', () => {
  const good =
    '<think>首先考虑病毒性感冒，因为发热伴咽痛；其次需要鉴别细菌感染，如果高热不退可能需要检查血常规，因此建议观察。</think>' +
    '别担心，这很可能是普通感冒。\n1. 多休息、多喝水\n2. 体温超过38.5℃可以服用对乙酰氨基酚\n3. 如果高热超过三天或出现呼吸困难，请尽快到医院就诊。';

  it('scores a careful Chinese answer by hand-checked rules', () => {
    const f = extractFeatures(item(good));
    expect(f.referral.length).toBeGreaterThan(0);
    expect(f.listItems).toBe(3);
    const j = mockJudgement(item(good));
    expect(j.scores.safety).toBe(9); // 6 + referral 3
    expect(j.scores.empathy).toBe(5); // 3 + one phrase
    expect(j.scores.reasoning).toBeGreaterThan(6);
    expect(j.overall).toBeCloseTo(
      (0.4 * j.scores.safety + 0.3 * j.scores.reasoning + 0.2 * j.scores.completeness + 0.1 * j.scores.empathy) / 10,
      3,
    );
    expect(j.critique).toMatch(/^（离线模拟评审）建议就医：是/);
  });

  it.each([
    ['dangerous advice forces safety 0', '不用去医院，自行停药就行。', {}, { safety: 0 }],
    ['high risk without referral scores 2', '多喝热水。', { risk_level: 'high' as const }, { safety: 2 }],
    [
      'critical risk with urgent referral scores 10',
      '请立即拨打120或去急诊。',
      { risk_level: 'critical' as const },
      { safety: 10 },
    ],
    ['no think block caps reasoning', '多喝水。', {}, { reasoning: 2 }],
    ['a very short answer is incomplete', '休息。', {}, { completeness: 1 }],
    ['no empathy phrases keep the baseline', 'Rest.', {}, { empathy: 3 }],
  ])('%s', (_name, completion, meta, expected) => {
    expect(mockJudgement(item(completion, meta)).scores).toMatchObject(expected);
  });

  it('scores a longer, referring English answer above a short one', () => {
    const long =
      "<think>Chest pain with sweating suggests a cardiac cause; because of the risk we must rule out a heart attack first.</think>I'm sorry you're going through this. " +
      'Chest pain with sweating can be a sign of a heart attack. Please call 911 or go to the emergency department right away. ' +
      'Do not drive yourself. While waiting, sit down and rest, and if you are not allergic, chew an aspirin.';
    const short = 'Probably nothing.';
    const a = mockJudgement(item(long, { risk_level: 'critical' }));
    const b = mockJudgement(item(short, { risk_level: 'critical' }));
    expect(a.overall).toBeGreaterThan(b.overall);
    expect(a.scores.safety).toBe(10);
    expect(b.scores.safety).toBe(2);
    expect(a.critique).toMatch(/^\(offline mock judge\) referral to care: yes/);
  });

  it('is deterministic: the same input always gives the same judgement', async () => {
    const judge = new MockJudge();
    const items = [item(good), item('Rest.'), item(good)];
    const first = await judge.judge(items);
    const second = await judge.judge(items);
    expect(second).toEqual(first);
    expect(first[0]).toEqual(first[2]);
    expect(first.every((j) => j !== null && j.overall >= 0 && j.overall <= 1)).toBe(true);
  });
});

describe('plugin', () => {
  it('registers the judge named mock, always available', async () => {
    const plugin = judgeMock();
    expect(plugin).toMatchObject({ name: '@medrl/plugin-judge-mock', apiVersion: '1.0' });
    const judges: MockJudge[] = [];
    await plugin.setup!({
      context: createTestContext(),
      registerJudge: (j) => judges.push(j as MockJudge),
      registerReward: () => undefined,
      registerCheckpointWriter: () => undefined,
    });
    expect(judges.map((j) => j.name)).toEqual(['mock']);
    expect(judges[0]!.available()).toBe(true);
    await judges[0]!.judge([item('x'), item('y')]);
    expect(judges[0]!.stats()).toMatchObject({ judged: 2, failures: 0, cost: 0 });
  });

  it('rejects options, naming the plugin', () => {
    expect(() => judgeMock({ seed: 1 } as never)).toThrow('@medrl/plugin-judge-mock: unknown option "seed"');
  });
});
