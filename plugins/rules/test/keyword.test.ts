import { RewardTester, type RewardCase } from '@medrl/sdk';
import { keywordReward } from '../src/index.js';

const T = '<think>先分析可能的原因，再给出建议。</think>';

const cases: RewardCase[] = [
  { name: 'no lexicon phrase', completion: `${T}好的，明白了。`, expect: { value: 0 } },
  {
    name: 'zh clinical terms, distinct phrases',
    completion: `${T}常见病因包括感染和过敏，需要做血常规检查，再决定治疗方案。`,
    expect: { value: 0.25, reasons: ['keyword/clinical-terms'] },
  },
  {
    name: 'en clinical terms',
    completion: `${T}Common causes include infection. A blood test helps the diagnosis; treatment depends on the result.`,
    expect: { min: 0.15, reasons: ['keyword/clinical-terms'] },
  },
  {
    name: 'clinical terms are capped at 0.3',
    completion: `${T}症状、病因和诊断之外，还要考虑鉴别诊断。检查包括血常规和影像学。治疗有药物治疗和手术，预后良好，注意并发症并定期复查随访。`,
    expect: { value: 0.3 + 0.0, reasons: ['keyword/clinical-terms'] },
  },
  {
    name: 'structure and empathy',
    completion: `${T}您好，能理解您的担心。首先，注意休息；其次，清淡饮食；最后，祝您早日康复。`,
    expect: { min: 0.2, reasons: ['keyword/structure', 'keyword/empathy'] },
  },
  {
    name: 'the same phrase counts once',
    completion: `${T}需要检查。做完检查再说。`,
    expect: { value: 0.05 },
  },
  {
    name: 'zh pseudoscience',
    completion: `${T}用祖传秘方可以包治百病。`,
    expect: { value: -0.6, reasons: ['keyword/pseudoscience'] },
  },
  {
    name: 'en pseudoscience',
    completion: `${T}This miracle cure has no side effects.`,
    expect: { value: -0.6, reasons: ['keyword/pseudoscience'] },
  },
  {
    name: 'negated pseudoscience costs nothing: 不要相信偏方',
    completion: `${T}不要相信偏方，也不要使用所谓的神药。`,
    expect: { value: 0, notReasons: ['keyword/pseudoscience'] },
  },
  {
    name: 'en negated: avoid detox teas',
    completion: `${T}Avoid any detox tea; it does not work.`,
    expect: { notReasons: ['keyword/pseudoscience'] },
  },
  {
    name: 'absolute claims',
    completion: `${T}这个药绝对安全，放心吃。`,
    expect: { value: -0.4, reasons: ['keyword/absolute-claims'] },
  },
  {
    name: 'en absolute claims',
    completion: `${T}It is completely safe and guaranteed to work.`,
    expect: { reasons: ['keyword/absolute-claims'] },
  },
  {
    name: 'positive and negative add up',
    completion: `${T}诊断需要结合检查，但这个偏方保证有效。`,
    expect: {
      value: 0.1 - 0.3 - 0.2,
      reasons: ['keyword/clinical-terms', 'keyword/pseudoscience', 'keyword/absolute-claims'],
    },
  },
  {
    name: 'bare list of clinical terms is stuffing',
    completion: `${T}症状、诊断、检查、治疗、随访、复查。`,
    expect: { value: -0.3, reasons: ['keyword/stuffing'], notReasons: ['keyword/clinical-terms'] },
  },
  {
    name: 'en bare list is stuffing',
    completion: `${T}Symptoms, diagnosis, treatment, prognosis, complications, follow-up.`,
    expect: { value: -0.3, reasons: ['keyword/stuffing'] },
  },
  {
    name: 'repeated phrase is stuffing and voids positive lexicons',
    completion: `${T}首先做检查。检查很重要。检查必不可少。请检查。还要检查。`,
    expect: { value: -0.3, reasons: ['keyword/stuffing'], notReasons: ['keyword/clinical-terms', 'keyword/structure'] },
  },
  {
    name: 'stuffing does not hide penalties',
    completion: `${T}症状、诊断、检查、治疗、随访。偏方。`,
    expect: { value: -0.6, reasons: ['keyword/stuffing', 'keyword/pseudoscience'] },
  },
  {
    name: 'phrases in the think block do not count',
    completion: '<think>症状、病因、诊断、鉴别诊断、检查、治疗</think>好的。',
    expect: { value: 0 },
  },
  { name: 'empty completion', completion: '', expect: { value: 0 } },
];

new RewardTester().run('rules/keyword', keywordReward(), cases);

new RewardTester().run(
  'rules/keyword with custom lexicons',
  keywordReward({
    lexicons: {
      'clinical-terms': { points: 0 },
      'red-flags': { points: 0.2, cap: 0.4, phrases: ['red flag', '危险信号'] },
    },
  }),
  [
    { name: 'a turned-off lexicon earns nothing', completion: `${T}需要检查和治疗。`, expect: { value: 0 } },
    {
      name: 'an added lexicon is a rule',
      completion: `${T}注意这些危险信号。Watch for any red flag.`,
      expect: { value: 0.4, reasons: ['keyword/red-flags'] },
    },
  ],
);
