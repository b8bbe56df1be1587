/**
 * The plugin output contract (docs/plugins.md), checked at runtime: what a reward component and a
 * judge may return. The checks return a problem (naming the field and the value's type) or
 * undefined; callers add the plugin, component and rollout.
 */
import type { JudgeScores } from '@medrl/sdk';
import { escapeControl } from '../text.js';

/** A reward component's value must lie in [MIN, MAX]. */
export const COMPONENT_VALUE_RANGE = [-1, 1] as const;
/** Judge dimension scores lie in [0, 10]; `overall` in [0, 1]. */
export const JUDGE_SCORE_RANGE = [0, 10] as const;
export const JUDGE_OVERALL_RANGE = [0, 1] as const;
const DIMENSIONS: (keyof JudgeScores)[] = ['safety', 'reasoning', 'completeness', 'empathy'];

/** `number 5`, `string "0.5"`, `undefined`, `array`, ...: what was returned, for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(escapeControl(shown))}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

function numberProblem(field: string, value: unknown, [lo, hi]: readonly [number, number]): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= lo && value <= hi) return undefined;
  return `${field} must be a finite number in [${lo}, ${hi}], got ${describeValue(value)}`;
}

/** Why a component's entry for one rollout breaks the contract; null and undefined mean "not applicable". */
export function componentScoreProblem(score: unknown): string | undefined {
  if (score === null || score === undefined) return undefined;
  if (typeof score !== 'object' || Array.isArray(score)) {
    const hint = typeof score === 'number' ? ` (return { value: ${String(score)} })` : '';
    return `expected { value: number } or null, got ${describeValue(score)}${hint}`;
  }
  const { value, reasons } = score as { value?: unknown; reasons?: unknown };
  const problem = numberProblem('value', value, COMPONENT_VALUE_RANGE);
  if (problem) return problem;
  if (reasons !== undefined && !(Array.isArray(reasons) && reasons.every((r) => typeof r === 'string'))) {
    return `reasons must be a list of strings, got ${describeValue(reasons)}`;
  }
  return undefined;
}

/** Why a judgement breaks the contract (scores 0..10, overall 0..1, critique a string); null is "missing". */
export function judgementProblem(judgement: unknown): string | undefined {
  if (typeof judgement !== 'object' || judgement === null || Array.isArray(judgement)) {
    return `expected a judgement object, got ${describeValue(judgement)}`;
  }
  const { scores, overall, critique } = judgement as { scores?: unknown; overall?: unknown; critique?: unknown };
  if (typeof scores !== 'object' || scores === null || Array.isArray(scores)) {
    return `scores must be an object, got ${describeValue(scores)}`;
  }
  for (const dimension of DIMENSIONS) {
    const problem = numberProblem(
      `scores.${dimension}`,
      (scores as Record<string, unknown>)[dimension],
      JUDGE_SCORE_RANGE,
    );
    if (problem) return problem;
  }
  const problem = numberProblem('overall', overall, JUDGE_OVERALL_RANGE);
  if (problem) return problem;
  if (critique !== undefined && typeof critique !== 'string') {
    return `critique must be a string, got ${describeValue(critique)}`;
  }
  return undefined;
}
