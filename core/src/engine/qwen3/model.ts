/**
 * The Qwen3 causal language model: embeddings, N decoder layers, a final RMSNorm and lm_head.
 *
 * Parameters live in `params`, keyed by their Hugging Face names (model.layers.3.mlp.up_proj.weight)
 * and in Hugging Face's layout ([out, in] for projections), as tf.Variables, so a checkpoint is a
 * name-for-name dump (`exportTensors`) and loading a name-for-name copy.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorData } from '@medrl/sdk';
import { assertQwen3Config, qwen3ConfigToHf, type ModelTokenIds, type Qwen3Config } from './config.js';
import {
  Attention,
  DecoderLayer,
  MASKED,
  MLP,
  RMSNorm,
  embeddingLookup,
  customOp,
  linear,
  plus,
  recordingGradients,
  rotaryTables,
  type RotaryTables,
  type LayerCache,
} from './layers.js';
import { transpose2d } from '../wasm-kernels.js';

/** How a parameter is stored and initialized. */
export interface ParamSpec {
  name: string;
  /** Shape as Hugging Face stores it. */
  hfShape: number[];
  init: 'normal' | 'ones';
}

/** Every parameter of a Qwen3 model of this config, in checkpoint order. */
export function qwen3ParamSpecs(config: Qwen3Config): ParamSpec[] {
  const {
    hidden_size: h,
    intermediate_size: i,
    num_attention_heads: nh,
    num_key_value_heads: nkv,
    head_dim: d,
  } = config;
  const specs: ParamSpec[] = [{ name: 'model.embed_tokens.weight', hfShape: [config.vocab_size, h], init: 'normal' }];
  const proj = (name: string, out: number, inp: number): ParamSpec => ({
    name,
    hfShape: [out, inp],
    init: 'normal',
  });
  const norm = (name: string, size: number): ParamSpec => ({ name, hfShape: [size], init: 'ones' });
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    specs.push(
      norm(`${p}.input_layernorm.weight`, h),
      proj(`${p}.self_attn.q_proj.weight`, nh * d, h),
      proj(`${p}.self_attn.k_proj.weight`, nkv * d, h),
      proj(`${p}.self_attn.v_proj.weight`, nkv * d, h),
      proj(`${p}.self_attn.o_proj.weight`, h, nh * d),
      norm(`${p}.self_attn.q_norm.weight`, d),
      norm(`${p}.self_attn.k_norm.weight`, d),
      norm(`${p}.post_attention_layernorm.weight`, h),
      proj(`${p}.mlp.gate_proj.weight`, i, h),
      proj(`${p}.mlp.up_proj.weight`, i, h),
      proj(`${p}.mlp.down_proj.weight`, h, i),
    );
  }
  specs.push(norm('model.norm.weight', h));
  if (!config.tie_word_embeddings) specs.push(proj('lm_head.weight', config.vocab_size, h));
  return specs;
}

/**
 * Something that adds a delta to projections by module name (LoRA, see lora.ts); `null` when it
 * has nothing for that module.
 */
export interface ProjectionAdapter {
  apply(x: tf.Tensor2D, module: string, training: boolean): tf.Tensor2D | null;
  /** The trainable tensors `apply` reads for this module (LoRA's A and B); recomputation needs them. */
  trainableTensors(module: string): tf.Variable[];
  /** State of the randomness `apply` draws (dropout), so a recomputation draws the same masks. */
  rngState(): number[];
  restoreRngState(state: readonly number[]): void;
}

/** The projections of decoder layer `layer`, by Hugging Face module name. */
function layerModules(layer: number): string[] {
  const p = `model.layers.${layer}`;
  return [
    ...['q_proj', 'k_proj', 'v_proj', 'o_proj'].map((m) => `${p}.self_attn.${m}`),
    ...['gate_proj', 'up_proj', 'down_proj'].map((m) => `${p}.mlp.${m}`),
  ];
}

/** Keys and values of every layer plus the attention mask of the tokens seen so far. */
export class KVCache {
  readonly layers: LayerCache[];
  /** [B, S] 1 = real token, 0 = padding; undefined before the first forward. */
  mask?: tf.Tensor2D;

  constructor(numLayers: number) {
    this.layers = Array.from({ length: numLayers }, () => ({}));
  }

  /** Tokens cached so far (S). */
  get length(): number {
    return this.mask?.shape[1] ?? 0;
  }

  /** All tensors the cache holds. */
  tensors(): tf.Tensor[] {
    const out: tf.Tensor[] = [];
    for (const layer of this.layers) {
      if (layer.keysT) out.push(layer.keysT);
      if (layer.values) out.push(layer.values);
    }
    if (this.mask) out.push(this.mask);
    return out;
  }

  dispose(): void {
    for (const t of this.tensors()) t.dispose();
    for (const layer of this.layers) {
      layer.keysT = undefined;
      layer.values = undefined;
    }
    this.mask = undefined;
  }
}

export interface ForwardOptions {
  /**
   * [B, T] 1 for tokens and 0 for padding (left padding for batched prompts). With a cache, it covers
   * only the new tokens; the cache remembers earlier ones. Default: all ones.
   */
  attentionMask?: tf.Tensor2D;
  /** [B, T] positions for rotary embeddings. Default: count of real tokens before each one. */
  positionIds?: tf.Tensor2D;
  /** Read and extended in place with these tokens' keys and values. */
  cache?: KVCache;
  /** Also return the final (normed) hidden state [B, T, H], e.g. for a value head. */
  returnHidden?: boolean;
  /** Compute logits only for positions >= logitsFrom (saves the lm_head on prompts). Default 0. */
  logitsFrom?: number;
  /** Use the attached adapters (LoRA); false gives the base model, e.g. as PPO's reference. Default true. */
  adapters?: boolean;
  /** Training mode: enables adapter dropout. Default false. */
  training?: boolean;
  /**
   * Gradient checkpointing: under a gradient tape, each decoder layer keeps only its input for the
   * backward pass and recomputes its activations there (one layer's worth at a time), trading one
   * more forward pass for memory. Same gradients as without. Ignored when no gradient is recorded;
   * refused together with a cache. Default false.
   */
  recompute?: boolean;
}

export interface ForwardOutput {
  /** [B, T - logitsFrom, V] unnormalized next-token scores. */
  logits: tf.Tensor3D;
  /** [B, T, H] output of the final norm (when returnHidden). */
  hidden?: tf.Tensor3D;
}

let modelCounter = 0;

/**
 * Models whose weight matrices take at most this many bytes keep transposed copies while generating
 * (Qwen3Model.withInferenceWeights); the copies plus XNNPACK's packed versions double that memory.
 */
export const INFERENCE_WEIGHTS_MAX_BYTES = 256 * 2 ** 20;

export interface CreateOptions {
  /** Seed of the random initialization. Default 0. */
  seed?: number;
}

export class Qwen3Model {
  readonly config: Qwen3Config;
  readonly params = new Map<string, tf.Variable>();
  readonly specs: ParamSpec[];
  private readonly layers: DecoderLayer[] = [];
  private readonly finalNorm: RMSNorm;
  /** Adapters applied to projections (LoRA), when attached. */
  adapter?: ProjectionAdapter;
  private readonly id = ++modelCounter;
  /** Flags of the forward call in progress, read by the layers' projections. */
  private callFlags = { adapters: true, training: false };
  private disposed = false;
  /** Transposed weight matrices by parameter name, while withInferenceWeights runs. */
  private inferenceWeights?: Map<string, tf.Tensor2D>;

  /**
   * Builds the model around `values` (Hugging Face layout and names); every parameter must be
   * present with its Hugging Face shape. Prefer Qwen3Model.random or loadQwen3 (loader.ts).
   */
  constructor(config: Qwen3Config, values: (spec: ParamSpec) => tf.Tensor) {
    assertQwen3Config(config);
    this.config = config;
    this.specs = qwen3ParamSpecs(config);
    try {
      for (const spec of this.specs) {
        const value = values(spec);
        if (value.shape.join(',') !== spec.hfShape.join(',')) {
          value.dispose();
          throw new Error(
            `tensor "${spec.name}" has shape [${value.shape.join(', ')}], expected [${spec.hfShape.join(', ')}]`,
          );
        }
        // Unique variable names: tfjs's registry is global and several models may coexist.
        this.params.set(spec.name, tf.variable(value, true, `qwen3_${this.id}/${spec.name}`));
        value.dispose();
      }
    } catch (error) {
      for (const v of this.params.values()) v.dispose();
      throw error;
    }
    const c = config;
    const project = (x: tf.Tensor2D, module: string) =>
      this.project(x, module, this.callFlags.adapters, this.callFlags.training);
    for (let l = 0; l < c.num_hidden_layers; l++) {
      const p = `model.layers.${l}`;
      const attention = new Attention(
        `${p}.self_attn`,
        { numHeads: c.num_attention_heads, numKvHeads: c.num_key_value_heads, headDim: c.head_dim },
        new RMSNorm(this.param(`${p}.self_attn.q_norm.weight`) as tf.Tensor1D, c.rms_norm_eps),
        new RMSNorm(this.param(`${p}.self_attn.k_norm.weight`) as tf.Tensor1D, c.rms_norm_eps),
        project,
      );
      this.layers.push(
        new DecoderLayer(
          new RMSNorm(this.param(`${p}.input_layernorm.weight`) as tf.Tensor1D, c.rms_norm_eps),
          attention,
          new RMSNorm(this.param(`${p}.post_attention_layernorm.weight`) as tf.Tensor1D, c.rms_norm_eps),
          new MLP(`${p}.mlp`, project),
        ),
      );
    }
    this.finalNorm = new RMSNorm(this.param('model.norm.weight') as tf.Tensor1D, c.rms_norm_eps);
  }

  /** A model with fresh weights: normal(0, initializer_range) matrices and unit norms, as transformers does. */
  static random(config: Qwen3Config, options: CreateOptions = {}): Qwen3Model {
    const seed = options.seed ?? 0;
    let index = 0;
    return new Qwen3Model(config, (spec) => {
      index++;
      return spec.init === 'ones'
        ? tf.ones(spec.hfShape)
        : tf.randomNormal(spec.hfShape, 0, config.initializer_range, 'float32', seed * 100_003 + index);
    });
  }

  /** The variable of one parameter by Hugging Face name (Hugging Face layout). */
  param(name: string): tf.Variable {
    const value = this.params.get(name);
    if (!value) throw new Error(`Qwen3 model has no parameter "${name}"`);
    return value;
  }

  /** Number of parameters (tied embeddings counted once). */
  get numParams(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  /** Marks which base parameters train (e.g. none under LoRA); frozen ones get no gradient. */
  setTrainable(predicate: (name: string) => boolean): void {
    for (const [name, v] of this.params) v.trainable = predicate(name);
  }

  /** The trainable base parameters, to pass to an optimizer (adapters have their own list). */
  trainableVariables(): tf.Variable[] {
    return [...this.params.values()].filter((v) => v.trainable);
  }

  /** x [N, in] -> [N, out] through the named projection (module = HF name without ".weight"). */
  project(x: tf.Tensor2D, module: string, useAdapters = true, training = false): tf.Tensor2D {
    const base = this.matmulWeight(x, `${module}.weight`);
    if (!useAdapters || !this.adapter) return base;
    const delta = this.adapter.apply(x, module, training);
    return delta ? plus(base, delta) : base;
  }

  /**
   * Runs the model on inputIds [B, T] (int32). Returns logits [B, T - logitsFrom, V] and, when asked,
   * the final hidden state. All intermediates are released; the caller disposes the outputs.
   */
  forward(inputIds: tf.Tensor2D, options: ForwardOptions = {}): ForwardOutput {
    if (this.disposed) throw new Error('Qwen3 model was disposed');
    if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
      throw new Error(
        `forward: inputIds must be an int32 [batch, tokens] tensor, got ${inputIds.dtype} [${inputIds.shape.join(', ')}]`,
      );
    }
    const [batch, t] = inputIds.shape;
    const c = this.config;
    const { cache } = options;
    const past = cache?.length ?? 0;
    if (past + t > c.max_position_embeddings) {
      throw new Error(`forward: ${past + t} tokens exceed max_position_embeddings (${c.max_position_embeddings})`);
    }
    if (cache?.mask && cache.mask.shape[0] !== batch) {
      throw new Error(`forward: cache holds batch ${cache.mask.shape[0]}, inputs have batch ${batch}`);
    }
    const logitsFrom = options.logitsFrom ?? 0;
    if (!Number.isInteger(logitsFrom) || logitsFrom < 0 || logitsFrom >= t) {
      throw new Error(`forward: logitsFrom must be an integer in [0, ${t - 1}], got ${logitsFrom}`);
    }
    if (options.recompute && cache) {
      throw new Error('forward: recompute (gradient checkpointing) is for training passes and cannot use a KV cache');
    }
    const recompute = (options.recompute ?? false) && recordingGradients();
    this.callFlags = { adapters: options.adapters ?? true, training: options.training ?? false };
    const previous = cache?.tensors() ?? [];

    const out = tf.tidy(() => {
      const newMask = options.attentionMask ? options.attentionMask.toFloat() : tf.ones([batch, t]);
      if (newMask.shape.join(',') !== `${batch},${t}`) {
        throw new Error(`forward: attentionMask must be [${batch}, ${t}], got [${newMask.shape.join(', ')}]`);
      }
      const fullMask = (cache?.mask ? tf.concat([cache.mask, newMask], 1) : newMask) as tf.Tensor2D; // [B, S]
      const positions =
        options.positionIds ??
        (tf.maximum(tf.sub(tf.cumsum(fullMask, 1), 1), 0).slice([0, past], [batch, t]) as tf.Tensor2D);
      const rotary = rotaryTables(positions, c.head_dim, c.rope_theta);
      const bias = attentionBias(fullMask, t, past); // [B, 1, 1, T, S]

      let x = embeddingLookup(
        this.param('model.embed_tokens.weight') as tf.Tensor2D,
        inputIds.reshape([-1]) as tf.Tensor1D,
      );
      this.layers.forEach((layer, l) => {
        const layerCache = cache?.layers[l];
        // One scope per layer: its intermediates go as soon as it is done (what the backward pass
        // needs, the ops saved), so peak memory holds one layer's intermediates, not all of them.
        x = tf.tidy(() => {
          if (recompute) return this.recomputedLayer(l, x, batch, rotary, bias);
          const out = layer.forward(x, batch, rotary, bias, layerCache);
          if (layerCache?.keysT) tf.keep(layerCache.keysT);
          if (layerCache?.values) tf.keep(layerCache.values);
          return out;
        });
      });
      const hidden = this.finalNorm.forward(x).reshape([batch, t, c.hidden_size]) as tf.Tensor3D;
      const head = logitsFrom > 0 ? hidden.slice([0, logitsFrom, 0], [batch, t - logitsFrom, c.hidden_size]) : hidden;
      const logits = this.lmHead(head.reshape([-1, c.hidden_size]) as tf.Tensor2D).reshape([
        batch,
        t - logitsFrom,
        c.vocab_size,
      ]) as tf.Tensor3D;
      if (cache) {
        cache.mask = tf.keep(fullMask);
      }
      return options.returnHidden ? { logits, hidden } : { logits };
    });
    for (const t0 of previous) t0.dispose();
    return out;
  }

  /**
   * Decoder layer `l` as one op that saves only its inputs: the forward runs with the tape off
   * (nothing of the layer is kept), and the backward reruns the layer under its own tape from the
   * saved input, with the call's flags and the adapters' random state as they were in the forward
   * (same dropout masks), and differentiates it with respect to the input and every trainable tensor
   * the layer reads. Those tensors are the op's inputs, so the outer tape routes their gradients.
   */
  private recomputedLayer(
    l: number,
    x: tf.Tensor2D,
    batch: number,
    rotary: RotaryTables,
    bias: tf.Tensor,
  ): tf.Tensor2D {
    const layer = this.layers[l]!;
    const flags = { ...this.callFlags };
    const adapter = flags.adapters ? this.adapter : undefined;
    const trainable = [...this.params]
      .filter(([name, v]) => v.trainable && name.startsWith(`model.layers.${l}.`))
      .map(([, v]) => v as tf.Tensor);
    if (adapter) for (const module of layerModules(l)) trainable.push(...adapter.trainableTensors(module));
    const rngAtForward = adapter?.rngState();
    const op = customOp<tf.Tensor2D>(([input], save) => {
      save([input!, rotary.cos, rotary.sin, bias]);
      return {
        value: layer.forward(input as tf.Tensor2D, batch, rotary, bias),
        gradFunc: (dy, [savedX, cos, sin, savedBias]) => {
          const sources = [savedX!, ...trainable];
          const flagsNow = this.callFlags;
          const rngNow = adapter?.rngState();
          const engine = tf.engine();
          // A nested tape during backpropagation replaces (then clears) the engine's active tape,
          // which the outer backward pass still needs for its final cleanup.
          const outerTape = engine.state.activeTape;
          this.callFlags = flags;
          if (adapter && rngAtForward) adapter.restoreRngState(rngAtForward);
          try {
            const { grads } = engine.gradients(
              () => layer.forward(savedX as tf.Tensor2D, batch, { cos: cos!, sin: sin! }, savedBias!),
              sources,
              dy as tf.Tensor2D,
              true,
            );
            return grads.map((g, i) => g ?? tf.zerosLike(sources[i]!));
          } finally {
            engine.state.activeTape = outerTape;
            this.callFlags = flagsNow;
            if (adapter && rngNow) adapter.restoreRngState(rngNow);
          }
        },
      };
    });
    return op(x, ...trainable);
  }

  /** h [N, H] -> logits [N, V]: lm_head, or embed_tokens when tied (the same [V, H] layout). */
  private lmHead(h: tf.Tensor2D): tf.Tensor2D {
    return this.matmulWeight(h, this.config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
  }

  /** x [N, in] @ W^T for the weight matrix `name` ([out, in]). */
  private matmulWeight(x: tf.Tensor2D, name: string): tf.Tensor2D {
    const transposed = this.inferenceWeights?.get(name);
    if (transposed && !recordingGradients()) return tf.matMul(x, transposed);
    return linear(x, this.param(name) as tf.Tensor2D);
  }

  /**
   * Runs `f` (generation) with transposed copies of the weight matrices as the matmuls' right
   * operands, which XNNPACK packs once and reuses for every step. Why: a decoding step has one row
   * per sequence, and the training layout's W @ x^T then runs XNNPACK's kernel at 1/8 of its width
   * (measured on wasm, [768, 256] times one row: 143 us vs 25 us; [3072, 1024]: 1.8 ms vs 0.48).
   * Only on wasm and for models whose matrices fit INFERENCE_WEIGHTS_MAX_BYTES (the copies and their
   * packed versions double that memory until `f` ends); otherwise, or when nested, `f` runs as is.
   * The weights must not change while `f` runs.
   */
  async withInferenceWeights<T>(f: () => Promise<T>): Promise<T> {
    const matrices = [...this.params].filter(([, v]) => v.rank === 2);
    const bytes = matrices.reduce((sum, [, v]) => sum + v.size * 4, 0);
    if (this.inferenceWeights || tf.getBackend() !== 'wasm' || bytes > INFERENCE_WEIGHTS_MAX_BYTES) return f();
    this.inferenceWeights = new Map(matrices.map(([name, v]) => [name, transpose2d(v as tf.Tensor2D)]));
    try {
      return await f();
    } finally {
      for (const t of this.inferenceWeights.values()) t.dispose();
      this.inferenceWeights = undefined;
    }
  }

  /** Every parameter in Hugging Face layout, keyed by Hugging Face name (for model.safetensors). */
  exportTensors(): Record<string, TensorData> {
    const out: Record<string, TensorData> = {};
    for (const spec of this.specs) {
      const v = this.param(spec.name);
      out[spec.name] = { shape: [...spec.hfShape], data: Float32Array.from(v.dataSync() as Float32Array) };
    }
    return out;
  }

  /** config.json for this model; `tokens` (the tokenizer's ids, authoritative) replaces the config's own. */
  hfConfig(tokens?: ModelTokenIds): Record<string, unknown> {
    return { ...qwen3ConfigToHf(this.config), ...tokens };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.params.values()) v.dispose();
  }
}

/**
 * Additive attention bias [B, 1, 1, T, S]: 0 where query i (absolute position past + i) may see key
 * j (j <= past + i and key j is a real token), MASKED elsewhere.
 */
export function attentionBias(fullMask: tf.Tensor2D, t: number, past: number): tf.Tensor {
  const [batch, s] = fullMask.shape;
  const causal = new Float32Array(t * s);
  for (let i = 0; i < t; i++) for (let j = 0; j <= past + i && j < s; j++) causal[i * s + j] = 1;
  const allowed = tf.mul(tf.tensor2d(causal, [t, s]).expandDims(0), fullMask.expandDims(1)); // [B, T, S]
  return tf.mul(tf.sub(1, allowed), MASKED).reshape([batch, 1, 1, t, s]);
}
