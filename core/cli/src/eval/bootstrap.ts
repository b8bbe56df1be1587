/**
 * Confidence intervals by the percentile bootstrap (Efron & Tibshirani, ch. 13): resample the
 * values with replacement `resamples` times, take the mean of each resample, and report the
 * (1 - confidence) / 2 and (1 + confidence) / 2 quantiles of those means. Seeded, so the same
 * data and seed give the same interval on every machine.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface BootstrapOptions {
  /** Number of resamples (eval.bootstrap.resamples, default 1000). */
  resamples: number;
  /** Two-sided coverage of the interval, in (0, 1) (default 0.95). */
  confidence: number;
  /** Seed of the resampling generator (default 42). */
  seed: number;
}

/** A mean with its bootstrap interval; all null when no sample contributed a value. */
export interface Estimate {
  value: number | null;
  lo: number | null;
  hi: number | null;
  /** Number of values the mean is over. */
  n: number;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** The q-quantile of sorted values, linear between order statistics (Hyndman & Fan type 7, numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty array');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** The bootstrap means of `values`, sorted ascending. */
export function bootstrapMeans(values: readonly number[], resamples: number, seed: number): Float64Array {
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  const rng = xoroshiro128plus(seed);
  const n = values.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[uniformInt(rng, 0, n - 1)]!;
    means[r] = sum / n;
  }
  return means.sort();
}

/** The mean of `values` and its percentile-bootstrap interval. */
export function bootstrapMean(values: readonly number[], options: BootstrapOptions): Estimate {
  if (!(options.confidence > 0 && options.confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), got ${options.confidence}`);
  }
  if (values.length === 0) return { value: null, lo: null, hi: null, n: 0 };
  const value = mean(values);
  const means = bootstrapMeans(values, options.resamples, options.seed);
  const alpha = 1 - options.confidence;
  return { value, lo: quantile(means, alpha / 2), hi: quantile(means, 1 - alpha / 2), n: values.length };
}
