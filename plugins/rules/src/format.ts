/**
 * rules/format: the R1-style shape `<think>reasoning</think>answer`. A well-formed completion scores
 * 1; malformed tags, an empty or short think block and a missing answer take points away.
 * Range [-1, 1]. Always applies (never null).
 */
import type { ComponentScore, RewardComponent, Rollout } from '@medrl/sdk';
import { z } from 'zod';
import {
  countTokensSchema,
  type CountTokens,
  type DeepPartial,
  finite,
  pointsSchema,
  resolveOptions,
} from './options.js';
import { defaultPoints, FiredRules, type RuleInfo, type Verdict } from './rules.js';
import { clamp, layoutOf, type LayoutCache, round6, trimmedLength } from './text.js';

export const FORMAT_RULES: readonly RuleInfo[] = [
  {
    id: 'format/well-formed',
    points: 1,
    kind: 'fixed',
    description: 'exactly one <think>...</think> block followed by a non-empty answer',
    example: '<think>胸痛伴出汗需排除心梗…</think>请立即拨打120。',
  },
  {
    id: 'format/missing-think',
    points: -0.6,
    kind: 'fixed',
    description: 'no <think> block at all (only when requireThink is on)',
    example: 'Drink water and rest.',
  },
  {
    id: 'format/think-not-first',
    points: -0.2,
    kind: 'fixed',
    description: 'text before the first <think>',
    example: 'Sure! <think>...</think> Rest.',
  },
  {
    id: 'format/unterminated-think',
    points: -0.8,
    kind: 'fixed',
    description: 'more <think> than </think> tags, or a <think> after the last </think>',
    example: '<think>the patient may have...',
  },
  {
    id: 'format/multiple-think',
    points: -0.5,
    kind: 'fixed',
    description: 'more than one <think> tag (nested or repeated blocks)',
    example: '<think>a<think>b</think></think>answer',
  },
  {
    id: 'format/stray-close',
    points: -0.5,
    kind: 'fixed',
    description: 'a </think> without an opening tag before it, or more closing than opening tags',
    example: 'answer</think>',
  },
  {
    id: 'format/empty-think',
    points: -0.5,
    kind: 'fixed',
    description: 'the think block is blank',
    example: '<think> </think>Rest.',
  },
  {
    id: 'format/short-think',
    points: -0.3,
    kind: 'fixed',
    description: 'the think block is shorter than minThinkLength (characters, or tokens with countTokens)',
    example: '<think>ok</think>Rest and drink water.',
  },
  {
    id: 'format/missing-answer',
    points: -0.8,
    kind: 'fixed',
    description: 'nothing (but whitespace) after the think block, or an empty completion',
    example: '<think>reasoning...</think>',
  },
];

export interface FormatOptions {
  /** A completion without any think block is penalized (format/missing-think). Default true. */
  requireThink: boolean;
  /** Shortest acceptable think block, in characters (or tokens with countTokens). Default 20. */
  minThinkLength: number;
  /** Count think length in tokens of the configured tokenizer instead of characters. */
  countTokens?: CountTokens;
  /** Points per rule id (0 turns a rule off). */
  points: Record<string, number>;
}

export const DEFAULT_FORMAT_OPTIONS: FormatOptions = {
  requireThink: true,
  minThinkLength: 20,
  points: defaultPoints(FORMAT_RULES),
};

const formatSchema = z.strictObject({
  requireThink: z.boolean(),
  minThinkLength: finite.min(0),
  countTokens: countTokensSchema.optional(),
  points: pointsSchema(
    'rules/format',
    FORMAT_RULES.map((r) => r.id),
  ),
});

export function resolveFormatOptions(options?: DeepPartial<FormatOptions>): FormatOptions {
  return resolveOptions('format', formatSchema as z.ZodType<FormatOptions>, DEFAULT_FORMAT_OPTIONS, options);
}

/** One FiredRules per points table (the components' options never change after validation). */
const firedByPoints = new WeakMap<Readonly<Record<string, number>>, FiredRules>();
function firedRulesOf(points: Readonly<Record<string, number>>): FiredRules {
  let fired = firedByPoints.get(points);
  if (!fired) firedByPoints.set(points, (fired = new FiredRules(points)));
  return fired;
}

/** The score of a sequence of fired format rules (every format rule is fixed: it is a function of them). */
function buildFormatScore(verdict: Verdict): ComponentScore {
  let value = 0;
  for (const id of verdict.reasons) value += verdict.points[id]!;
  return { value: round6(clamp(value, -1, 1)), reasons: verdict.reasons, details: { points: verdict.points } };
}

/**
 * Scores one completion's shape; `layout` is `layoutOf(completion)` when the caller has it. The score
 * is shared (frozen) between completions that fire the same rules.
 */
export function scoreFormat(completion: string, options: FormatOptions, layout = layoutOf(completion)): ComponentScore {
  const verdict = firedRulesOf(options.points);
  verdict.reset();
  if (layout.opens === 0 && layout.closes === 0) {
    if (options.requireThink) verdict.fire('format/missing-think');
    if (layout.answerLength === 0) verdict.fire('format/missing-answer');
    else if (!options.requireThink) verdict.fire('format/well-formed');
  } else {
    if (layout.firstOpen > 0 && !layout.thinkFirst) verdict.fire('format/think-not-first');
    if (layout.opens > layout.closes || (layout.opens > 0 && layout.lastOpen > layout.lastClose)) {
      verdict.fire('format/unterminated-think');
    }
    if (layout.opens > 1) verdict.fire('format/multiple-think');
    if (
      layout.closes > layout.opens ||
      (layout.firstClose !== -1 && (layout.firstOpen === -1 || layout.firstClose < layout.firstOpen))
    ) {
      verdict.fire('format/stray-close');
    }
    if (layout.firstOpen !== -1 && layout.firstClose > layout.firstOpen) {
      const thinkLength = trimmedLength(completion, layout.firstOpen + 7, layout.firstClose);
      if (thinkLength === 0) verdict.fire('format/empty-think');
      else if (
        (options.countTokens
          ? options.countTokens(completion.slice(layout.firstOpen + 7, layout.firstClose).trim())
          : thinkLength) < options.minThinkLength
      )
        verdict.fire('format/short-think');
      if (trimmedLength(completion, layout.firstClose + 8, completion.length) === 0)
        verdict.fire('format/missing-answer');
      else if (layout.opens === 1 && layout.closes === 1) verdict.fire('format/well-formed');
    } else if (layout.answerLength === 0) {
      verdict.fire('format/missing-answer');
    }
  }
  return verdict.shared(0, buildFormatScore);
}

/** Scores rollouts one by one; exported for tests and scripts that want one component. */
export function formatReward(options?: DeepPartial<FormatOptions>, layouts?: LayoutCache): RewardComponent {
  const resolved = resolveFormatOptions(options);
  return {
    name: 'rules/format',
    description: 'R1 format: one leading <think> block, non-empty and long enough, then an answer',
    async score(rollouts: readonly Rollout[]) {
      if (!layouts) return rollouts.map((rollout) => scoreFormat(rollout.completion ?? '', resolved));
      const batch = layouts.batch(rollouts);
      return rollouts.map((rollout, i) => scoreFormat(batch[i]!.text, resolved, batch[i]));
    },
  };
}
