/**
 * Classification of a cleaned record: risk level and categories (from the question), specialty (from
 * question and answer), language, complexity (from the reasoning's length) and a quality score used
 * to pick the gold set. Lexicons come from the config merged over lexicons.ts.
 */
import type { RiskLevel } from '@medrl/sdk';
import type { DataConfig } from '@medrl/core';
import { LexiconMatcher } from './lexicon-matcher.js';
import {
  DEFAULT_MEDIUM_RISK_TERMS,
  DEFAULT_REFERRAL_TERMS,
  DEFAULT_RISK_CATEGORIES,
  DEFAULT_SPECIALTIES,
  type RiskCategoryLexicon,
  type SpecialtyLexicon,
} from './lexicons.js';

export const RISK_ORDER: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];
export const GENERAL_SPECIALTY = 'general';
export type Complexity = 'simple' | 'moderate' | 'complex';

export interface Classification {
  risk_level: RiskLevel;
  risk_categories: string[];
  specialty: string;
  lang: string;
  complexity: Complexity;
  /** 0..1, higher is better; see `qualityScore`. */
  quality: number;
}

export interface ClassifyInput {
  /** Question text: instruction and input. */
  question: string;
  think: string;
  answer: string;
  /** PII was replaced in this record. */
  deidentified: boolean;
  /** HTML or entities had to be removed. */
  hadMarkup: boolean;
}

/** Counts of Han characters and Latin words in one pass. */
export function textUnits(text: string): { han: number; latinWords: number } {
  let han = 0;
  let latinWords = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf)) han += 1;
    const latin = (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
    if (latin && !inWord) latinWords += 1;
    inWord = latin;
  }
  return { han, latinWords };
}

/** `zh` when Han characters are at least as many as Latin words, `en` when there are Latin words, else `und`. */
export function detectLang(text: string): string {
  const { han, latinWords } = textUnits(text);
  return langOf(han, latinWords);
}

function langOf(han: number, latinWords: number): string {
  if (han > 0 && han >= latinWords) return 'zh';
  if (latinWords > 0) return 'en';
  return 'und';
}

/** Length in units: a Han character counts 1, a Latin word 2 (an English word carries about two characters' meaning). */
export function lengthUnits(text: string): number {
  const { han, latinWords } = textUnits(text);
  return han + 2 * latinWords;
}

const SENTENCE_END = /[。！？.!?）)」”"…]$/u;
/** Paragraphs, list items and bold headings: signs of an answer organised for a reader. */
const STRUCTURE_MARK = /\n\n|\n\s*(?:\d+[.、)]|[-*•])\s|\*\*/g;

/**
 * Quality in [0, 1], each part growing smoothly so that records rank rather than tie:
 * reasoning length up to 150 units (0.3), answer length up to 200 units (0.3), the answer ends as a
 * finished sentence (0.1), structure (paragraphs, lists, headings) up to 3 marks (0.1), and for
 * high and critical questions an answer that refers to care (0.2; other questions get it free).
 * Records that needed de-identification lose 0.1, records that carried HTML lose 0.05.
 */
export function qualityScore(
  input: ClassifyInput,
  risk: RiskLevel,
  refersToCare: boolean,
  thinkUnits = lengthUnits(input.think),
  answerUnits = lengthUnits(input.answer),
): number {
  const structure = input.answer.match(STRUCTURE_MARK)?.length ?? 0;
  let score = 0.3 * Math.min(1, thinkUnits / 150) + 0.3 * Math.min(1, answerUnits / 200);
  if (SENTENCE_END.test(input.answer)) score += 0.1;
  score += 0.1 * Math.min(1, structure / 3);
  if (risk === 'high' || risk === 'critical' ? refersToCare : true) score += 0.2;
  if (input.deidentified) score -= 0.1;
  if (input.hadMarkup) score -= 0.05;
  return Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000;
}

export class Classifier {
  /**
   * One matcher per text, so that each is scanned once: the question's holds risk, medium-risk and
   * specialty terms, the answer's specialty and referral terms. A hit's key says which list it is from:
   * a risk category's index, MEDIUM or REFERRAL, or SPECIALTY + a specialty's index.
   */
  private readonly questionMatcher: LexiconMatcher<number>;
  private readonly answerMatcher: LexiconMatcher<number>;
  private readonly categoryNames: string[];
  /** Rank in RISK_ORDER of the level each category implies. */
  private readonly categoryRanks: number[];
  private readonly specialtyWeightList: number[];
  private readonly specialtyOrder: string[];
  // Scan state, reset for every record.
  private readonly categoryFound: Uint8Array;
  private readonly specialtyScores: Float64Array;
  private mediumHit = false;
  private referralHit = false;
  private readonly onQuestionHit: (key: number) => void;
  private readonly onAnswerHit: (key: number) => void;

  constructor(private readonly config: Pick<DataConfig, 'lexicons' | 'complexity'>) {
    const lex = config.lexicons;
    const base = <T>(defaults: T, empty: T): T => (lex.replaceDefaults ? empty : defaults);
    const risk: Record<string, RiskCategoryLexicon> = { ...base(DEFAULT_RISK_CATEGORIES, {}), ...lex.risk };
    const specialties: Record<string, SpecialtyLexicon> = { ...base(DEFAULT_SPECIALTIES, {}), ...lex.specialty };

    this.categoryNames = Object.keys(risk);
    this.categoryRanks = Object.values(risk).map((entry) => RISK_ORDER.indexOf(entry.level));
    this.categoryFound = new Uint8Array(this.categoryNames.length);
    this.specialtyOrder = Object.keys(specialties);
    this.specialtyWeightList = Object.values(specialties).map((entry) => entry.weight);
    this.specialtyScores = new Float64Array(this.specialtyOrder.length);

    const MEDIUM = -1;
    const REFERRAL = -2;
    const SPECIALTY = this.categoryNames.length;
    const specialtyTerms = Object.values(specialties).flatMap((entry, index) =>
      entry.terms.map((term) => [term, SPECIALTY + index] as const),
    );
    this.questionMatcher = new LexiconMatcher([
      ...Object.values(risk).flatMap((entry, index) => entry.terms.map((term) => [term, index] as const)),
      ...[...base(DEFAULT_MEDIUM_RISK_TERMS, []), ...lex.mediumRisk].map((term) => [term, MEDIUM] as const),
      ...specialtyTerms,
    ]);
    this.answerMatcher = new LexiconMatcher([
      ...specialtyTerms,
      ...[...base(DEFAULT_REFERRAL_TERMS, []), ...lex.referral].map((term) => [term, REFERRAL] as const),
    ]);
    this.onQuestionHit = (key) => {
      if (key === MEDIUM) this.mediumHit = true;
      else if (key < SPECIALTY) this.categoryFound[key] = 1;
      else this.specialtyScores[key - SPECIALTY] += 2 * this.specialtyWeightList[key - SPECIALTY];
    };
    this.onAnswerHit = (key) => {
      if (key === REFERRAL) this.referralHit = true;
      else this.specialtyScores[key - SPECIALTY] += this.specialtyWeightList[key - SPECIALTY];
    };
  }

  /** Scans both texts (lower-cased) once, filling the scan state. */
  private scan(lowerQuestion: string, lowerAnswer: string): void {
    this.categoryFound.fill(0);
    this.specialtyScores.fill(0);
    this.mediumHit = false;
    this.referralHit = false;
    this.questionMatcher.scan(lowerQuestion, this.onQuestionHit);
    this.answerMatcher.scan(lowerAnswer, this.onAnswerHit);
  }

  /** Risk categories of the last scan, in lexicon order, and the highest level they imply. */
  private scannedRisk(): { level: RiskLevel; categories: string[] } {
    const categories: string[] = [];
    let rank = 0;
    for (let index = 0; index < this.categoryFound.length; index++) {
      if (this.categoryFound[index] === 0) continue;
      categories.push(this.categoryNames[index]);
      rank = Math.max(rank, this.categoryRanks[index]);
    }
    if (rank === 0 && this.mediumHit) rank = RISK_ORDER.indexOf('medium');
    return { level: RISK_ORDER[rank], categories };
  }

  /** The specialty of the last scan: highest weighted hit count; ties go to the earlier one. */
  private scannedSpecialty(): string {
    const scores = this.specialtyScores;
    let best = -1;
    for (let index = 0; index < scores.length; index++) if (scores[index] > (best < 0 ? 0 : scores[best])) best = index;
    return best < 0 ? GENERAL_SPECIALTY : this.specialtyOrder[best];
  }

  /** Risk categories found in the question, in lexicon order, and the highest level they imply. */
  risk(lowerQuestion: string): { level: RiskLevel; categories: string[] } {
    this.scan(lowerQuestion, '');
    return this.scannedRisk();
  }

  /** The specialty with the highest weighted hit count (question hits count twice); ties go to the earlier one. */
  specialty(lowerQuestion: string, lowerAnswer: string): string {
    this.scan(lowerQuestion, lowerAnswer);
    return this.scannedSpecialty();
  }

  complexity(think: string, units = lengthUnits(think)): Complexity {
    if (units >= this.config.complexity.complexUnits) return 'complex';
    if (units >= this.config.complexity.moderateUnits) return 'moderate';
    return 'simple';
  }

  classify(input: ClassifyInput): Classification {
    this.scan(input.question.toLowerCase(), input.answer.toLowerCase());
    const risk = this.scannedRisk();
    const question = textUnits(input.question);
    const answer = textUnits(input.answer);
    const thinkUnits = lengthUnits(input.think);
    return {
      risk_level: risk.level,
      risk_categories: risk.categories,
      specialty: this.scannedSpecialty(),
      lang: langOf(question.han + answer.han, question.latinWords + answer.latinWords),
      complexity: this.complexity(input.think, thinkUnits),
      quality: qualityScore(input, risk.level, this.referralHit, thinkUnits, answer.han + 2 * answer.latinWords),
    };
  }
}
