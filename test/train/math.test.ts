// The training math against values worked out by hand (the arithmetic is in the comments).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { computeGae, groupAdvantages, maskedMean, maskedVar, maskedWhiten } from '../../core/src/train/advantages.js';
import { AdaptiveKlController, FixedKlController, restoreKlController } from '../../core/src/train/kl-controller.js';
import { entropyFromLogits, fullKl, grpoLoss, k3Kl, klPenalty, ppoLoss } from '../../core/src/train/losses.js';
import { RunningMoments, transformScores } from '../../core/src/train/score-scaling.js';

const close = (actual: number, expected: number, digits = 5) => expect(actual).toBeCloseTo(expected, digits);
const closeAll = (actual: ArrayLike<number>, expected: number[], digits = 5) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => close(actual[i]!, e, digits));
};
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;

describe('masked statistics', () => {
  // entries under the mask: 1, 2, 5 -> mean 8/3; squared deviations 25/9, 4/9, 49/9 -> sum 26/3; /(3-1) = 13/3
  const values = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  const mask = [
    [1, 1, 0],
    [0, 1, 0],
  ];
  it('mean and unbiased variance use only masked entries', () => {
    close(maskedMean(values, mask), 8 / 3);
    close(maskedVar(values, mask), 13 / 3);
    close(maskedVar(values, mask, false), 26 / 9);
  });
  it('whitening gives mean 0 and unit unbiased variance over the mask, and keeps the mean when asked', () => {
    const w = maskedWhiten(values, mask);
    close(maskedMean(w, mask), 0);
    close(maskedVar(w, mask), 1, 4);
    // (1 - 8/3) / sqrt(13/3) = -0.80064
    close(w[0]![0]!, -0.80064, 4);
    const kept = maskedWhiten(values, mask, false);
    close(maskedMean(kept, mask), 8 / 3);
  });
  it('refuses an empty mask and a single-entry unbiased variance', () => {
    expect(() => maskedVar([[1]], [[0]])).toThrow(/empty/);
    expect(() => maskedVar([[1, 2]], [[1, 0]])).toThrow(/one masked value/);
  });
});

describe('GAE (TRL <= 0.11 compute_advantages)', () => {
  it('gamma 1, lam 0.95, reward on the last token', () => {
    // t=2: delta = 1 + 0 - 0.5 = 0.5, A = 0.5
    // t=1: delta = 0 + 0.5 - 0.5 = 0, A = 0.95 * 0.5 = 0.475
    // t=0: delta = 0, A = 0.95 * 0.475 = 0.45125;  returns = A + V
    const r = computeGae([[0.5, 0.5, 0.5]], [[0, 0, 1]], [[1, 1, 1]], { gamma: 1, lam: 0.95 });
    closeAll(r.returns[0]!, [0.95125, 0.975, 1.0]);
    // whitened: mean 0.4754167, unbiased var 5.942708e-4 -> (A - mean) / sqrt(var + 1e-8)
    closeAll(r.advantages[0]!, [-0.99133, -0.01709, 1.00842], 4);
  });
  it('gamma 0.9, lam 0.5, with a masked-out tail whose reward and value are ignored', () => {
    // masked r = [0.2, -0.1, 0], v = [1, 2, 0]
    // t=2: delta = 0, A = 0;  t=1: delta = -0.1 + 0 - 2 = -2.1, A = -2.1
    // t=0: delta = 0.2 + 0.9 * 2 - 1 = 1.0, A = 1.0 + 0.45 * -2.1 = 0.055
    const r = computeGae([[1, 2, 7]], [[0.2, -0.1, 5]], [[1, 1, 0]], { gamma: 0.9, lam: 0.5 });
    closeAll(r.values[0]!, [1, 2, 0]);
    closeAll(r.returns[0]!, [1.055, -0.1, 0]);
    // two masked advantages whiten to -/+ 1/sqrt(2)
    close(r.advantages[0]![0]!, Math.SQRT1_2, 4);
    close(r.advantages[0]![1]!, -Math.SQRT1_2, 4);
  });
  it('rows are independent: the second row does not leak into the first', () => {
    const both = computeGae(
      [
        [0.5, 0.5, 0.5],
        [9, 9, 9],
      ],
      [
        [0, 0, 1],
        [3, 3, 3],
      ],
      [
        [1, 1, 1],
        [1, 1, 1],
      ],
      { gamma: 1, lam: 0.95 },
    );
    closeAll(both.returns[0]!, [0.95125, 0.975, 1.0]);
  });
  it('whiten_rewards rescales rewards (keeping their mean) before GAE', () => {
    // rewards [0, 2] under the mask: mean 1, unbiased var 2 -> (r - 1) / sqrt(2) + 1 = [0.29289, 1.70711]
    // with V = 0, gamma = lam = 1: A_1 = 1.70711, A_0 = 0.29289 + 1.70711 = 2
    const r = computeGae([[0, 0]], [[0, 2]], [[1, 1]], { gamma: 1, lam: 1, whitenRewards: true });
    closeAll(r.returns[0]!, [2, 1.70711], 4);
  });
});

describe('KL controllers', () => {
  it('adaptive: e = clip(KL/target - 1, -0.2, 0.2); beta *= 1 + e n / horizon', () => {
    const ctl = new AdaptiveKlController(0.2, 6, 10000);
    ctl.update(9, 256); // e = clip(0.5) = 0.2 -> 0.2 * (1 + 0.2 * 256 / 10000) = 0.201024
    close(ctl.value, 0.201024, 9);
    ctl.update(3, 100); // e = clip(-0.5) = -0.2 -> * (1 - 0.002) = 0.200621952
    close(ctl.value, 0.200621952, 9);
    ctl.update(6.6, 1000); // e = 0.1 -> * 1.01 = 0.20262817152
    close(ctl.value, 0.20262817152, 9);
    ctl.update(Number.NaN, 1000); // ignored
    close(ctl.value, 0.20262817152, 9);
    const restored = restoreKlController(ctl.state(), { target: 6, horizon: 10000 });
    expect(restored.value).toBe(ctl.value);
    expect(restored.state().kind).toBe('adaptive');
  });
  it('fixed: never moves', () => {
    const ctl = new FixedKlController(0.05);
    ctl.update();
    expect(ctl.value).toBe(0.05);
    expect(ctl.state()).toEqual({ kind: 'fixed', value: 0.05 });
  });
  it('rejects a non-positive target or horizon', () => {
    expect(() => new AdaptiveKlController(0.2, 0, 10)).toThrow(/target/);
    expect(() => new AdaptiveKlController(0.2, 1, 0)).toThrow(/horizon/);
  });
});

describe('score scaling (TRL RunningMoments)', () => {
  it('combines batches into the running mean and unbiased std', () => {
    const m = new RunningMoments();
    const first = m.update([1, 3]); // mean 2, unbiased std sqrt(2)
    close(first.mean, 2);
    close(first.std, Math.SQRT2);
    close(m.mean, 2);
    close(m.std, Math.SQRT2);
    m.update([5]); // all of [1, 3, 5]: mean 3, unbiased var 4
    close(m.mean, 3);
    close(m.std, 2);
    const copy = RunningMoments.from(m.state());
    expect(copy.state()).toEqual(m.state());
  });
  it.each([
    { opts: { use_score_scaling: true, use_score_norm: true, score_clip: null }, want: [-0.707107, 0.707107] },
    { opts: { use_score_scaling: true, use_score_norm: true, score_clip: 0.5 }, want: [-0.5, 0.5] },
    { opts: { use_score_scaling: true, use_score_norm: false, score_clip: null }, want: [0.707107, 2.12132] },
    { opts: { use_score_scaling: false, use_score_norm: false, score_clip: 2 }, want: [1, 2] },
  ])('transformScores %j', ({ opts, want }) => {
    closeAll(transformScores([1, 3], new RunningMoments(), opts), want);
  });
});

describe('group advantages (GRPO)', () => {
  const rewards = [1, 0, 0, 0, 2, 2, 2, 2];
  it('group: centred by the group mean, divided by the group std + 1e-4', () => {
    // group 1: mean 0.25, unbiased std sqrt(0.75 / 3) = 0.5 -> 0.75 / 0.5001, -0.25 / 0.5001
    // group 2: all equal -> 0
    const { advantages, groupStd } = groupAdvantages(rewards, 4, 'group');
    closeAll(advantages, [1.4997, -0.4999, -0.4999, -0.4999, 0, 0, 0, 0], 4);
    closeAll(groupStd, [0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0]);
  });
  it('batch: divided by the std of all rewards', () => {
    // batch mean 1.125; sum of squared deviations 6.875; /7 -> std 0.991031
    const s = 0.991031 + 1e-4;
    closeAll(
      groupAdvantages(rewards, 4, 'batch').advantages,
      [0.75 / s, -0.25 / s, -0.25 / s, -0.25 / s, 0, 0, 0, 0],
      4,
    );
  });
  it('none: only centred', () => {
    closeAll(groupAdvantages(rewards, 4, 'none').advantages, [0.75, -0.25, -0.25, -0.25, 0, 0, 0, 0]);
  });
  it('refuses a batch that does not split into groups', () => {
    expect(() => groupAdvantages([1, 2, 3], 2, 'group')).toThrow(/groups of 2/);
  });
});

describe('per-token helpers', () => {
  it('entropy and full KL of [0.25, 0.75] vs [0.5, 0.5]', () => {
    const logits = tf.tensor3d([[[0, Math.log(3)]]]);
    const ref = tf.tensor3d([[[0, 0]]]);
    // H = -(0.25 ln 0.25 + 0.75 ln 0.75) = 0.562335
    close(scalar(entropyFromLogits(logits)), 0.562335);
    close(scalar(entropyFromLogits(ref)), Math.LN2);
    // KL = 0.25 ln(0.25/0.5) + 0.75 ln(0.75/0.5) = 0.130812
    close(scalar(fullKl(logits, ref)), 0.130812);
  });
  it.each([
    { kind: 'kl', lp: -1, ref: -1.5, want: 0.5 },
    { kind: 'abs', lp: -1, ref: -1.5, want: 0.5 },
    { kind: 'mse', lp: -1, ref: -1.5, want: 0.125 },
    { kind: 'kl', lp: -2, ref: -1, want: -1 },
    { kind: 'abs', lp: -2, ref: -1, want: 1 },
    { kind: 'mse', lp: -2, ref: -1, want: 0.5 },
  ] as const)('klPenalty $kind($lp, $ref) = $want', ({ kind, lp, ref, want }) => {
    close(klPenalty(kind, lp, ref), want);
  });
  it('k3 = exp(ref - lp) - (ref - lp) - 1', () => {
    // d = 0 -> 0;  d = ln 2 -> 2 - ln 2 - 1 = 0.306853;  d = -ln 2 -> 0.5 + ln 2 - 1 = 0.193147
    const lp = tf.tensor1d([-1, -1, -1]);
    const ref = tf.tensor1d([-1, -1 + Math.LN2, -1 - Math.LN2]);
    closeAll(k3Kl(lp, ref).dataSync(), [0, 0.306853, 0.193147]);
  });
});

describe('PPO clipped losses', () => {
  // ratios [1.5, 0.5], advantages [1, 1], cliprange 0.2:
  //   token 1: max(-1.5, -1.2) = -1.2 (clipped);  token 2: max(-0.5, -0.8) = -0.5
  //   pg_loss = -0.85, clipfrac 0.5
  // old values [0, 1], vpreds [0.5, 1.1], returns [1, 0], cliprange_value 0.2:
  //   token 1: clip(0.5, -0.2, 0.2) = 0.2; max(0.25, 0.64) = 0.64 (clipped)
  //   token 2: clip(1.1, 0.8, 1.2) = 1.1; max(1.21, 1.21) = 1.21
  //   vf_loss = 0.5 * (0.64 + 1.21) / 2 = 0.4625, vf clipfrac 0.5
  const inputs = () => ({
    oldLogprobs: tf.tensor2d([[-1, -1]]),
    logprobs: tf.tensor2d([[-1 + Math.log(1.5), -1 + Math.log(0.5)]]),
    oldValues: tf.tensor2d([[0, 1]]),
    vpreds: tf.tensor2d([[0.5, 1.1]]),
    advantages: tf.tensor2d([[1, 1]]),
    returns: tf.tensor2d([[1, 0]]),
    mask: tf.tensor2d([[1, 1]]),
    logits: tf.tensor3d([
      [
        [0, 0],
        [0, Math.log(3)],
      ],
    ]),
  });
  const opts = { cliprange: 0.2, cliprange_value: 0.2, vf_coef: 0.1, ratio_threshold: 10 };
  it('matches the hand values', () => {
    const { loss, stats } = ppoLoss(inputs(), opts);
    const s = Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, scalar(v)]));
    close(s['loss/policy']!, -0.85);
    close(s['loss/value']!, 0.4625);
    close(scalar(loss), -0.85 + 0.1 * 0.4625);
    close(s['policy/clipfrac']!, 0.5);
    close(s['val/clipfrac']!, 0.5);
    // approxkl = 0.5 * mean(ln(1.5)^2, ln(0.5)^2) = 0.161214; policykl = mean(-ln 1.5, -ln 0.5) = 0.143841
    close(s['policy/approxkl']!, 0.161214);
    close(s['policy/policykl']!, 0.143841);
    close(s['policy/entropy']!, (Math.LN2 + 0.562335) / 2);
    close(s['returns/mean']!, 0.5);
    close(s['returns/var']!, 0.5); // [1, 0]: unbiased var 0.5
    close(s['val/error']!, (0.25 + 1.21) / 2);
  });
  it('a mean ratio above ratio_threshold zeroes the loss', () => {
    const { loss, stats } = ppoLoss(inputs(), { ...opts, ratio_threshold: 0.9 }); // mean ratio 1.0
    close(scalar(loss), 0, 12);
    close(scalar(stats['loss/policy']!), 0, 12);
  });
  it('the policy gradient pushes log-probs up where the advantage is positive and the ratio is unclipped', () => {
    const base = inputs();
    const lp = tf.variable(base.logprobs);
    const grads = tf.variableGrads(() => ppoLoss({ ...base, logprobs: lp }, opts).loss, [lp]);
    const g = grads.grads[lp.name]!.dataSync();
    // token 1 is clipped: zero gradient; token 2: d/dlp of -A * ratio / 2 = -0.5 * 0.5 = -0.25
    close(g[0]!, 0);
    close(g[1]!, -0.25);
  });
});

describe('GRPO loss aggregations', () => {
  // ratios row 1 [1.5, 1.0] with A = +1, row 2 [0.5, masked] with A = -1; eps 0.2, eps_high 0.28
  //   row 1 token 1: min(1.5, 1.28) -> -1.28 (high-clipped);  token 2: -1
  //   row 2 token 1: min(-0.5, -0.8) = -0.8 -> +0.8 (low-clipped)
  //   sum of masked per-token losses = -1.48 over 3 active tokens
  const inputs = () => ({
    oldLogprobs: tf.tensor2d([
      [-1, -1],
      [-1, -1],
    ]),
    logprobs: tf.tensor2d([
      [-1 + Math.log(1.5), -1],
      [-1 + Math.log(0.5), -3],
    ]),
    advantages: tf.tensor1d([1, -1]),
    mask: tf.tensor2d([
      [1, 1],
      [1, 0],
    ]),
  });
  const base = { beta: 0, epsilon: 0.2, epsilon_high: 0.28, max_completion_length: 4 };
  it.each([
    { loss_type: 'grpo', want: (-2.28 / 2 + 0.8) / 2 }, // per-sequence means -1.14, 0.8 -> -0.17
    { loss_type: 'bnpo', want: -1.48 / 3 },
    { loss_type: 'dr_grpo', want: -1.48 / (2 * 4) },
    { loss_type: 'dapo', want: -1.48 / 6, num_items_in_batch: 6 },
  ] as const)('$loss_type', ({ loss_type, want, ...rest }) => {
    const { loss, stats } = grpoLoss(inputs(), { ...base, loss_type, ...rest });
    close(scalar(loss), want);
    close(scalar(stats['clip_ratio/low_mean']!), 1 / 3);
    close(scalar(stats['clip_ratio/high_mean']!), 1 / 3);
    close(scalar(stats['clip_ratio/region_mean']!), 2 / 3);
  });
  // ref equals lp except row 2 token 1, where ref - lp = ln 2: k3 = 0.306853
  const ref = () =>
    tf.tensor2d([
      [-1 + Math.log(1.5), -1],
      [-1 + Math.log(0.5) + Math.LN2, -3],
    ]);
  it('beta adds beta * k3 per token', () => {
    const { loss, stats } = grpoLoss({ ...inputs(), refLogprobs: ref() }, { ...base, beta: 0.1, loss_type: 'bnpo' });
    close(scalar(loss), (-1.48 + 0.0306853) / 3);
    close(scalar(stats.kl!), 0.306853 / 3);
  });
  it('beta = 0 with reference log-probs measures the KL without penalizing it', () => {
    const { loss, stats } = grpoLoss({ ...inputs(), refLogprobs: ref() }, { ...base, beta: 0, loss_type: 'bnpo' });
    close(scalar(loss), -1.48 / 3);
    close(scalar(stats.kl!), 0.306853 / 3);
    expect(grpoLoss(inputs(), { ...base, beta: 0, loss_type: 'bnpo' }).stats.kl).toBeUndefined();
  });
});
