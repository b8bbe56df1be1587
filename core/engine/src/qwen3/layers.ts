/**
 * The building blocks of a Qwen3 decoder layer, as small functions and one class per block.
 *
 * Layout conventions (B = batch, T = new tokens, S = keys incl. cached ones, H = hidden_size,
 * nh = query heads, nkv = key/value heads, g = nh / nkv, d = head_dim):
 * - activations are row-major [B*T, H] for every projection, so each projection is one 2D matmul;
 * - weights keep Hugging Face's layout, [out, in], so loading and export are name-for-name copies.
 *
 * wasm notes (measured): its matmul is fast (~20-30 GFLOP/s, XNNPACK) only for plain 2D products,
 * and XNNPACK keeps a packed copy of the right operand, cached for as long as that tensor lives.
 * Weights therefore never appear as the right operand (that would double their memory, which does
 * not fit Qwen3-0.6B into wasm's 4 GB): a projection computes (W @ x^T)^T, with the activation
 * packed transiently (measured: as fast as a cached weight from 256 rows down to 1), and the backward
 * pass transposes W for dx^T = W^T @ dy^T with the in-place kernel of wasm-kernels.ts (tfjs's own
 * Transpose cost 2.5x the matmul). Transpose flags and batch dimensions take a ~10x slower path.
 * Ops that tfjs would record with saved copies only to read shapes (Add, Concat) have copy-free
 * versions here (plus, concatRows).
 */
import * as tf from '@tensorflow/tfjs';
import { transpose2d } from '../wasm-kernels.js';

/** Additive attention bias for masked positions: exp() of it underflows to exactly 0 in fp32. */
export const MASKED = -1e9;

/** True when the backend runs transposed and batched matmuls as fast as plain ones (native TF, cpu). */
function matmulFlagsAreFast(): boolean {
  return tf.getBackend() !== 'wasm';
}

/** a @ b^T, explicit transpose on wasm. */
function matMulBT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matmulFlagsAreFast() ? tf.matMul(a, b, false, true) : tf.matMul(a, transpose2d(b));
}

/** a^T @ b, explicit transpose on wasm. */
function matMulAT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matmulFlagsAreFast() ? tf.matMul(a, b, true, false) : tf.matMul(transpose2d(a), b);
}

/** x @ w^T for x [N, in] and w [out, in], without making w a cached right operand on wasm. */
function projectForward(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (matmulFlagsAreFast()) return tf.matMul(x, w, false, true);
  return tf.tidy(() => transpose2d(tf.matMul(w, transpose2d(x))));
}

/** Weights with more elements than this (the vocabulary matrices) are transposed in row blocks. */
let TRANSPOSE_BLOCK_ELEMENTS = 1 << 22;

/** Sets the block size of large-weight transposes (tests use tiny blocks to exercise the path). */
export function setTransposeBlockElements(elements: number): void {
  TRANSPOSE_BLOCK_ELEMENTS = elements;
}

/**
 * dy @ w for dy [N, out] and w [out, in] (x's gradient), same constraint: dx^T = w^T @ dy^T, the
 * transposes read in place (transpose.ts). A large w goes block by block over its rows, each block
 * w[rows]^T @ dy[:, rows]^T (Qwen3's 151936 x 1024 embedding would need 622 MB transposed at once).
 */
function projectBackward(dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (matmulFlagsAreFast()) return tf.matMul(dy, w);
  const [out, inDim] = w.shape;
  if (out * inDim <= TRANSPOSE_BLOCK_ELEMENTS) {
    return tf.tidy(() => transpose2d(tf.matMul(transpose2d(w), transpose2d(dy))));
  }
  const rows = Math.max(1, Math.floor(TRANSPOSE_BLOCK_ELEMENTS / inDim));
  let sum: tf.Tensor2D | undefined; // dx^T, [in, N]
  for (let start = 0; start < out; start += rows) {
    const range = { rowStart: start, rowCount: Math.min(rows, out - start) };
    const part = tf.tidy(() =>
      tf.matMul(transpose2d(w, range), transpose2d(dy, { colStart: range.rowStart, colCount: range.rowCount })),
    );
    const next = sum ? tf.add(sum, part) : part;
    if (sum) {
      sum.dispose();
      part.dispose();
    }
    sum = next as tf.Tensor2D;
  }
  const dx = transpose2d(sum!);
  sum!.dispose();
  return dx;
}

/** A forward value and the gradient of each input given dy (and the tensors saved in forward). */
export interface GradOp {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
}

/**
 * tf.customGrad with typed inputs. Tensors the backward pass needs must go through `save`: the
 * forward's intermediates are disposed before backpropagation starts.
 */
export function customOp<T extends tf.Tensor>(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => GradOp,
): (...inputs: tf.Tensor[]) => T {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const op = f(args.slice(0, -1) as tf.Tensor[], save);
    // tfjs calls gradFunc outside any scope: without this tidy its temporaries (e.g. transposed
    // weights) would live until the whole backward pass ends.
    return { value: op.value as T, gradFunc: (dy: T, saved: tf.Tensor[]) => tf.tidy(() => op.gradFunc(dy, saved)) };
  }) as (...inputs: tf.Tensor[]) => T;
}

/** True while tfjs records operations for a gradient (inside tf.grads / variableGrads). */
export function recordingGradients(): boolean {
  return tf.engine().isTapeOn();
}

/** [m, k] @ [k, n] with both gradients. */
function matMulBoth(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const op = customOp<tf.Tensor2D>(([a, b], save) => {
    save([a, b]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      gradFunc: (dy, [sa, sb]) => [
        matMulBT(dy as tf.Tensor2D, sb as tf.Tensor2D),
        matMulAT(sa as tf.Tensor2D, dy as tf.Tensor2D),
      ],
    };
  });
  return op(x, w);
}

/** x @ w for two activations x [m, k] and w [k, n] (attention), with both gradients. */
export function matMul2d(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (!recordingGradients()) return tf.matMul(x, w);
  return matMulBoth(x, w);
}

/**
 * A projection: x [N, in] @ w^T for a weight w [out, in] (Hugging Face layout) -> [N, out].
 * A frozen weight (a variable with trainable = false, or `frozen`) gets no gradient and costs none.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, frozen = w instanceof tf.Variable && !w.trainable): tf.Tensor2D {
  if (!recordingGradients()) return projectForward(x, w);
  // The weight is a variable that outlives the backward pass, so the closure holds it (saving would copy it).
  if (frozen) {
    const op = customOp<tf.Tensor2D>(([input]) => ({
      value: projectForward(input as tf.Tensor2D, w),
      gradFunc: (dy) => [projectBackward(dy as tf.Tensor2D, w)],
    }));
    return op(x);
  }
  const op = customOp<tf.Tensor2D>(([input], save) => {
    save([input]);
    return {
      value: projectForward(input as tf.Tensor2D, w),
      gradFunc: (dy, [savedX]) => {
        const d = dy as tf.Tensor2D;
        // dW = dy^T @ x: [out, N] @ [N, in], the activation x as the (transiently packed) right operand.
        return [projectBackward(d, w), matMulAT(d, savedX as tf.Tensor2D)];
      },
    };
  });
  return op(x, w);
}

/**
 * Batched matmul [N, m, k] @ [N, k, n] -> [N, m, n]. On wasm the batched kernel is ~10x slower
 * than its 2D one, so large slices run as N separate 2D matmuls.
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [n, m] = a.shape;
  if (matmulFlagsAreFast() || m < 16 || n === 1) {
    if (n === 1) {
      return view<tf.Rank.R3>(matMul2d(view(a, [m, a.shape[2]]), view(b, [b.shape[1], b.shape[2]])), [
        1,
        m,
        b.shape[2],
      ]);
    }
    return tf.matMul(a, b);
  }
  // Splitting along the outermost axis copies contiguous blocks (tf.unstack is ~20x slower on wasm).
  const [, k] = [a.shape[1], a.shape[2]];
  const as = tf.split(a, n, 0).map((t) => view<tf.Rank.R2>(t, [m, k]));
  const bs = tf.split(b, n, 0).map((t) => view<tf.Rank.R2>(t, [b.shape[1], b.shape[2]]));
  return view<tf.Rank.R3>(concatRows(as.map((ai, i) => matMul2d(ai, bs[i]!))), [n, m, b.shape[2]]);
}

/**
 * Embedding lookup: rows of table [V, H] for ids [N] -> [N, H]. The gradient is a scatter-add
 * (wasm lacks UnsortedSegmentSum, which tf.gather's registered gradient needs).
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const frozen = table instanceof tf.Variable && !table.trainable;
  if (!recordingGradients()) return tf.gather(table, ids);
  if (frozen) {
    // A custom op hides the table from the tape: tf.gather would save a copy of it for a gradient
    // nobody asks for (622 MB for Qwen3's vocabulary).
    const op = customOp<tf.Tensor2D>(([index]) => ({
      value: tf.gather(table, index as tf.Tensor1D),
      gradFunc: () => [tf.zerosLike(ids)],
    }));
    return op(ids);
  }
  const op = customOp<tf.Tensor2D>(([t], save) => {
    save([ids]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy, saved) => [tf.scatterND(saved[0].expandDims(1), dy, t.shape)],
    };
  });
  return op(table);
}

/**
 * x reshaped, without tfjs saving a copy of x for the gradient (its Reshape gradient keeps the
 * input only to read its shape, and on wasm a saved tensor is a full copy).
 */
export function view<R extends tf.Rank>(x: tf.Tensor, shape: number[]): tf.Tensor<R> {
  if (!recordingGradients()) return x.reshape(shape);
  const from = x.shape;
  const op = customOp<tf.Tensor<R>>(([input]) => ({
    value: input.reshape(shape),
    gradFunc: (dy) => [dy.reshape(from)],
  }));
  return op(x);
}

/**
 * RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * weight, as one op whose backward keeps x
 * and the per-row scale only (the composed version saves five tensors of x's size).
 *   dx = r * (g - x * r^2 * mean(g * x)),  g = dy * weight,  r = rsqrt(mean(x^2) + eps)
 *   dweight = sum over rows of dy * x * r
 */
export class RMSNorm {
  constructor(
    readonly weight: tf.Tensor1D,
    readonly eps: number,
  ) {}

  forward(x: tf.Tensor): tf.Tensor {
    const { weight, eps } = this;
    const scaleOf = (input: tf.Tensor) => tf.rsqrt(tf.add(tf.mean(tf.square(input), -1, true), eps));
    if (!recordingGradients()) return tf.mul(tf.mul(x, scaleOf(x)), weight);
    const frozen = weight instanceof tf.Variable && !weight.trainable;
    const op = customOp<tf.Tensor>(([input], save) => {
      const r = scaleOf(input);
      save([input, r]);
      return {
        value: tf.mul(tf.mul(input, r), weight),
        gradFunc: (dy, [sx, sr]) => {
          const g = tf.mul(dy, weight);
          const inner = tf.mean(tf.mul(g, sx!), -1, true);
          const dx = tf.mul(sr!, tf.sub(g, tf.mul(sx!, tf.mul(tf.square(sr!), inner))));
          if (frozen) return [dx];
          const d = weight.shape[0];
          const dw = tf.sum(tf.mul(dy, tf.mul(sx!, sr!)).reshape([-1, d]), 0);
          return [dx, dw];
        },
      };
    });
    return frozen ? op(x) : op(x, weight);
  }
}

/** SwiGLU's gate: silu(gate) * up, one op saving only its two inputs. */
export function swiglu(gate: tf.Tensor2D, up: tf.Tensor2D): tf.Tensor2D {
  if (!recordingGradients()) return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
  const op = customOp<tf.Tensor2D>(([g, u], save) => {
    save([g, u]);
    return {
      value: tf.mul(tf.mul(g, tf.sigmoid(g)), u),
      gradFunc: (dy, [sg, su]) => {
        const sig = tf.sigmoid(sg!);
        const silu = tf.mul(sg!, sig);
        // d silu / dg = sig * (1 + g * (1 - sig))
        const dsilu = tf.mul(sig, tf.add(1, tf.mul(sg!, tf.sub(1, sig))));
        return [tf.mul(tf.mul(dy, su!), dsilu), tf.mul(dy, silu)];
      },
    };
  });
  return op(gate, up);
}

/** x * c for a constant number c, saving nothing. */
export function scale<T extends tf.Tensor>(x: T, c: number): T {
  if (!recordingGradients()) return tf.mul(x, c);
  const op = customOp<T>(([input]) => ({ value: tf.mul(input, c), gradFunc: (dy) => [tf.mul(dy, c)] }));
  return op(x);
}

/** scores + bias for a constant bias (the attention mask): no gradient to the bias, nothing saved. */
export function addConstant(scores: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  if (!recordingGradients()) return tf.add(scores, bias);
  const op = customOp<tf.Tensor>(([input]) => ({ value: tf.add(input, bias), gradFunc: (dy) => [dy] }));
  return op(scores);
}

/**
 * a + b for two tensors of one shape, saving nothing: tfjs's Add keeps both inputs for its gradient
 * only to read their shapes, and on wasm a saved tensor is a full copy (7 LoRA sums and 2 residuals
 * per layer were ~40% of a training step's activation memory).
 */
export function plus<T extends tf.Tensor>(a: T, b: T): T {
  if (!recordingGradients()) return tf.add(a, b);
  if (a.shape.join(',') !== b.shape.join(',')) {
    throw new Error(`plus: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  }
  // Two tensor objects (reshape shares the data): each input's gradient must be its own tensor.
  const op = customOp<T>(([x, y]) => ({ value: tf.add(x!, y!), gradFunc: (dy) => [dy, dy.reshape(dy.shape)] }));
  return op(a, b);
}

/** tf.concat along axis 0 that saves nothing (tfjs's Concat keeps copies of all inputs for their sizes). */
export function concatRows<T extends tf.Tensor>(parts: T[]): T {
  if (!recordingGradients()) return tf.concat(parts, 0);
  const sizes = parts.map((p) => p.shape[0]!);
  const op = customOp<T>((inputs) => ({ value: tf.concat(inputs, 0), gradFunc: (dy) => tf.split(dy, sizes, 0) }));
  return op(...parts);
}

/** cos and sin of position * inv_freq, each [B, T, 1, d/2]. */
export interface RotaryTables {
  cos: tf.Tensor;
  sin: tf.Tensor;
}

/**
 * Rotary position embedding tables for the given positions: cos and sin of position * inv_freq,
 * each [B, T, 1, d/2] (broadcast over heads). inv_freq_i = theta^(-2i/d), as in transformers.
 */
export function rotaryTables(positions: tf.Tensor2D, headDim: number, theta: number): RotaryTables {
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.pow(theta, (2 * i) / headDim);
  const angles = tf.mul(positions.toFloat().expandDims(2), tf.tensor1d(invFreq)); // [B, T, d/2]
  return { cos: tf.cos(angles).expandDims(2), sin: tf.sin(angles).expandDims(2) };
}

/**
 * Rotates x [B, T, heads, d] by the tables: the "rotate_half" convention of transformers, where
 * dimension i pairs with i + d/2.
 */
export function applyRotary(x: tf.Tensor4D, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor4D {
  const half = x.shape[3] / 2;
  // Rotating by +angle; its gradient is the rotation by -angle (sin negated).
  const rotate = (input: tf.Tensor, c: tf.Tensor, s: tf.Tensor) => {
    const [x1, x2] = tf.split(input, [half, half], 3);
    return tf.concat([tf.sub(tf.mul(x1!, c), tf.mul(x2!, s)), tf.add(tf.mul(x2!, c), tf.mul(x1!, s))], 3);
  };
  if (!recordingGradients()) return rotate(x, cos, sin) as tf.Tensor4D;
  const op = customOp<tf.Tensor4D>(([input], save) => {
    save([cos, sin]);
    return { value: rotate(input, cos, sin), gradFunc: (dy, [c, s]) => [rotate(dy, c!, tf.neg(s!))] };
  });
  return op(x);
}

/** A projection x @ W (+ LoRA delta) by its Hugging Face module name, provided by the model. */
export type Projection = (x: tf.Tensor2D, module: string) => tf.Tensor2D;

/** Keys and values of one layer for the tokens seen so far, laid out for the score/value matmuls. */
export interface LayerCache {
  /** Keys transposed, [B * nkv, d, S]. */
  keysT?: tf.Tensor3D;
  /** Values, [B * nkv, S, d]. */
  values?: tf.Tensor3D;
}

export interface AttentionShapes {
  numHeads: number;
  numKvHeads: number;
  headDim: number;
}

/**
 * Grouped-query self-attention with per-head RMSNorm on queries and keys (Qwen3's q_norm/k_norm,
 * applied before the rotation).
 */
export class Attention {
  constructor(
    readonly prefix: string,
    readonly shapes: AttentionShapes,
    readonly qNorm: RMSNorm,
    readonly kNorm: RMSNorm,
    readonly project: Projection,
  ) {}

  /**
   * x [B*T, H] -> [B*T, H]. `bias` [B, 1, 1, T, S] is 0 where a query may attend and MASKED
   * elsewhere. `cache` is read and replaced with the keys/values including these T tokens.
   */
  forward(x: tf.Tensor2D, batch: number, rotary: RotaryTables, bias: tf.Tensor, cache?: LayerCache): tf.Tensor2D {
    const { numHeads: nh, numKvHeads: nkv, headDim: d } = this.shapes;
    const g = nh / nkv;
    const t = x.shape[0] / batch;
    const q = this.qNorm.forward(view(this.project(x, `${this.prefix}.q_proj`), [batch, t, nh, d])) as tf.Tensor4D;
    const k = this.kNorm.forward(view(this.project(x, `${this.prefix}.k_proj`), [batch, t, nkv, d])) as tf.Tensor4D;
    const v = view(this.project(x, `${this.prefix}.v_proj`), [batch, t, nkv, d]);
    const qr = applyRotary(q, rotary.cos, rotary.sin);
    const kr = applyRotary(k, rotary.cos, rotary.sin);

    // Queries of one kv group side by side: [B, T, nkv, g, d] -> [B*nkv, g*T, d].
    const qGrouped = view<tf.Rank.R3>(view(qr, [batch, t, nkv, g, d]).transpose([0, 2, 3, 1, 4]), [
      batch * nkv,
      g * t,
      d,
    ]);
    let keysT = view<tf.Rank.R3>(kr.transpose([0, 2, 3, 1]), [batch * nkv, d, t]); // [B*nkv, d, T]
    let values = view<tf.Rank.R3>(v.transpose([0, 2, 1, 3]), [batch * nkv, t, d]); // [B*nkv, T, d]
    if (cache) {
      if (cache.keysT) keysT = tf.concat([cache.keysT, keysT], 2);
      if (cache.values) values = tf.concat([cache.values, values], 1);
      cache.keysT = keysT;
      cache.values = values;
    }
    const s = keysT.shape[2];

    const scores = scale(batchMatMul(qGrouped, keysT), 1 / Math.sqrt(d)); // [B*nkv, g*T, S]
    const masked = addConstant(view(scores, [batch, nkv, g, t, s]), bias);
    const probs = view<tf.Rank.R3>(tf.softmax(masked), [batch * nkv, g * t, s]);
    const context = batchMatMul(probs, values); // [B*nkv, g*T, d]
    // Back to token-major: [B, nkv, g, T, d] -> [B, T, nkv, g, d] -> [B*T, nh*d].
    const merged = view<tf.Rank.R2>(view(context, [batch, nkv, g, t, d]).transpose([0, 3, 1, 2, 4]), [
      batch * t,
      nh * d,
    ]);
    return this.project(merged, `${this.prefix}.o_proj`);
  }
}

/** SwiGLU feed-forward: down(silu(gate(x)) * up(x)). */
export class MLP {
  constructor(
    readonly prefix: string,
    readonly project: Projection,
  ) {}

  forward(x: tf.Tensor2D): tf.Tensor2D {
    const gate = this.project(x, `${this.prefix}.gate_proj`);
    const up = this.project(x, `${this.prefix}.up_proj`);
    const hidden = swiglu(gate, up);
    return this.project(hidden, `${this.prefix}.down_proj`);
  }
}

/** One pre-norm decoder layer: x + attn(norm(x)), then x + mlp(norm(x)). */
export class DecoderLayer {
  constructor(
    readonly inputNorm: RMSNorm,
    readonly attention: Attention,
    readonly postAttentionNorm: RMSNorm,
    readonly mlp: MLP,
  ) {}

  forward(x: tf.Tensor2D, batch: number, rotary: RotaryTables, bias: tf.Tensor, cache?: LayerCache): tf.Tensor2D {
    const h = plus(x, this.attention.forward(this.inputNorm.forward(x) as tf.Tensor2D, batch, rotary, bias, cache));
    return plus(h, this.mlp.forward(this.postAttentionNorm.forward(h) as tf.Tensor2D));
  }
}
