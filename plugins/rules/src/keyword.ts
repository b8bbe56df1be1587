/**
 * rules/keyword: configurable lexicons with points per distinct phrase and a cap per lexicon.
 * Positive lexicons reward vocabulary (clinical terms, structure, empathy); negative ones penalize
 * it (pseudoscience, absolute claims). Matching is negation-aware (不要相信偏方 costs nothing) and
 * stuffing-resistant: a phrase counts once, a bare list of rewarded phrases earns nothing, and
 * stuffing (lists, or a phrase repeated more than maxRepeats times) zeroes every positive lexicon
 * and adds keyword/stuffing. Only the answer is read. Range [negativeCap, positiveCap] within
 * [-1, 1]. Always applies (never null).
 */
import type { ComponentScore, RewardComponent, Rollout } from '@medrl/sdk';
import { z } from 'zod';
import { DEFAULT_KEYWORD_LEXICONS, type KeywordLexicon } from './lexicons/keyword.js';
import {
  NEGATION_BREAKER,
  NEGATION_CONDITIONAL,
  NEGATION_POST,
  NEGATION_PRE,
  NEGATION_SHADOW,
} from './lexicons/negation.js';
import type { Analysis } from './analysis.js';
import { Marks, type NegationGroups } from './marking.js';
import {
  type DeepPartial,
  finite,
  negationSchema,
  type NegationOptions,
  phraseList,
  pointsSchema,
  resolveOptions,
  stuffingSchema,
  type StuffingOptions,
} from './options.js';
import { type RuleInfo, ScoreTree, Verdict } from './rules.js';
import { PhraseIndex, type PhraseScanner } from './scanner.js';
import { StampSet } from './stamp-set.js';
import { StuffingDetector } from './stuffing.js';
import { clamp, round6 } from './text.js';

export interface KeywordOptions {
  /** Lexicons by id; each is the rule `keyword/<id>`. Add a key to add a lexicon; set points 0 to turn one off. */
  lexicons: Record<string, KeywordLexicon>;
  /** Most the positive lexicons can add together (default 0.6). */
  positiveCap: number;
  /** Most the negative lexicons can take away together (default -1). */
  negativeCap: number;
  negation: NegationOptions;
  stuffing: StuffingOptions;
  /** Points of the non-lexicon rules (keyword/stuffing). */
  points: Record<string, number>;
}

const KEYWORD_FIXED_RULES: readonly RuleInfo[] = [
  {
    id: 'keyword/stuffing',
    points: -0.3,
    kind: 'fixed',
    description:
      'a sentence that is a bare list of rewarded phrases, or a rewarded phrase repeated more than stuffing.maxRepeats times; positive lexicons then earn nothing',
    example: '症状、诊断、检查、治疗、随访、复查。',
  },
];

function lexiconRules(lexicons: Record<string, KeywordLexicon>): RuleInfo[] {
  return Object.entries(lexicons).map(([id, lexicon]) => ({
    id: `keyword/${id}`,
    points: lexicon.points,
    kind: 'per-hit' as const,
    description: `${lexicon.description ?? id}; per distinct phrase, capped at ${lexicon.cap}`,
    example: lexicon.phrases.slice(0, 3).join(', '),
  }));
}

/** The default rules of rules/keyword: one per default lexicon, then keyword/stuffing. */
export const KEYWORD_RULES: readonly RuleInfo[] = [...lexiconRules(DEFAULT_KEYWORD_LEXICONS), ...KEYWORD_FIXED_RULES];

export const DEFAULT_KEYWORD_OPTIONS: KeywordOptions = {
  lexicons: DEFAULT_KEYWORD_LEXICONS,
  positiveCap: 0.6,
  negativeCap: -1,
  negation: {
    pre: NEGATION_PRE,
    post: NEGATION_POST,
    conditional: NEGATION_CONDITIONAL,
    breaker: NEGATION_BREAKER,
    shadow: NEGATION_SHADOW,
    window: 16,
  },
  stuffing: { minListHits: 3, listCoverage: 0.8, maxRepeats: 3 },
  points: { 'keyword/stuffing': -0.3 },
};

const lexiconSchema = z
  .strictObject({ points: finite, cap: finite, phrases: phraseList, description: z.string().optional() })
  .refine((l) => l.points === 0 || Math.sign(l.cap) === Math.sign(l.points), {
    message: 'cap must have the sign of points (a positive lexicon caps what it adds, a negative one what it takes)',
    path: ['cap'],
  });

const keywordSchema = z.strictObject({
  lexicons: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lexicon ids are lowercase words with dashes'),
    lexiconSchema,
  ),
  positiveCap: finite.min(0).max(1),
  negativeCap: finite.min(-1).max(0),
  negation: negationSchema,
  stuffing: stuffingSchema,
  points: pointsSchema(
    'rules/keyword',
    KEYWORD_FIXED_RULES.map((r) => r.id),
  ),
});

export function resolveKeywordOptions(options?: DeepPartial<KeywordOptions>): KeywordOptions {
  return resolveOptions(
    'keyword',
    keywordSchema as unknown as z.ZodType<KeywordOptions>,
    DEFAULT_KEYWORD_OPTIONS,
    options,
  );
}

/** Distinct-phrase counts below this share their score (a step of the score tree is lexicon * SHARED_COUNTS + count). */
const SHARED_COUNTS = 64;

interface LexiconGroup {
  rule: string;
  points: number;
  cap: number;
  /** Position among the component's lexicons (for per-lexicon counters). */
  slot: number;
}

/**
 * The scorer behind rules/keyword. It registers its lexicons in a PhraseIndex, which may be shared
 * with rules/safety so that a completion is scanned once for both.
 */
export class KeywordScorer {
  private readonly groups = new Map<number, LexiconGroup>();
  /** Lexicon of each group id (undefined for groups of other components). */
  private groupTable: (LexiconGroup | undefined)[] = [];
  private readonly negation: NegationGroups;
  private readonly isTarget: Uint8Array;
  private readonly index: PhraseIndex;
  // Reused between completions (scoring is synchronous).
  private readonly marks = new Marks();
  private rewarded = new Int32Array(64);
  private stuffing: StuffingDetector | undefined;
  private readonly distinct = new StampSet();
  private distinctCount = new Int32Array(0);
  private readonly foundOrder: LexiconGroup[] = [];
  private readonly tree = new ScoreTree();

  constructor(
    readonly options: KeywordOptions,
    index: PhraseIndex = new PhraseIndex(),
  ) {
    this.index = index;
    for (const [id, lexicon] of Object.entries(options.lexicons)) {
      if (lexicon.points === 0) continue;
      const group = index.add(lexicon.phrases);
      this.groups.set(group, {
        rule: `keyword/${id}`,
        points: lexicon.points,
        cap: lexicon.cap,
        slot: this.groups.size,
      });
    }
    this.negation = index.negation(options.negation, [...this.groups.keys()]);
    this.isTarget = new Uint8Array(index.groupCount + 64);
    for (const group of this.groups.keys()) this.isTarget[group] = 1;
    for (const [group, lexicon] of this.groups) this.groupTable[group] = lexicon;
    this.distinctCount = new Int32Array(this.groups.size);
  }

  private get scanner(): PhraseScanner {
    return this.index.scanner;
  }

  /** The readings of a batch's completions (shared with rules/safety when the index is). */
  analyze(rollouts: readonly Rollout[]): readonly Analysis[] {
    return this.index.analyzer.batch(rollouts, this.negation);
  }

  /** Scores a completion; `analysis` is its reading by the index's analyzer when the caller has it. */
  score(completion: string, analysis?: Analysis): ComponentScore {
    const scanner = this.scanner;
    const scan = analysis?.text === completion ? analysis : this.index.analyzer.one(completion, this.negation);
    const answerStart = scan.answerStart;
    const marks = this.marks;
    marks.select(scan.store.marks, scan.markFrom, scan.markTo, this.isTarget);
    const table = this.groupTable;

    if (this.rewarded.length < marks.count) this.rewarded = new Int32Array(marks.count * 2);
    let rewardedCount = 0;
    for (let i = 0; i < marks.count; i++) {
      if (marks.start[i]! >= answerStart && !marks.isNegated(i) && table[marks.group[i]!]!.points > 0)
        this.rewarded[rewardedCount++] = i;
    }
    const stuffing = (this.stuffing ??= new StuffingDetector(this.options.stuffing, scanner));
    stuffing.find(scan, marks, this.rewarded, rewardedCount);
    const stuffed = stuffing.stuffed;

    // Distinct phrases per lexicon, lexicons in order of their first phrase; a positive phrase in
    // a listed sentence does not count.
    const found = this.foundOrder;
    found.length = 0;
    this.distinct.clear();
    const phraseCount = scanner.size;
    for (let i = 0; i < marks.count; i++) {
      if (marks.start[i]! < answerStart || marks.isNegated(i)) continue;
      const group = table[marks.group[i]!]!;
      if (group.points > 0 && (stuffed || stuffing.listSentences.has(marks.sentence[i]!))) continue;
      const key = group.slot * phraseCount + marks.phrase[i]!;
      if (this.distinct.has(key)) continue;
      this.distinct.add(key);
      if (this.distinctCount[group.slot] === 0) found.push(group);
      this.distinctCount[group.slot]!++;
    }
    // Unstuffed scores are shared by every answer with the same lexicons and counts, in the same order.
    const tree = this.tree;
    tree.reset();
    let shareable = !stuffed;
    for (const group of found) {
      const count = this.distinctCount[group.slot]!;
      if (count < SHARED_COUNTS) tree.step(group.slot * SHARED_COUNTS + count);
      else shareable = false;
    }
    const known = shareable ? tree.get(0) : undefined;
    if (known) {
      for (const group of found) this.distinctCount[group.slot] = 0;
      return known;
    }
    const verdict = new Verdict(this.options.points);
    let positive = 0;
    let negative = 0;
    for (const group of found) {
      const raw = group.points * this.distinctCount[group.slot]!;
      this.distinctCount[group.slot] = 0;
      const points = group.points > 0 ? Math.min(raw, group.cap) : Math.max(raw, group.cap);
      verdict.add(group.rule, round6(points));
      if (points > 0) positive += points;
      else negative += points;
    }
    let value = Math.min(positive, this.options.positiveCap) + Math.max(negative, this.options.negativeCap);
    if (stuffed) value += verdict.fire('keyword/stuffing');
    const score: ComponentScore = {
      value: round6(clamp(value, -1, 1)),
      reasons: verdict.reasons,
      details: { points: verdict.points },
    };
    if (stuffed)
      score.details!.stuffing = { listSentences: stuffing.listSentences.size, repeated: [...stuffing.repeated] };
    return shareable ? tree.set(0, score) : score;
  }
}

/** rules/keyword as a stand-alone component (the plugin shares its phrase index with rules/safety). */
export function keywordReward(options?: DeepPartial<KeywordOptions>, index?: PhraseIndex): RewardComponent {
  const scorer = new KeywordScorer(resolveKeywordOptions(options), index);
  return {
    name: 'rules/keyword',
    description:
      'positive and negative lexicons, points per distinct phrase with caps; negation-aware, stuffing-resistant',
    async score(rollouts: readonly Rollout[]) {
      const analyses = scorer.analyze(rollouts);
      return rollouts.map((rollout, i) => scorer.score(rollout.completion ?? '', analyses[i]));
    },
  };
}
