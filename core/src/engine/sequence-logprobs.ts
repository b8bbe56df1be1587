/**
 * Log-probability of whole responses under a model (no gradients): the sum over each response's
 * tokens of log softmax(logits / temperature). Used for the evaluation's KL between two models on
 * the same answers; trainers get per-token values from train/policy.ts instead.
 */
import * as tf from '@tensorflow/tfjs';
import { packPairs, tokenLogprobs, type SequencePair } from './logprobs.js';
import type { Qwen3Model } from './qwen3/model.js';

export interface SequenceLogprobOptions {
  /** Padding id (the tokenizer's). */
  pad: number;
  /** Logits are divided by it, as generate() does for the logprobs it reports. Default 1. */
  temperature?: number;
  /** Pairs per forward pass. Default 16. */
  batchSize?: number;
  /** Apply attached LoRA adapters. Default true. */
  adapters?: boolean;
}

/** Sum of log p(response token) per pair; an empty response sums to 0. */
export function sequenceLogprobs(
  model: Qwen3Model,
  pairs: readonly SequencePair[],
  options: SequenceLogprobOptions,
): number[] {
  const { pad, temperature = 1, batchSize = 16, adapters = true } = options;
  if (!(temperature > 0)) throw new Error(`sequenceLogprobs: temperature must be > 0, got ${temperature}`);
  const sums = new Array<number>(pairs.length).fill(0);
  for (let start = 0; start < pairs.length; start += batchSize) {
    const indices = [...Array(Math.min(batchSize, pairs.length - start)).keys()]
      .map((i) => start + i)
      .filter((i) => pairs[i]!.response.length > 0);
    if (indices.length === 0) continue;
    const packed = packPairs(
      indices.map((i) => pairs[i]!),
      pad,
    );
    const { b, q, respLen } = packed;
    const perRow = tf.tidy(() => {
      const out = model.forward(tf.tensor2d(packed.ids, [b, q + respLen], 'int32'), {
        attentionMask: tf.tensor2d(packed.attention, [b, q + respLen], 'int32'),
        logitsFrom: q - 1,
        adapters,
      });
      const logits = tf.slice(out.logits, [0, 0, 0], [b, respLen, model.config.vocab_size]) as tf.Tensor3D;
      const scaled = temperature === 1 ? logits : (tf.div(logits, temperature) as tf.Tensor3D);
      const lp = tokenLogprobs(scaled, tf.tensor2d(packed.targets, [b, respLen], 'int32'));
      return tf.sum(tf.mul(lp, tf.tensor2d(packed.mask, [b, respLen])), 1);
    });
    const values = perRow.dataSync();
    perRow.dispose();
    indices.forEach((i, row) => (sums[i] = values[row]!));
  }
  return sums;
}
