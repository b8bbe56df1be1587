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

/** Returns, for each record, 0 (train), 1 (dev) or 2 (test). */
export function stratifiedSplit(input: SplitInput, ratios: SplitRatios, seed: number): Uint8Array {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < input.count; i++) {
    const code = input.stratumOf(i);
    const group = groups.get(code);
    if (group) group.push(i);
    else groups.set(code, [i]);
  }
  const rng = createRng(seed, 'split');
  const order: number[] = [];
  const codes = [...groups.keys()].sort((a, b) => {
    const [x, y] = [input.stratumNames[a], input.stratumNames[b]];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (const code of codes) order.push(...shuffleInPlace(groups.get(code)!.sort(input.compare), rng));
  const shares = SPLITS.map((name) => ratios[name]);
  const counts = [0, 0, 0];
  const assignment = new Uint8Array(input.count);
  order.forEach((recordIndex, position) => {
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
    assignment[recordIndex] = best;
  });
  return assignment;
}
