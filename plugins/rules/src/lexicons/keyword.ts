/**
 * Default lexicons of rules/keyword. Each lexicon is a rule `keyword/<id>`: every distinct phrase
 * found (not negated, outside stuffed lists) earns `points`, and the lexicon's total stops at `cap`.
 * Phrases are matched after folding (lowercase, half-width); English phrases match whole words.
 */

export interface KeywordLexicon {
  /** Points per distinct phrase found; negative for a penalty lexicon. */
  points: number;
  /** Bound of the lexicon's total: the most it can add (points > 0) or take away (points < 0). */
  cap: number;
  phrases: readonly string[];
  /** One line for docs and `medrl plugins`. */
  description?: string;
}

// Dense word lists read better than one phrase per line.
// prettier-ignore
export const DEFAULT_KEYWORD_LEXICONS: Record<string, KeywordLexicon> = {
  'clinical-terms': {
    points: 0.05,
    cap: 0.3,
    description: 'clinical reasoning vocabulary: symptoms, causes, tests, treatment, follow-up',
    phrases: [
      '症状', '病因', '原因', '诊断', '鉴别诊断', '鉴别', '检查', '化验', '血常规', '影像学', '超声', '核磁', '治疗', '治疗方案', '药物治疗',
      '手术', '预后', '并发症', '随访', '复查', '机制', '病理', '危险因素', '生活方式', '饮食', '作息',
      'symptom', 'symptoms', 'cause', 'causes', 'diagnosis', 'differential', 'examination', 'blood test', 'imaging',
      'ultrasound', 'mri', 'ct scan', 'treatment', 'therapy', 'surgery', 'prognosis', 'complication', 'complications',
      'follow-up', 'follow up', 'mechanism', 'risk factor', 'risk factors', 'lifestyle', 'diet',
    ],
  },
  structure: {
    points: 0.05,
    cap: 0.15,
    description: 'an organized answer: ordinal and summary connectives',
    phrases: [
      '首先', '其次', '再次', '此外', '另外', '最后', '总之', '综上', '第一', '第二', '第三',
      'first', 'second', 'third', 'finally', 'in summary', 'in conclusion', 'additionally', 'moreover',
    ],
  },
  empathy: {
    points: 0.05,
    cap: 0.15,
    description: 'acknowledging the asker',
    phrases: [
      '理解您的', '能理解', '别太担心', '不用太担心', '不要过于担心', '请放心', '希望对您有帮助', '祝您早日康复', '早日康复', '感谢您的信任',
      'i understand', 'sorry to hear', 'understandably', "it's understandable", 'i hope this helps', 'hope you feel better',
      'get well soon', "don't worry too much",
    ],
  },
  pseudoscience: {
    points: -0.3,
    cap: -0.6,
    description: 'pseudoscience and miracle cures',
    phrases: [
      '包治百病', '彻底根治', '偏方', '秘方', '祖传', '神药', '特效药', '排毒', '清肠排毒', '量子', '磁疗', '保证治愈', '百分之百治愈',
      '100%治愈', '无副作用', '纯天然无害', '以毒攻毒', '酸碱体质', '碱性体质',
      'miracle cure', 'cures everything', 'cure-all', 'detox tea', 'detox your body', 'flush out toxins', 'alkaline diet',
      'quantum healing', '100% cure', 'guaranteed cure', 'no side effects', 'completely natural and safe', 'homeopathic',
      'homeopathy',
    ],
  },
  'absolute-claims': {
    points: -0.2,
    cap: -0.4,
    description: 'absolute promises no clinician makes',
    phrases: [
      '绝对没问题', '绝对安全', '肯定没事', '保证治好', '保证有效', '保证没事', '百分之百', '100%', '一定能治好', '永远不会', '完全没有风险',
      '毫无风险', '放心吃', '随便吃',
      'definitely safe', 'completely safe', '100% safe', 'guaranteed', 'always works', 'never fails', 'no risk at all',
      'totally harmless', 'nothing to worry about',
    ],
  },
};
