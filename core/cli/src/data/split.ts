/**
 * Stratified train/dev/test assignment. Records are grouped by stratum (risk level and specialty);
 * each stratum is sorted by id and shuffled with the seed, the strata are laid end to end in sorted
 * order, and each position goes to the split furthest below its share so far. Every split thus gets
 * its share of every stratum to within one record, the global counts match the ratios to within
 * one record, and the result does not depend on the input order.
 */
import { createRng, shuffleInPlace } from './rng.js';

export const SPLITS = ['train', 'dev', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface SplitRatios {
  train: number;
  dev: number;
  test: number;
}

export interface SplitInput {
  count: number;
  /** Stratum code of record i (an index into `stratumNames`). */
  stratumOf: (record: number) => number;
  /** Stratum names; strata are laid out in the sorted order of their names. */
  stratumNames: readonly string[];
  /** Orders records by id (the order they are sorted in before the shuffle). */
  compare: (a: number, b: number) => number;
}

/**
 * Returns, for each record, 0 (train), 1 (dev) or 2 (test). Works in typed arrays (4 bytes a record
 * besides the result), so that millions of records split in little memory.
 */
export function stratifiedSplit(input: SplitInput, ratios: SplitRatios, seed: number): Uint8Array {
  const strata = input.stratumNames.length;
  // Records grouped by stratum (a counting sort), strata in the sorted order of their names.
  const sizes = new Int32Array(strata);
  for (let i = 0; i < input.count; i++) sizes[input.stratumOf(i)] += 1;
  const codes = Array.from({ length: strata }, (_, code) => code).sort((a, b) => {
    const [x, y] = [input.stratumNames[a], input.stratumNames[b]];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const starts = new Int32Array(strata + 1);
  let offset = 0;
  for (const code of codes) {
    starts[code] = offset;
    offset += sizes[code];
  }
  const order = new Int32Array(input.count);
  const next = starts.slice(0, strata);
  for (let i = 0; i < input.count; i++) order[next[input.stratumOf(i)]++] = i;
  // Each stratum sorted by id, then shuffled with one generator shared in stratum order.
  const rng = createRng(seed, 'split');
  for (const code of codes) {
    if (sizes[code] === 0) continue;
    shuffleInPlace(order.subarray(starts[code], starts[code] + sizes[code]).sort(input.compare), rng);
  }
  const shares = SPLITS.map((name) => ratios[name]);
  const counts = [0, 0, 0];
  const assignment = new Uint8Array(input.count);
  for (let position = 0; position < order.length; position++) {
    let best = 0;
    let bestDeficit = -Infinity;
    for (let s = 0; s < shares.length; s++) {
      if (shares[s] === 0) continue;
      const deficit = shares[s] * (position + 1) - counts[s];
      if (deficit > bestDeficit + 1e-9) {
        best = s;
        bestDeficit = deficit;
      }
    }
    counts[best] += 1;
    assignment[order[position]] = best;
  }
  return assignment;
}
