/**
 * Log-probabilities and entropy from logits, with gradients that run on every backend (tf.gather's
 * registered gradient needs UnsortedSegmentSum, which the wasm backend lacks).
 */
import * as tf from '@tensorflow/tfjs';
import { customOp } from './qwen3/layers.js';

/** logits[n, targets[n]] for logits [N, V] and int32 targets [N] -> [N]. */
export function pickLogits(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [n, v] = logits.shape;
  if (targets.shape[0] !== n) throw new Error(`pickLogits: ${n} rows of logits but ${targets.shape[0]} targets`);
  const flatIndex = tf.tidy(
    () => tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), targets.toInt()) as tf.Tensor1D,
  );
  const op = customOp<tf.Tensor1D>(([x], save) => {
    save([flatIndex]);
    return {
      value: tf.gather(x.reshape([-1]), flatIndex),
      gradFunc: (dy, [index]) => [tf.scatterND(index.expandDims(1), dy, [n * v]).reshape([n, v])],
    };
  });
  const out = op(logits);
  flatIndex.dispose();
  return out;
}

/**
 * log(sum(exp(x), -1)) for x [N, V] -> [N], with gradient dy * softmax(x). tf.logSumExp's own
 * gradient also differentiates through its max shift, a broadcast Equal that costs more than the
 * rest of the loss on wasm.
 */
export function logSumExpRows(x: tf.Tensor2D): tf.Tensor1D {
  const op = customOp<tf.Tensor1D>(([input], save) => {
    save([input]);
    return {
      value: tf.logSumExp(input, -1),
      gradFunc: (dy, [saved]) => [tf.mul(tf.softmax(saved as tf.Tensor2D), dy.expandDims(1))],
    };
  });
  return op(x);
}

/**
 * log p(targets) under softmax(logits): logits [B, T, V], int32 targets [B, T] -> [B, T].
 * Divide logits by the sampling temperature first to match what generate() reports.
 */
export function tokenLogprobs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const [b, t, v] = logits.shape;
  return tf.tidy(() => {
    const flat = logits.reshape([b * t, v]) as tf.Tensor2D;
    const picked = pickLogits(flat, targets.reshape([b * t]) as tf.Tensor1D);
    return tf.sub(picked, logSumExpRows(flat)).reshape([b, t]) as tf.Tensor2D;
  });
}

/** Entropy of softmax(logits) per position: logits [B, T, V] -> [B, T]. */
export function entropyFromLogits(logits: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor2D;
  });
}

/** One (query, response) pair in token ids. */
export interface SequencePair {
  query: readonly number[];
  response: readonly number[];
}

/**
 * A batch of (query, response) pairs laid out for one forward pass: queries left-padded to the
 * longest query q, responses right-padded to the longest response L, so that logits from column
 * q - 1 on predict the response tokens. Row-major arrays: ids/attention [b, q + L], targets/mask [b, L].
 */
export interface PackedPairs {
  b: number;
  q: number;
  respLen: number;
  ids: Int32Array;
  attention: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
}

export function packPairs(pairs: readonly SequencePair[], pad: number): PackedPairs {
  const b = pairs.length;
  const q = Math.max(...pairs.map((p) => p.query.length));
  const respLen = Math.max(...pairs.map((p) => p.response.length));
  if (respLen === 0) throw new Error('packPairs: every response is empty');
  const width = q + respLen;
  const ids = new Int32Array(b * width).fill(pad);
  const attention = new Int32Array(b * width);
  const targets = new Int32Array(b * respLen).fill(pad);
  const mask = new Float32Array(b * respLen);
  pairs.forEach((p, i) => {
    const offset = q - p.query.length;
    p.query.forEach((id, t) => {
      ids[i * width + offset + t] = id;
      attention[i * width + offset + t] = 1;
    });
    p.response.forEach((id, j) => {
      ids[i * width + q + j] = id;
      attention[i * width + q + j] = 1;
      targets[i * respLen + j] = id;
      mask[i * respLen + j] = 1;
    });
  });
  return { b, q, respLen, ids, attention, targets, mask };
}
