/**
 * rules/length: answer and think lengths against bands, plus a repetition penalty.
 * Band score: 1 inside [idealMin, idealMax]; rising 0 -> 1 from min to idealMin; falling 1 -> 0 from
 * idealMax to max; -1 below min or above max. The component value is the weighted mean of the answer
 * and think band scores (think only when the completion has a think block), plus the repetition
 * penalties, clamped to [-1, 1]. Lengths are characters (UTF-16 code units), or tokens with
 * `countTokens`. Always applies (never null).
 */
import type { ComponentScore, RewardComponent, Rollout } from '@medrl/sdk';
import { z } from 'zod';
import {
  countTokensSchema,
  type CountTokens,
  type DeepPartial,
  finite,
  nonNegativeInt,
  pointsSchema,
  resolveOptions,
} from './options.js';
import { type Repetition, repetitionOf } from './repetition.js';
import { defaultPoints, type RuleInfo, Verdict } from './rules.js';
import { clamp, layoutOf, type LayoutCache, round6 } from './text.js';

export const LENGTH_RULES: readonly RuleInfo[] = [
  {
    id: 'length/answer-in-band',
    points: 1,
    kind: 'fixed',
    description: 'answer length within [idealMin, idealMax]',
    example: 'a 300-character answer',
  },
  {
    id: 'length/answer-short',
    points: 1,
    kind: 'scaled',
    description: 'answer between min and idealMin: points times (length - min) / (idealMin - min)',
    example: 'a 60-character answer scores 0.5 with min 40, idealMin 80',
  },
  {
    id: 'length/answer-long',
    points: 1,
    kind: 'scaled',
    description: 'answer between idealMax and max: points times (max - length) / (max - idealMax)',
    example: 'a 1500-character answer scores 0.5 with idealMax 1000, max 2000',
  },
  {
    id: 'length/answer-too-short',
    points: -1,
    kind: 'fixed',
    description: 'answer shorter than min (an empty answer included)',
    example: '<think>...</think>好的。',
  },
  {
    id: 'length/answer-too-long',
    points: -1,
    kind: 'fixed',
    description: 'answer longer than max',
    example: 'a 5,000-character answer',
  },
  {
    id: 'length/think-in-band',
    points: 1,
    kind: 'fixed',
    description: 'think length within [idealMin, idealMax]',
    example: 'a 200-character think block',
  },
  {
    id: 'length/think-short',
    points: 1,
    kind: 'scaled',
    description: 'think between min and idealMin (as for the answer)',
    example: 'a 20-character think block',
  },
  {
    id: 'length/think-long',
    points: 1,
    kind: 'scaled',
    description: 'think between idealMax and max (as for the answer)',
    example: 'a 3,000-character think block',
  },
  {
    id: 'length/think-too-short',
    points: -1,
    kind: 'fixed',
    description: 'think shorter than min (an empty think block included)',
    example: '<think>嗯</think>...',
  },
  {
    id: 'length/think-too-long',
    points: -1,
    kind: 'fixed',
    description: 'think longer than max',
    example: 'a 10,000-character think block',
  },
  {
    id: 'length/repeated-ngrams',
    points: -2,
    kind: 'scaled',
    description:
      'share r of repeated character n-grams in the completion above repetition.threshold: points times min(1, (r - threshold) / (full - threshold)); at full repetition it outweighs an in-band length',
    example: '多喝水。多喝水。多喝水。多喝水。多喝水。多喝水。',
  },
  {
    id: 'length/repeated-sentence',
    points: -0.2,
    kind: 'per-hit',
    description:
      'per sentence (>= repetition.minSentenceLength) that repeats an earlier one, down to repetition.sentenceCap',
    example: '建议您多休息，注意观察。建议您多休息，注意观察。',
  },
];

export interface LengthBand {
  min: number;
  idealMin: number;
  idealMax: number;
  max: number;
}

export interface RepetitionOptions {
  /** Character n-gram size (default 8: about four Chinese words or two English words). */
  ngram: number;
  /** Repeated n-gram share where the penalty starts (default 0.2). */
  threshold: number;
  /** Repeated n-gram share where the penalty is full (default 0.6). */
  full: number;
  /** Shorter sentences are not compared (default 8 characters). */
  minSentenceLength: number;
  /** Floor of the repeated-sentence penalty (default -0.6). */
  sentenceCap: number;
}

export interface LengthOptions {
  /** Answer band (default 40 / 80 / 1000 / 2000 characters). */
  answer: LengthBand;
  /** Think band (default 10 / 30 / 2000 / 4000 characters). */
  think: LengthBand;
  /** Weight of the answer band score (default 0.7). */
  answerWeight: number;
  /** Weight of the think band score, when there is a think block (default 0.3). */
  thinkWeight: number;
  repetition: RepetitionOptions;
  /** Count lengths in tokens of the configured tokenizer instead of characters. */
  countTokens?: CountTokens;
  /** Points per rule id (0 turns a rule off). */
  points: Record<string, number>;
}

export const DEFAULT_LENGTH_OPTIONS: LengthOptions = {
  answer: { min: 40, idealMin: 80, idealMax: 1000, max: 2000 },
  think: { min: 10, idealMin: 30, idealMax: 2000, max: 4000 },
  answerWeight: 0.7,
  thinkWeight: 0.3,
  repetition: { ngram: 8, threshold: 0.2, full: 0.6, minSentenceLength: 8, sentenceCap: -0.6 },
  points: defaultPoints(LENGTH_RULES),
};

const bandSchema = z
  .strictObject({ min: finite.min(0), idealMin: finite, idealMax: finite, max: finite })
  .refine((b) => b.min <= b.idealMin && b.idealMin <= b.idealMax && b.idealMax <= b.max, {
    message: 'band must satisfy min <= idealMin <= idealMax <= max',
  });

const lengthSchema = z
  .strictObject({
    answer: bandSchema,
    think: bandSchema,
    answerWeight: finite.min(0),
    thinkWeight: finite.min(0),
    repetition: z
      .strictObject({
        ngram: z.number().int().min(2),
        threshold: finite.min(0).max(1),
        full: finite.min(0).max(1),
        minSentenceLength: nonNegativeInt,
        sentenceCap: finite.max(0),
      })
      .refine((r) => r.threshold < r.full, { message: 'repetition.threshold must be below repetition.full' }),
    countTokens: countTokensSchema.optional(),
    points: pointsSchema(
      'rules/length',
      LENGTH_RULES.map((r) => r.id),
    ),
  })
  .refine((o) => o.answerWeight > 0, { message: 'answerWeight must be > 0', path: ['answerWeight'] });

export function resolveLengthOptions(options?: DeepPartial<LengthOptions>): LengthOptions {
  return resolveOptions('length', lengthSchema as unknown as z.ZodType<LengthOptions>, DEFAULT_LENGTH_OPTIONS, options);
}

/** The band rule ids of a part (built once: no string is built per score). */
function bandRules(part: 'answer' | 'think') {
  return {
    tooShort: `length/${part}-too-short`,
    short: `length/${part}-short`,
    inBand: `length/${part}-in-band`,
    long: `length/${part}-long`,
    tooLong: `length/${part}-too-long`,
  };
}
const ANSWER_RULES = bandRules('answer');
const THINK_RULES = bandRules('think');

/** Scores one part's length against its band; returns the band score in [-1, 1]. */
function scoreBand(rules: typeof ANSWER_RULES, length: number, band: LengthBand, verdict: Verdict): number {
  if (length < band.min) return verdict.fire(rules.tooShort);
  if (length < band.idealMin) return verdict.fire(rules.short, (length - band.min) / (band.idealMin - band.min));
  if (length <= band.idealMax) return verdict.fire(rules.inBand);
  if (length <= band.max) return verdict.fire(rules.long, (band.max - length) / (band.max - band.idealMax));
  return verdict.fire(rules.tooLong);
}

/** Reused by every score (scoring is synchronous). */
const repetition: Repetition = { ngramRatio: 0, sentences: 0 };

/** Scores one completion; `layout` is `layoutOf(completion)` when the caller has it. */
export function scoreLength(completion: string, options: LengthOptions, layout = layoutOf(completion)): ComponentScore {
  const verdict = new Verdict(options.points);
  const countTokens = options.countTokens;
  const answerLength = countTokens ? countTokens(layout.answer) : layout.answerLength;
  let weighted = options.answerWeight * scoreBand(ANSWER_RULES, answerLength, options.answer, verdict);
  let weights = options.answerWeight;
  let thinkLength: number | undefined;
  if (layout.split) {
    thinkLength = countTokens ? countTokens(layout.think!) : layout.thinkLength!;
    weighted += options.thinkWeight * scoreBand(THINK_RULES, thinkLength, options.think, verdict);
    weights += options.thinkWeight;
  }
  let value = weighted / weights;

  const rep = options.repetition;
  // Think and answer together, read in place: the tags are a few characters of the n-grams.
  const { ngramRatio: ratio, sentences: repeats } = repetitionOf(
    completion,
    rep.ngram,
    rep.minSentenceLength,
    repetition,
  );
  if (ratio > rep.threshold)
    value += verdict.fire('length/repeated-ngrams', Math.min(1, (ratio - rep.threshold) / (rep.full - rep.threshold)));
  if (repeats > 0 && options.points['length/repeated-sentence'] !== 0) {
    value += verdict.add(
      'length/repeated-sentence',
      Math.max(rep.sentenceCap, repeats * options.points['length/repeated-sentence']!),
    );
  }
  // Two literal shapes instead of a spread: no temporary object per score.
  const points = verdict.points;
  const unit = options.countTokens ? 'tokens' : 'chars';
  const repeatedNgramRatio = round6(ratio);
  return {
    value: round6(clamp(value, -1, 1)),
    reasons: verdict.reasons,
    details:
      thinkLength !== undefined
        ? { points, unit, answerLength, thinkLength, repeatedNgramRatio, repeatedSentences: repeats }
        : { points, unit, answerLength, repeatedNgramRatio, repeatedSentences: repeats },
  };
}

export function lengthReward(options?: DeepPartial<LengthOptions>, layouts?: LayoutCache): RewardComponent {
  const resolved = resolveLengthOptions(options);
  return {
    name: 'rules/length',
    description: 'answer and think length bands, with a penalty for repeated n-grams and sentences',
    async score(rollouts: readonly Rollout[]) {
      if (!layouts) return rollouts.map((rollout) => scoreLength(rollout.completion ?? '', resolved));
      const batch = layouts.batch(rollouts);
      return rollouts.map((rollout, i) => scoreLength(batch[i]!.text, resolved, batch[i]));
    },
  };
}
