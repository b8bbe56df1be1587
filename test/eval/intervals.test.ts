// Wilson score intervals for shares of answers, checked against values computed by hand
// (p̃ = (x + z²/2)/(n + z²), half-width z/(n + z²)·sqrt(x(n − x)/n + z²/4), z = 1.959964).
import { describe, expect, it } from 'vitest';
import { normalQuantile, wilsonInterval } from '../../core/src/eval/intervals.js';
import { estimateMetrics } from '../../core/src/eval/metrics.js';
import type { ScoredSample } from '../../core/src/eval/types.js';

const ones = (x: number, n: number) => Array.from({ length: n }, (_, i) => (i < x ? 1 : 0));

describe('Wilson score interval', () => {
  it('normal quantile', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 6);
  });

  it.each([
    { x: 0, n: 3, lo: 0, hi: 0.561497 },
    { x: 3, n: 3, lo: 0.438503, hi: 1 },
    { x: 5, n: 10, lo: 0.236593, hi: 0.763407 },
    { x: 1, n: 20, lo: 0.008883, hi: 0.23613 },
    { x: 0, n: 1, lo: 0, hi: 0.79345 },
  ])('$x of $n at 95%: [$lo, $hi]', ({ x, n, lo, hi }) => {
    const e = wilsonInterval(ones(x, n), 0.95);
    expect(e.value).toBeCloseTo(x / n, 12);
    expect(e.lo).toBeCloseTo(lo, 5);
    expect(e.hi).toBeCloseTo(hi, 5);
    expect(e.n).toBe(n);
  });

  it('is empty without values', () => {
    expect(wilsonInterval([], 0.95)).toEqual({ value: null, lo: null, hi: null, n: 0 });
  });

  it('is what eval uses for its shares, so that 0 of 3 is not [0%, 0%]', () => {
    const sample = (think: boolean) =>
      ({
        flags: { has_think: think, needs_urgent_care: false, refers_to_urgent_care: false, risky_prescription: false },
        reward: { total: 0.5, components: {} },
      }) as unknown as ScoredSample;
    const est = estimateMetrics(
      [sample(false), sample(false), sample(false)],
      [
        {
          name: 'think_coverage',
          label: '',
          better: 'higher',
          description: '',
          proportion: true,
          valueOf: (s) => (s.flags.has_think ? 1 : 0),
        },
        { name: 'reward_mean', label: '', better: 'higher', description: '', valueOf: (s) => s.reward!.total },
      ],
      { resamples: 100, confidence: 0.95, seed: 1 },
    );
    expect(est.think_coverage).toMatchObject({ value: 0, lo: 0, n: 3 });
    expect(est.think_coverage!.hi).toBeCloseTo(0.561497, 5);
    expect(est.reward_mean).toEqual({ value: 0.5, lo: 0.5, hi: 0.5, n: 3 });
  });
});
