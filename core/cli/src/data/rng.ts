/**
 * Seeded randomness for the data pipeline (pure-rand's xoroshiro128+). Every consumer derives its own
 * stream from the seed and a label, so adding a random choice in one step never shifts another.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { labelHash } from '@medrl/core';

export interface Rng {
  /** A uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

export function createRng(seed: number, label: string): Rng {
  const generator = xoroshiro128plus((seed ^ labelHash(label)) | 0);
  return { int: (maxExclusive) => uniformInt(generator, 0, maxExclusive - 1) };
}

/** Fisher–Yates shuffle in place (of an array or of typed-array record indices). */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[];
export function shuffleInPlace(items: Int32Array, rng: Rng): Int32Array;
export function shuffleInPlace(items: unknown[] | Int32Array, rng: Rng): unknown[] | Int32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const swap = items[i];
    items[i] = items[j];
    items[j] = swap;
  }
  return items;
}
