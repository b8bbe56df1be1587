/**
 * Differentiable losses on tfjs tensors: PPO's clipped policy and value losses (TRL ≤ 0.11
 * `PPOTrainer.loss`), GRPO's clipped surrogate with the k3 KL and its four aggregations, and the
 * KL penalties of PPO's per-token reward. Shapes are
 * given as [B, T] (batch, response tokens) and [B, T, V] (V = vocabulary); every mask is 0/1
 * float32 of shape [B, T].
 */
import * as tf from '@tensorflow/tfjs';
import { entropyFromLogits } from '../engine/logprobs.js';

// Token log-probs and entropy come from the engine (core/src/engine/logprobs.ts): its gather has a
// gradient that runs on the wasm backend too.
export { entropyFromLogits, tokenLogprobs } from '../engine/logprobs.js';

/** x in the forward pass, no gradient in the backward pass (torch's `detach`). */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as never) as unknown as <T extends tf.Tensor>(x: T) => T;

/** mean of x over the mask: sum(x * mask) / sum(mask). */
export function maskedMeanT(x: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(x, mask)), tf.sum(mask)) as tf.Scalar);
}

/** Unbiased masked variance (TRL's `masked_var`). */
export function maskedVarT(x: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const mean = maskedMeanT(x, mask);
    const count = tf.sum(mask);
    const variance = maskedMeanT(tf.square(tf.sub(x, mean)), mask);
    return tf.mul(variance, tf.div(count, tf.sub(count, 1))) as tf.Scalar;
  });
}

/** TRL's `kl_penalty` options for the per-token PPO penalty. */
export type KlPenaltyKind = 'kl' | 'abs' | 'mse' | 'full';

/**
 * The per-token KL estimate from sampled-token log-probs (kinds kl, abs, mse):
 * kl = lp - ref; abs = |lp - ref|; mse = 0.5 (lp - ref)^2. `full` needs whole distributions:
 * use `fullKl`.
 */
export function klPenalty(kind: Exclude<KlPenaltyKind, 'full'>, logprob: number, refLogprob: number): number {
  const d = logprob - refLogprob;
  switch (kind) {
    case 'kl':
      return d;
    case 'abs':
      return Math.abs(d);
    case 'mse':
      return 0.5 * d * d;
  }
}

/** KL(pi || ref) over the whole vocabulary at each position: sum_v p(v) (log p(v) - log ref(v)). */
export function fullKl(logits: tf.Tensor3D, refLogits: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const lp = tf.logSoftmax(logits, -1);
    const ref = tf.logSoftmax(refLogits, -1);
    return tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, ref)), -1) as tf.Tensor2D;
  });
}

/** The k3 estimator of KL(pi || ref) per token (Schulman): exp(ref - lp) - (ref - lp) - 1, always >= 0. */
export function k3Kl(logprobs: tf.Tensor, refLogprobs: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const d = tf.sub(refLogprobs, logprobs);
    return tf.sub(tf.sub(tf.exp(d), d), 1);
  });
}

export interface PpoLossInputs {
  /** Log-probs at rollout time [B, T] (no gradient). */
  oldLogprobs: tf.Tensor2D;
  /** Values at rollout time [B, T] (no gradient). */
  oldValues: tf.Tensor2D;
  /** Log-probs under the current policy [B, T] (differentiable). */
  logprobs: tf.Tensor2D;
  /** Value head predictions under the current parameters [B, T] (differentiable). */
  vpreds: tf.Tensor2D;
  /** Whitened advantages [B, T]. */
  advantages: tf.Tensor2D;
  /** GAE returns [B, T]. */
  returns: tf.Tensor2D;
  mask: tf.Tensor2D;
  /** Current logits [B, T, V], for the entropy statistic; omitted = no entropy stat. */
  logits?: tf.Tensor3D;
}

export interface PpoLossOptions {
  cliprange: number;
  cliprange_value: number;
  vf_coef: number;
  /** Mini-batches whose mean ratio exceeds this contribute zero loss (TRL's `ratio_threshold`). */
  ratio_threshold: number;
}

export interface PpoLossResult {
  /** pg_loss + vf_coef * vf_loss (zero when the ratio threshold tripped). */
  loss: tf.Scalar;
  /** Scalar statistics under TRL's names without the `ppo/` prefix (loss/policy, policy/clipfrac, ...). */
  stats: Record<string, tf.Scalar>;
}

/**
 * PPO's clipped objectives:
 *   ratio = exp(lp - old_lp)
 *   pg_loss = masked_mean(max(-A * ratio, -A * clip(ratio, 1 - eps, 1 + eps)))
 *   vf_loss = 0.5 * masked_mean(max((v - R)^2, (clip(v, old_v - eps_v, old_v + eps_v) - R)^2))
 * plus clip fractions, approxkl = 0.5 * masked_mean((lp - old_lp)^2) and
 * policykl = masked_mean(old_lp - lp). Call inside a gradient tape; the returned tensors are
 * not tidied away.
 */
export function ppoLoss(inp: PpoLossInputs, opts: PpoLossOptions): PpoLossResult {
  const { mask } = inp;
  // clipByValue takes scalar bounds only; these bounds are per element (old value +/- cliprange_value).
  const lower = tf.sub(inp.oldValues, opts.cliprange_value);
  const upper = tf.add(inp.oldValues, opts.cliprange_value);
  const vClipped = tf.minimum(tf.maximum(inp.vpreds, lower), upper);
  const vfLosses1 = tf.square(tf.sub(inp.vpreds, inp.returns));
  const vfLosses2 = tf.square(tf.sub(vClipped, inp.returns));
  const vfLoss = tf.mul(0.5, maskedMeanT(tf.maximum(vfLosses1, vfLosses2), mask)) as tf.Scalar;
  const vfClipfrac = maskedMeanT(tf.cast(tf.greater(vfLosses2, vfLosses1), 'float32'), mask);

  const logRatio = tf.sub(inp.logprobs, inp.oldLogprobs);
  const ratio = tf.exp(logRatio);
  const pgLosses = tf.mul(tf.neg(inp.advantages), ratio);
  const pgLosses2 = tf.mul(tf.neg(inp.advantages), tf.clipByValue(ratio, 1 - opts.cliprange, 1 + opts.cliprange));
  const pgLoss = maskedMeanT(tf.maximum(pgLosses, pgLosses2), mask);
  const pgClipfrac = maskedMeanT(tf.cast(tf.greater(pgLosses2, pgLosses), 'float32'), mask);

  // A tripped ratio threshold zeroes the losses (TRL skips the batch the same way).
  const avgRatio = maskedMeanT(ratio, mask);
  // Read synchronously: a comparison inside the tape would have no gradient function.
  const keep = avgRatio.dataSync()[0]! <= opts.ratio_threshold ? 1 : 0;
  const pgLossKept = tf.mul(pgLoss, keep) as tf.Scalar;
  const vfLossKept = tf.mul(vfLoss, keep) as tf.Scalar;
  const loss = tf.add(pgLossKept, tf.mul(opts.vf_coef, vfLossKept)) as tf.Scalar;

  const stats: Record<string, tf.Scalar> = {
    'loss/policy': pgLossKept,
    'loss/value': vfLossKept,
    'loss/total': loss,
    'policy/approxkl': tf.mul(0.5, maskedMeanT(tf.square(logRatio), mask)) as tf.Scalar,
    'policy/policykl': maskedMeanT(tf.neg(logRatio), mask),
    'policy/clipfrac': pgClipfrac,
    'policy/advantages_mean': maskedMeanT(inp.advantages, mask),
    'policy/ratio_mean': avgRatio,
    'returns/mean': maskedMeanT(inp.returns, mask),
    'returns/var': maskedVarT(inp.returns, mask),
    'val/vpred': maskedMeanT(inp.vpreds, mask),
    'val/error': maskedMeanT(vfLosses1, mask),
    'val/clipfrac': vfClipfrac,
    'val/mean': maskedMeanT(inp.oldValues, mask),
    'val/var': maskedVarT(inp.oldValues, mask),
  };
  if (inp.logits) stats['policy/entropy'] = maskedMeanT(entropyFromLogits(inp.logits), mask);
  return { loss, stats };
}

/** TRL's GRPO loss aggregations. */
export type GrpoLossType = 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';

export interface GrpoLossInputs {
  /** Current log-probs [B, T] (differentiable). */
  logprobs: tf.Tensor2D;
  /** Log-probs of the policy that generated the batch [B, T]; with one iteration it equals `logprobs` detached. */
  oldLogprobs: tf.Tensor2D;
  /** Reference (adapters off) log-probs [B, T]; needed when beta != 0. */
  refLogprobs?: tf.Tensor2D;
  /** One advantage per sequence [B]. */
  advantages: tf.Tensor1D;
  mask: tf.Tensor2D;
}

export interface GrpoLossOptions {
  loss_type: GrpoLossType;
  beta: number;
  epsilon: number;
  epsilon_high: number;
  /** dr_grpo's constant: the configured max completion length. */
  max_completion_length: number;
  /**
   * dapo's normalizer: active tokens in the whole accumulated batch (all micro-batches of one
   * optimizer step). Defaults to this micro-batch's count.
   */
  num_items_in_batch?: number;
}

export interface GrpoLossResult {
  loss: tf.Scalar;
  stats: Record<string, tf.Scalar>;
}

/**
 * GRPO's per-token objective -min(r A, clip(r, 1 - eps_low, 1 + eps_high) A) + beta * k3,
 * aggregated as
 *   grpo:    mean over sequences of (sum over the sequence's tokens / its length)
 *   bnpo:    sum over all tokens / number of active tokens in this micro-batch
 *   dr_grpo: sum over all tokens / (B * max_completion_length)
 *   dapo:    sum over all tokens / active tokens of the whole accumulated batch.
 */
export function grpoLoss(inp: GrpoLossInputs, opts: GrpoLossOptions): GrpoLossResult {
  const { mask } = inp;
  const adv = tf.expandDims(inp.advantages, 1);
  const logRatio = tf.sub(inp.logprobs, inp.oldLogprobs);
  const coef1 = tf.exp(logRatio);
  const coef2 = tf.clipByValue(coef1, 1 - opts.epsilon, 1 + opts.epsilon_high);
  let perToken = tf.neg(tf.minimum(tf.mul(coef1, adv), tf.mul(coef2, adv)));
  if (opts.beta !== 0 && !inp.refLogprobs) throw new Error('grpoLoss: beta != 0 needs refLogprobs');
  // With beta = 0 the KL is still measured (stats.kl) when reference log-probs are given, not penalized.
  const kl = inp.refLogprobs ? k3Kl(inp.logprobs, inp.refLogprobs) : undefined;
  if (kl && opts.beta !== 0) perToken = tf.add(perToken, tf.mul(opts.beta, kl));
  const masked = tf.mul(perToken, mask);
  const b = inp.logprobs.shape[0];
  let loss: tf.Scalar;
  switch (opts.loss_type) {
    case 'grpo':
      loss = tf.mean(tf.div(tf.sum(masked, -1), tf.maximum(tf.sum(mask, -1), 1))) as tf.Scalar;
      break;
    case 'bnpo':
      loss = tf.div(tf.sum(masked), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
      break;
    case 'dr_grpo':
      loss = tf.div(tf.sum(masked), b * opts.max_completion_length) as tf.Scalar;
      break;
    case 'dapo':
      loss = tf.div(
        tf.sum(masked),
        opts.num_items_in_batch !== undefined ? Math.max(opts.num_items_in_batch, 1) : tf.maximum(tf.sum(mask), 1),
      ) as tf.Scalar;
      break;
  }
  const advB = tf.mul(adv, tf.onesLike(coef1));
  const low = tf.logicalAnd(tf.less(coef1, 1 - opts.epsilon), tf.less(advB, 0));
  const high = tf.logicalAnd(tf.greater(coef1, 1 + opts.epsilon_high), tf.greater(advB, 0));
  const stats: Record<string, tf.Scalar> = {
    'clip_ratio/low_mean': maskedMeanT(tf.cast(low, 'float32'), mask),
    'clip_ratio/high_mean': maskedMeanT(tf.cast(high, 'float32'), mask),
    'clip_ratio/region_mean': maskedMeanT(tf.cast(tf.logicalOr(low, high), 'float32'), mask),
  };
  if (kl) stats.kl = maskedMeanT(kl, mask);
  return { loss, stats };
}
