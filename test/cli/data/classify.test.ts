// Lexicon matching and classification of risk, specialty, language and complexity.
import { describe, expect, it } from 'vitest';
import { dataSchema } from '../../../core/runtime/src/config/sections/data.js';
import { Classifier, detectLang, qualityScore } from '../../../core/cli/src/data/classify.js';
import { LexiconMatcher } from '../../../core/cli/src/data/lexicon-matcher.js';

const classifier = new Classifier(dataSchema.parse({}));

describe('LexiconMatcher', () => {
  const matcher = new LexiconMatcher<string>([
    ['dose', 'dose'],
    ['pregnan*', 'preg'],
    ['胸痛', 'cp'],
    ['chest pain', 'cp'],
  ]);
  it.each([
    ['what dose?', ['dose']],
    ['i dosed him', []],
    ['overdose', []],
    ['pregnancy and pregnant', ['preg', 'preg']],
    ['unpregnant', []],
    ['突发胸痛伴出汗', ['cp']],
    ['sudden chest pain.', ['cp']],
    ['chest painful', []],
  ])('%s', (text, keys) => {
    const hits: string[] = [];
    expect(matcher.count(text).size).toBe(new Set(keys).size);
    matcher.scan(text, (key) => {
      hits.push(key);
    });
    expect(hits).toEqual(keys);
  });
});

describe('Classifier.risk', () => {
  it.each([
    ['我爸突然胸口像压了块石头，满头大汗', 'critical', ['emergency']],
    ['活着太累了，我不想活了', 'critical', ['suicide_self_harm']],
    ['两岁孩子误服了降压药', 'critical', ['poisoning_overdose']],
    ['怀孕8周发烧能吃布洛芬吗？吃几片？', 'high', ['pregnancy_infant', 'dosing']],
    ['不用处方怎么买到阿莫西林', 'high', ['prescription_drug']],
    ['乳房有硬块，直接告诉我是不是癌', 'high', ['definitive_diagnosis']],
    ["I don't want to live anymore", 'critical', ['suicide_self_harm']],
    ['My toddler swallowed a button battery', 'critical', ['emergency', 'poisoning_overdose']],
    ['How many mg of Adderall should I take?', 'high', ['prescription_drug', 'dosing']],
    ['高血压平时要注意什么', 'medium', []],
    ['How can I sleep better at night?', 'low', []],
  ])('%s → %s', (question, level, categories) => {
    expect(classifier.risk(question.toLowerCase())).toEqual({ level, categories });
  });
});

describe('Classifier.specialty', () => {
  it.each([
    ['宝宝湿疹反复怎么办', '', 'pediatrics'],
    ['最近心慌，心电图说是早搏', '', 'cardiology'],
    ['反酸烧心，胃不舒服', '', 'gastroenterology'],
    ['My knee hurts on stairs', 'Strengthen the muscles around the joint.', 'orthopedics'],
    ['今天天气怎么样', '不知道', 'general'],
  ])('%s', (question, answer, specialty) => {
    expect(classifier.specialty(question.toLowerCase(), answer.toLowerCase())).toBe(specialty);
  });
});

describe('config lexicons', () => {
  it('adds terms to the built-in lexicons', () => {
    const extended = new Classifier(
      dataSchema.parse({
        lexicons: {
          risk: { vaping: { level: 'medium', terms: ['电子烟'] } },
          specialty: { dentistry: { terms: ['牙', 'tooth'], weight: 3 } },
        },
      }),
    );
    expect(extended.risk('戒电子烟'.toLowerCase())).toEqual({ level: 'medium', categories: ['vaping'] });
    expect(extended.risk('我不想活了')).toEqual({ level: 'critical', categories: ['suicide_self_harm'] });
    expect(extended.specialty('牙疼', '')).toBe('dentistry');
  });

  it('replaces them with replaceDefaults', () => {
    const replaced = new Classifier(
      dataSchema.parse({ lexicons: { replaceDefaults: true, risk: { x: { level: 'high', terms: ['zzz'] } } } }),
    );
    expect(replaced.risk('我不想活了')).toEqual({ level: 'low', categories: [] });
    expect(replaced.risk('zzz')).toEqual({ level: 'high', categories: ['x'] });
    expect(replaced.specialty('胸痛', '')).toBe('general');
  });
});

describe('language, complexity and quality', () => {
  it('detects language', () => {
    expect(detectLang('我最近头痛，CT正常')).toBe('zh');
    expect(detectLang('I have had a headache since Monday')).toBe('en');
    expect(detectLang('123 456')).toBe('und');
  });

  it('grades complexity by the length of the reasoning', () => {
    expect(classifier.complexity('短')).toBe('simple');
    expect(classifier.complexity('字'.repeat(100))).toBe('moderate');
    expect(classifier.complexity('word '.repeat(120))).toBe('complex');
  });

  it('scores a full, structured, safe answer above a short one and penalises unsafe risky answers', () => {
    const base = { question: 'q', deidentified: false, hadMarkup: false };
    const full = { ...base, think: '字'.repeat(150), answer: '第一段。\n\n1. 步骤一\n2. 步骤二\n\n**注意**：' + '字'.repeat(200) + '。' };
    const short = { ...base, think: '', answer: '多喝水' };
    expect(qualityScore(full, 'low', false)).toBe(1);
    expect(qualityScore(short, 'low', false)).toBeLessThan(0.3);
    expect(qualityScore(full, 'critical', false)).toBe(0.8);
    expect(qualityScore({ ...full, deidentified: true, hadMarkup: true }, 'low', false)).toBe(0.85);
  });
});
