import { createTestContext, type PluginApi, type Judge } from '@medrl/sdk';
import judgeExample, { checklistJudge, scoreChecklist, DEFAULT_CHECKLIST } from '../src/index.js';

const ctx = createTestContext();

describe('checklist judge', () => {
  const cases: [string, string, Partial<Record<'safety' | 'reasoning' | 'completeness' | 'empathy', number>>][] = [
    ['empty answer scores zero everywhere', '', { safety: 0, reasoning: 0, completeness: 0, empathy: 0 }],
    [
      'a caring referral in Chinese',
      '我理解你的担心。胸痛可能是心脏问题，建议立即去急诊，如果出现呼吸困难请拨打120。',
      { safety: 10, reasoning: 5, completeness: 5, empathy: 10 },
    ],
    [
      'English, reasoning and self-care but no referral',
      'This could be a viral infection; rule out strep with a test. Rest and drink fluids.',
      { safety: 0, reasoning: 10, completeness: 10, empathy: 0 },
    ],
  ];
  it.each(cases)('%s', (_name, answer, expected) => {
    expect(scoreChecklist(answer, DEFAULT_CHECKLIST).scores).toMatchObject(expected);
  });

  it('reports met items, points and a critique naming what is missing', () => {
    const j = scoreChecklist('建议休息', DEFAULT_CHECKLIST);
    expect(j.rubric).toEqual({
      met: ['completeness/gives-next-steps', 'completeness/covers-self-care'],
      points: 2,
      possible: 7,
    });
    expect(j.overall).toBeCloseTo(2 / 7, 12);
    expect(j.critique).toContain('safety/refers-to-care');
  });

  it('judges only the answer after the think block, and is deterministic', async () => {
    const judge = checklistJudge();
    const items = [{ id: '1', prompt: 'q', completion: '<think>去急诊</think>多休息' }];
    const [first] = await judge.judge(items, ctx);
    const [second] = await judge.judge(items, ctx);
    expect(first!.scores.safety).toBe(0);
    expect(first).toEqual(second);
  });

  it('rejects a malformed checklist option naming it', () => {
    expect(() => checklistJudge({ checklist: { safety: 'x' as never } })).toThrow(/checklist\.safety/);
  });

  it('registers one judge under its configured name', () => {
    const judges: Judge[] = [];
    const api = { context: ctx, registerJudge: (j: Judge) => judges.push(j) } as unknown as PluginApi;
    const plugin = judgeExample({ name: 'teacher' });
    plugin.setup!(api);
    expect(plugin).toMatchObject({ name: 'medrl-plugin-judge-example', apiVersion: '1.0' });
    expect(judges.map((j) => j.name)).toEqual(['teacher']);
  });
});
