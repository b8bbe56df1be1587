// The stratified split: a partition, proportional per stratum, deterministic, order-independent.
import { describe, expect, it } from 'vitest';
import { createRng, shuffleInPlace } from '../../../core/cli/src/data/rng.js';
import { stratifiedSplit as splitByIndex, type SplitRatios } from '../../../core/cli/src/data/split.js';

/** The split of records given by id and stratum name. */
function stratifiedSplit(ids: string[], strata: string[], ratios: SplitRatios, seed: number): Uint8Array {
  const names = [...new Set(strata)];
  return splitByIndex(
    {
      count: ids.length,
      stratumOf: (i) => names.indexOf(strata[i]),
      stratumNames: names,
      compare: (a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0),
    },
    ratios,
    seed,
  );
}

const RATIOS = { train: 0.8, dev: 0.1, test: 0.1 };

function corpus() {
  const ids: string[] = [];
  const strata: string[] = [];
  const sizes: Record<string, number> = { 'low|cardiology': 200, 'critical|emergency': 57, 'high|pediatrics': 31, 'medium|derm': 9, 'low|rare': 1 };
  for (const [stratum, n] of Object.entries(sizes)) {
    for (let i = 0; i < n; i++) {
      ids.push(`med-${stratum}-${String(i).padStart(4, '0')}`);
      strata.push(stratum);
    }
  }
  return { ids, strata, sizes };
}

describe('stratifiedSplit', () => {
  it('assigns every record to exactly one split with global counts within one of the ratios', () => {
    const { ids, strata } = corpus();
    const split = stratifiedSplit(ids, strata, RATIOS, 42);
    expect(split.length).toBe(ids.length);
    const counts = [0, 0, 0];
    for (const s of split) counts[s] += 1;
    expect(counts.reduce((a, b) => a + b)).toBe(ids.length);
    counts.forEach((n, i) => expect(Math.abs(n - ids.length * [0.8, 0.1, 0.1][i])).toBeLessThanOrEqual(1));
  });

  it('gives every split its share of each stratum to within 1.5 records', () => {
    const { ids, strata, sizes } = corpus();
    const split = stratifiedSplit(ids, strata, RATIOS, 42);
    for (const [stratum, n] of Object.entries(sizes)) {
      const counts = [0, 0, 0];
      strata.forEach((s, i) => s === stratum && (counts[split[i]] += 1));
      counts.forEach((c, i) => expect(Math.abs(c - n * [0.8, 0.1, 0.1][i])).toBeLessThanOrEqual(1.5));
    }
  });

  it('is deterministic for a seed, changes with the seed, and ignores input order', () => {
    const { ids, strata } = corpus();
    const a = stratifiedSplit(ids, strata, RATIOS, 42);
    expect(stratifiedSplit(ids, strata, RATIOS, 42)).toEqual(a);
    expect(stratifiedSplit(ids, strata, RATIOS, 7)).not.toEqual(a);
    const order = shuffleInPlace(ids.map((_, i) => i), createRng(1, 'test'));
    const shuffled = stratifiedSplit(order.map((i) => ids[i]), order.map((i) => strata[i]), RATIOS, 42);
    order.forEach((original, position) => expect(shuffled[position]).toBe(a[original]));
  });

  it('honours zero ratios', () => {
    const { ids, strata } = corpus();
    const split = stratifiedSplit(ids, strata, { train: 0.5, dev: 0, test: 0.5 }, 3);
    expect(split.includes(1)).toBe(false);
  });
});
