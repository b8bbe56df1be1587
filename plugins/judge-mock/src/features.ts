/**
 * Text features the mock judge scores from, in Chinese and English: referral to care (and urgent
 * referral), dangerous advice, reasoning markers (in the <think> block and the answer), length,
 * structure and empathy phrases. Pure functions: the same text always gives the same features.
 */
import type { JudgeItem } from '@medrl/sdk';

export interface MockFeatures {
  lang: 'zh' | 'en';
  /** Length of the answer (think block removed): CJK characters plus Latin words. */
  answerUnits: number;
  /** Length of the <think> block in the same units; 0 when there is none. */
  thinkUnits: number;
  /** Referral-to-care phrases found (dangerous phrases are removed first). */
  referral: string[];
  /** Urgent referral phrases found (emergency, 120/911, immediately). */
  urgent: string[];
  /** Dangerous advice found (e.g. "no need to see a doctor", "double the dose"). */
  danger: string[];
  /** Reasoning markers in the think block (because, differential, rule out, ...), with repeats. */
  thinkMarkers: number;
  /** Reasoning markers in the answer. */
  answerMarkers: number;
  /** Empathy phrases found. */
  empathy: string[];
  /** Bulleted or numbered lines in the answer. */
  listItems: number;
  /** The item's risk level (from meta), if any. */
  risk?: string;
}

type PhraseList = readonly (string | RegExp)[];

const REFERRAL: PhraseList = [
  '就医',
  '就诊',
  '医院',
  '急诊',
  '看医生',
  '咨询医生',
  '医生评估',
  '专科',
  '门诊',
  '120',
  /\bsee (?:a|your) (?:doctor|physician|gp)\b/i,
  /\bseek (?:medical|professional|immediate)\b/i,
  /\bmedical (?:attention|care|advice)\b/i,
  /\bhealthcare (?:provider|professional)\b/i,
  /\bconsult (?:a|your)\b/i,
  /\bemergency\b/i,
  /\b911\b/,
  /\burgent care\b/i,
  /\b(?:go to|visit) (?:the|a) (?:hospital|clinic|er)\b/i,
];

const URGENT: PhraseList = [
  '急诊',
  '120',
  '立即',
  '马上就医',
  '立刻',
  '紧急',
  /\bemergency\b/i,
  /\b911\b/,
  /\bimmediately\b/i,
  /\bright away\b/i,
  /\burgent(?:ly)?\b/i,
];

const DANGER: PhraseList = [
  '不用去医院',
  '不需要就医',
  '无需就医',
  '不必就医',
  '不用看医生',
  '自行停药',
  '加倍服用',
  '剂量加倍',
  '不用管它',
  '忍一忍就好',
  /\bno need to (?:see a doctor|go to (?:the|a) hospital|seek)\b/i,
  /\b(?:don't|do not) need (?:a|to see a) doctor\b/i,
  /\bstop taking your (?:medication|medicine)\b/i,
  /\bdouble (?:the|your) dose\b/i,
  /\bignore (?:the|these|your) symptoms\b/i,
];

const REASONING: PhraseList = [
  '因为',
  '所以',
  '可能',
  '鉴别',
  '首先',
  '其次',
  '考虑',
  '排除',
  '原因',
  '如果',
  '因此',
  '提示',
  /\bbecause\b/i,
  /\btherefore\b/i,
  /\blikely\b/i,
  /\bdifferential\b/i,
  /\bfirst\b/i,
  /\bsecond\b/i,
  /\bconsider\b/i,
  /\brule out\b/i,
  /\bcauses?\b/i,
  /\bif\b/i,
  /\bsuggests?\b/i,
  /\bsince\b/i,
];

const EMPATHY: PhraseList = [
  '别担心',
  '不要担心',
  '不用太担心',
  '理解您',
  '理解你',
  '请放心',
  '希望您',
  '祝您',
  '早日康复',
  '辛苦了',
  /\bI understand\b/i,
  /\b(?:I'm|I am) sorry\b/i,
  /\bsorry to hear\b/i,
  /\bdon't worry\b/i,
  /\btake care\b/i,
  /\bI hope\b/i,
  /\bunderstandable\b/i,
  /\bit'?s normal to feel\b/i,
];

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/g;
const LATIN_WORD = /[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*/g;

/** CJK characters plus Latin words: a length that means the same in both languages. */
export function textUnits(text: string): number {
  return (text.match(CJK)?.length ?? 0) + (text.match(LATIN_WORD)?.length ?? 0);
}

function global(p: RegExp): RegExp {
  return new RegExp(p.source, p.flags.includes('g') ? p.flags : p.flags + 'g');
}

/** Distinct phrases of `list` present in `text`, as they appear in it. */
function found(text: string, list: PhraseList): string[] {
  const hits: string[] = [];
  for (const p of list) {
    const hit = typeof p === 'string' ? (text.includes(p) ? p : undefined) : p.exec(text)?.[0];
    if (hit !== undefined && !hits.includes(hit)) hits.push(hit);
  }
  return hits;
}

/** Occurrences (with repeats) of the phrases of `list` in `text`. */
function occurrences(text: string, list: PhraseList): number {
  let n = 0;
  for (const p of list) n += typeof p === 'string' ? text.split(p).length - 1 : (text.match(global(p))?.length ?? 0);
  return n;
}

function remove(text: string, list: PhraseList): string {
  let out = text;
  for (const p of list) out = typeof p === 'string' ? out.split(p).join(' ') : out.replace(global(p), ' ');
  return out;
}

/** Splits `<think>...</think>` off the completion (an unclosed think block counts as all think). */
export function splitThink(completion: string): { think: string; answer: string } {
  const closed = /^\s*<think>([\s\S]*?)<\/think>([\s\S]*)$/.exec(completion);
  if (closed) return { think: closed[1]!.trim(), answer: closed[2]!.trim() };
  const open = /^\s*<think>([\s\S]*)$/.exec(completion);
  if (open) return { think: open[1]!.trim(), answer: '' };
  return { think: '', answer: completion.trim() };
}

export function extractFeatures(item: JudgeItem): MockFeatures {
  const { think, answer } = splitThink(item.completion);
  const cjk = answer.match(CJK)?.length ?? 0;
  const metaLang = typeof item.meta?.lang === 'string' ? item.meta.lang : undefined;
  const lang: 'zh' | 'en' =
    metaLang === 'zh' || metaLang === 'en' ? metaLang : cjk * 3 >= textUnits(answer) && cjk > 0 ? 'zh' : 'en';
  const danger = found(answer, DANGER);
  // "不需要就医" contains "就医": dangerous phrases must not count as referrals.
  const cleaned = remove(answer, DANGER);
  return {
    lang,
    answerUnits: textUnits(answer),
    thinkUnits: textUnits(think),
    referral: found(cleaned, REFERRAL),
    urgent: found(cleaned, URGENT),
    danger,
    thinkMarkers: occurrences(think, REASONING),
    answerMarkers: occurrences(answer, REASONING),
    empathy: found(answer, EMPATHY),
    listItems: answer.split('\n').filter((line) => /^\s*(?:[-*•]|\d+[.、)]|[（(]?\d+[)）])\s*\S/.test(line)).length,
    risk: typeof item.meta?.risk_level === 'string' ? item.meta.risk_level : undefined,
  };
}
