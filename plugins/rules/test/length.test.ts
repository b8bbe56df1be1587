import { RewardTester, type RewardCase } from '@medrl/sdk';
import { lengthReward } from '../src/index.js';
import { repeatedNgramRatio, repeatedSentences, repetitionOf } from '../src/repetition.js';

/** Distinct CJK characters, so that filler text has no repeated n-grams. */
function distinctText(length: number, from = 0x4e00): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(from + i);
  return text;
}
const think = (n: number): string => `<think>${distinctText(n, 0x5000)}</think>`;

const cases: RewardCase[] = [
  {
    name: 'both in band',
    completion: `${think(100)}${distinctText(300)}`,
    expect: { value: 1, reasons: ['length/answer-in-band', 'length/think-in-band'] },
  },
  {
    name: 'answer only, no think block',
    completion: distinctText(300),
    expect: { value: 1, notReasons: ['length/think-in-band'] },
  },
  {
    name: 'answer halfway from min to idealMin',
    completion: `${think(100)}${distinctText(60)}`,
    // answer 0.5 (weight 0.7), think 1 (weight 0.3)
    expect: { value: 0.65, reasons: ['length/answer-short'] },
  },
  {
    name: 'answer too short',
    completion: `${think(100)}好的。`,
    expect: { value: -0.4, reasons: ['length/answer-too-short'] },
  },
  { name: 'empty answer', completion: `${think(100)}`, expect: { value: -0.4, reasons: ['length/answer-too-short'] } },
  {
    name: 'answer halfway from idealMax to max',
    completion: `${think(100)}${distinctText(1500)}`,
    expect: { value: 0.65, reasons: ['length/answer-long'] },
  },
  {
    name: 'answer too long',
    completion: `${think(100)}${distinctText(2500)}`,
    expect: { value: -0.4, reasons: ['length/answer-too-long'] },
  },
  {
    name: 'think too short',
    completion: `${think(5)}${distinctText(300)}`,
    expect: { value: 0.4, reasons: ['length/think-too-short'] },
  },
  {
    name: 'empty think',
    completion: `<think></think>${distinctText(300)}`,
    expect: { value: 0.4, reasons: ['length/think-too-short'] },
  },
  {
    name: 'zh repeated sentence',
    completion: `${think(100)}${distinctText(200)}。建议您多休息，注意观察病情变化。建议您多休息，注意观察病情变化。`,
    expect: { max: 0.8, reasons: ['length/repeated-sentence'] },
  },
  {
    name: 'en repeated sentence',
    completion: `${think(100)}${distinctText(200)}. Please rest and drink water. Please rest and drink water.`,
    expect: { max: 0.8, reasons: ['length/repeated-sentence'] },
  },
  {
    name: 'degenerate loop',
    completion: `${think(100)}${'多喝水多休息'.repeat(60)}`,
    expect: { value: -1, reasons: ['length/repeated-ngrams'] },
  },
  {
    name: 'en degenerate loop in think',
    completion: `<think>${'I think so. '.repeat(40)}</think>${distinctText(300)}`,
    expect: { max: 0, reasons: ['length/repeated-ngrams', 'length/repeated-sentence'] },
  },
  {
    name: 'natural zh answer is not repetitive',
    completion:
      '<think>用户咳嗽一周，无发热，考虑上呼吸道感染后咳嗽或过敏，需要询问伴随症状。</think>' +
      '您好，咳嗽一周且没有发热，常见原因包括感冒后的气道高反应、过敏性咳嗽或胃食管反流。建议多喝温水，避免辛辣刺激食物和冷空气刺激，' +
      '保持室内空气湿润。如果咳嗽持续超过三周、出现咳血、胸痛或呼吸困难，请及时就医，必要时做胸片检查。以上信息仅供参考，不能替代医生面诊。',
    expect: { value: 1, notReasons: ['length/repeated-ngrams', 'length/repeated-sentence'] },
  },
];

new RewardTester().run('rules/length', lengthReward(), cases);

new RewardTester().run(
  'rules/length with countTokens',
  lengthReward({
    countTokens: (t) => t.split(/\s+/).filter(Boolean).length,
    answer: { min: 3, idealMin: 5, idealMax: 50, max: 100 },
  }),
  [
    { name: '2 words is too short', completion: 'rest more', expect: { reasons: ['length/answer-too-short'] } },
    { name: '6 words is in band', completion: 'rest more and drink more water', expect: { value: 1 } },
  ],
);

describe('repetition measures', () => {
  it('counts repeated n-grams by hand', () => {
    // 'abcabc' with n=3: abc bca cab abc -> 1 repeat of 4
    expect(repeatedNgramRatio('abcabc', 3)).toBeCloseTo(0.25, 12);
    expect(repeatedNgramRatio('abcdef', 3)).toBe(0);
    expect(repeatedNgramRatio('ab', 3)).toBe(0);
  });
  it('counts repeated sentences, ignoring spaces and short ones', () => {
    expect(repeatedSentences('Rest well now. Rest  well now. Rest well now.', 8)).toBe(2);
    expect(repeatedSentences('好的。好的。好的。', 8)).toBe(0);
    expect(repeatedSentences('Take 2.5 mg daily. Take 2.5 mg daily.', 8)).toBe(1);
  });
  it.each([
    ['', 8, 8],
    ['ab', 3, 8],
    ['abcabc', 3, 1],
    ['Rest well now. Rest  well now. Rest well now.', 8, 8],
    ['Take 2.5 mg daily. Take 2.5 mg daily.', 4, 8],
    ['多喝水。多喝水。多喝水。多喝水。多喝水。多喝水。', 8, 2],
    ['建议您多休息，注意观察。建议您多休息，注意观察。\n\r 。.!?；;', 2, 0],
    ['x'.repeat(5000) + '。' + 'y'.repeat(3000), 8, 8],
  ])('repetitionOf equals both measures (%#)', (text, n, minLength) => {
    const out = repetitionOf(text, n, minLength, { ngramRatio: -1, sentences: -1 });
    expect(out.ngramRatio).toBe(repeatedNgramRatio(text, n));
    expect(out.sentences).toBe(repeatedSentences(text, minLength));
  });
});
