import { RewardTester, type RewardCase } from '@medrl/sdk';
import { formatReward } from '../src/index.js';

const THINK = '胸痛伴大汗需要首先排除急性冠脉综合征，建议立即就医。';
const THINK_EN = 'Chest pain with sweating: rule out a heart attack first, then advise.';

const cases: RewardCase[] = [
  {
    name: 'zh well-formed',
    completion: `<think>${THINK}</think>请立即拨打120。`,
    expect: { value: 1, reasons: ['format/well-formed'] },
  },
  {
    name: 'en well-formed',
    completion: `<think>${THINK_EN}</think>Call 911 now.`,
    expect: { value: 1, reasons: ['format/well-formed'] },
  },
  {
    name: 'leading whitespace is fine',
    completion: `\n  <think>${THINK_EN}</think>\nCall 911 now.`,
    expect: { value: 1, notReasons: ['format/think-not-first'] },
  },
  {
    name: 'no think block',
    completion: 'Drink water and rest.',
    expect: { value: -0.6, reasons: ['format/missing-think'] },
  },
  {
    name: 'empty completion',
    completion: '',
    expect: { value: -1, reasons: ['format/missing-think', 'format/missing-answer'] },
  },
  {
    name: 'unterminated think',
    completion: `<think>${THINK} 然后……`,
    expect: { value: -0.8, reasons: ['format/unterminated-think'], notReasons: ['format/well-formed'] },
  },
  {
    name: 'nested think',
    completion: `<think>${THINK}<think>再想想</think></think>请立即就医。`,
    expect: { max: -0.5, reasons: ['format/multiple-think'], notReasons: ['format/well-formed'] },
  },
  {
    name: 'two think blocks',
    completion: `<think>${THINK}</think>答案一<think>${THINK}</think>答案二`,
    expect: { reasons: ['format/multiple-think'], notReasons: ['format/well-formed'] },
  },
  {
    name: 'stray closing tag',
    completion: 'Rest well.</think>',
    expect: { value: -0.5, reasons: ['format/stray-close'] },
  },
  {
    name: 'closing tag before opening',
    completion: `</think>x<think>${THINK_EN}`,
    expect: { reasons: ['format/stray-close', 'format/unterminated-think'] },
  },
  {
    name: 'text before think',
    completion: `Sure! <think>${THINK_EN}</think>Rest.`,
    expect: { value: 0.8, reasons: ['format/think-not-first', 'format/well-formed'] },
  },
  {
    name: 'empty think',
    completion: '<think>   </think>Drink water and rest.',
    expect: { value: 0.5, reasons: ['format/empty-think', 'format/well-formed'] },
  },
  {
    name: 'short think',
    completion: '<think>感冒</think>多喝水，注意休息。',
    expect: { value: 0.7, reasons: ['format/short-think'] },
  },
  {
    name: 'missing answer',
    completion: `<think>${THINK}</think>   `,
    expect: { value: -0.8, reasons: ['format/missing-answer'], notReasons: ['format/well-formed'] },
  },
  {
    name: 'uppercase tags are not tags',
    completion: `<THINK>${THINK_EN}</THINK>Rest.`,
    expect: { reasons: ['format/missing-think'] },
  },
];

new RewardTester().run('rules/format', formatReward(), cases);

new RewardTester().run('rules/format without requireThink', formatReward({ requireThink: false }), [
  {
    name: 'plain answer is well-formed',
    completion: 'Drink water and rest.',
    expect: { value: 1, reasons: ['format/well-formed'] },
  },
  {
    name: 'empty is still missing an answer',
    completion: ' ',
    expect: { value: -0.8, reasons: ['format/missing-answer'] },
  },
]);

new RewardTester().run(
  'rules/format with countTokens',
  formatReward({ minThinkLength: 5, countTokens: (t) => t.split(/\s+/).length }),
  [
    {
      name: '4 words < 5 tokens',
      completion: '<think>a b c d</think>answer',
      expect: { reasons: ['format/short-think'] },
    },
    { name: '5 words', completion: '<think>a b c d e</think>answer', expect: { value: 1 } },
  ],
);

describe('rules/format points', () => {
  it('takes configured points and turns a rule off with 0', async () => {
    const component = formatReward({ points: { 'format/short-think': 0, 'format/well-formed': 0.5 } });
    const [score] = await component.score(
      [{ id: 'a', prompt: '', completion: '<think>x</think>answer', meta: {} }],
      {} as never,
    );
    expect(score).toMatchObject({ value: 0.5, reasons: ['format/well-formed'] });
  });
});
