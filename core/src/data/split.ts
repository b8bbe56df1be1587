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

/** Returns, for each record, 0 (train), 1 (dev) or 2 (test). */
export function stratifiedSplit(
  ids: readonly string[],
  strata: readonly string[],
  ratios: SplitRatios,
  seed: number,
): Uint8Array {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const group = groups.get(strata[i]);
    if (group) group.push(i);
    else groups.set(strata[i], [i]);
  }
  const rng = createRng(seed, 'split');
  const order: number[] = [];
  for (const key of [...groups.keys()].sort()) {
    const members = groups.get(key)!.sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
    order.push(...shuffleInPlace(members, rng));
  }
  const shares = SPLITS.map((name) => ratios[name]);
  const counts = [0, 0, 0];
  const assignment = new Uint8Array(ids.length);
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
