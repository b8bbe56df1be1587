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
