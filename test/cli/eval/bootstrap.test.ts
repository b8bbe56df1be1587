import { describe, expect, it } from 'vitest';
import { bootstrapMean, bootstrapMeans, mean, quantile } from '../../../core/cli/src/eval/bootstrap.js';

describe('quantile (type 7)', () => {
  it.each([
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.25, 1.75],
    [[10], 0.975, 10],
    [[0, 10], 0.025, 0.25],
  ])('quantile(%j, %d) = %d', (sorted, q, expected) => {
    expect(quantile(sorted, q)).toBeCloseTo(expected, 12);
  });

  it('rejects an empty array and q outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(/empty/);
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('bootstrapMean', () => {
  const options = { resamples: 1000, confidence: 0.95, seed: 42 };

  it('is null for no values and degenerate for constant values', () => {
    expect(bootstrapMean([], options)).toEqual({ value: null, lo: null, hi: null, n: 0 });
    expect(bootstrapMean([0.5, 0.5, 0.5], options)).toEqual({ value: 0.5, lo: 0.5, hi: 0.5, n: 3 });
  });

  it('gives the sample mean as the value', () => {
    expect(bootstrapMean([1, 0, 0, 1, 1], options).value).toBeCloseTo(0.6, 12);
    expect(mean([1, 2, 3, 6])).toBe(3);
  });

  it('spans {0, 1} for two values 0 and 1 (P(mean = 0) = 1/4 > 2.5%)', () => {
    const e = bootstrapMean([0, 1], options);
    expect([e.lo, e.value, e.hi]).toEqual([0, 0.5, 1]);
  });

  it('is repeatable under a seed and changes with it', () => {
    const values = Array.from({ length: 50 }, (_, i) => (i * 7919) % 13);
    expect(bootstrapMeans(values, 200, 1)).toEqual(bootstrapMeans(values, 200, 1));
    expect(bootstrapMeans(values, 200, 1)).not.toEqual(bootstrapMeans(values, 200, 2));
  });

  it('matches the normal approximation for a large Bernoulli sample (p = 0.5, n = 400: ±0.049)', () => {
    const values = Array.from({ length: 400 }, (_, i) => i % 2);
    const e = bootstrapMean(values, { resamples: 2000, confidence: 0.95, seed: 7 });
    expect(e.value).toBe(0.5);
    expect(e.hi! - e.lo!).toBeGreaterThan(0.08);
    expect(e.hi! - e.lo!).toBeLessThan(0.115);
    expect(e.lo!).toBeLessThan(0.5);
    expect(e.hi!).toBeGreaterThan(0.5);
  });

  it('rejects bad options', () => {
    expect(() => bootstrapMean([1], { ...options, confidence: 1 })).toThrow(/confidence/);
    expect(() => bootstrapMean([1], { ...options, resamples: 0 })).toThrow(/resamples/);
  });
});
