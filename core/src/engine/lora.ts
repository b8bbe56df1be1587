/**
 * LoRA (Hu et al., 2021) on a Qwen3Model: y = x W + (alpha / r) * dropout(x) A^T B^T per target
 * projection, the base weights frozen.
 *
 * - The reference policy is the same model with adapters off: `model.forward(ids, { adapters: false })`
 *   (no copy of the weights).
 * - `mergedTensors` folds the adapters into full Hugging Face weights for export.
 * - `exportPeft` / `loadPeftAdapters` speak PEFT's format: keys
 *   base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight with lora_A [r, in] and
 *   lora_B [out, r], plus adapter_config.json, so Python peft loads them.

 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { TensorData } from '@medrl/sdk';
import { linear, scale } from './qwen3/layers.js';
import type { ProjectionAdapter, Qwen3Model } from './qwen3/model.js';
import { EngineRng } from './rng.js';
import { readSafetensors } from './safetensors.js';

/** Short target names (config) and the Hugging Face module under model.layers.N they select. */
export const LORA_TARGETS = {
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  o: 'self_attn.o_proj',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  down: 'mlp.down_proj',
} as const;
export type LoraTarget = keyof typeof LORA_TARGETS;

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
const PEFT_PREFIX = 'base_model.model.';

export interface LoraOptions {
  /** Rank. */
  r: number;
  /** Scaling numerator: the delta is multiplied by alpha / r. */
  alpha: number;
  /** Dropout on the adapter input in training mode. */
  dropout: number;
  targetModules: readonly LoraTarget[];
  /** Seed of A's initialization and of the dropout masks. Default 0. */
  seed?: number;
}

interface Adapter {
  /** lora_A, [r, in]. */
  a: tf.Variable;
  /** lora_B, [out, r]. */
  b: tf.Variable;
}

/** The short target of a PEFT target_modules entry (`q_proj`, `self_attn.q_proj`, ...), if any. */
function targetOf(module: string): LoraTarget | undefined {
  const last = module.split('.').pop();
  for (const [short, suffix] of Object.entries(LORA_TARGETS))
    if (suffix.endsWith(`.${last}`)) return short as LoraTarget;
  return undefined;
}

let adapterSetCounter = 0;

export class LoraAdapters implements ProjectionAdapter {
  /** Adapters by module name (model.layers.N.self_attn.q_proj). */
  readonly adapters = new Map<string, Adapter>();
  readonly scale: number;
  private readonly rng: EngineRng;
  private readonly id = ++adapterSetCounter;

  private constructor(
    readonly model: Qwen3Model,
    readonly options: Required<LoraOptions>,
  ) {
    this.scale = options.alpha / options.r;
    this.rng = EngineRng.fromSeed(options.seed);
  }

  /**
   * Adds fresh adapters to every target projection (A uniform(+-1/sqrt(in)) as PEFT's kaiming
   * init, B zero, so the model's output is unchanged) and freezes the base weights.
   */
  static attach(model: Qwen3Model, options: LoraOptions): LoraAdapters {
    if (model.adapter) throw new Error('LoRA: the model already has adapters attached');
    const full = { seed: 0, ...options };
    if (!Number.isInteger(full.r) || full.r <= 0) throw new Error(`LoRA: r must be a positive integer, got ${full.r}`);
    if (!(full.alpha > 0)) throw new Error(`LoRA: alpha must be positive, got ${full.alpha}`);
    if (!(full.dropout >= 0 && full.dropout < 1))
      throw new Error(`LoRA: dropout must be in [0, 1), got ${full.dropout}`);
    if (full.targetModules.length === 0) throw new Error('LoRA: targetModules is empty');
    for (const t of full.targetModules) {
      if (!(t in LORA_TARGETS))
        throw new Error(`LoRA: unknown target module "${t}"; choose from ${Object.keys(LORA_TARGETS).join(', ')}`);
    }
    const set = new LoraAdapters(model, full);
    const initRng = EngineRng.fromSeed(full.seed);
    for (let l = 0; l < model.config.num_hidden_layers; l++) {
      for (const target of full.targetModules) {
        const module = `model.layers.${l}.${LORA_TARGETS[target]}`;
        const [outDim, inDim] = model.param(`${module}.weight`).shape as [number, number];
        const bound = 1 / Math.sqrt(inDim);
        // tf.variable shares its initial value's data: disposing the value leaves only the variable.
        const a = tf.randomUniform([full.r, inDim], -bound, bound, 'float32', initRng.seed());
        const b = tf.zeros([outDim, full.r]);
        set.adapters.set(module, {
          a: tf.variable(a, true, set.varName(module, 'A')),
          b: tf.variable(b, true, set.varName(module, 'B')),
        });
        tf.dispose([a, b]);
      }
    }
    model.setTrainable(() => false);
    model.adapter = set;
    return set;
  }

  private varName(module: string, which: 'A' | 'B'): string {
    return `lora_${this.id}/${module}.lora_${which}`;
  }

  /** The trainable adapter variables, in a stable order (A then B per module). */
  variables(): tf.Variable[] {
    return [...this.adapters.values()].flatMap((a) => [a.a, a.b]);
  }

  trainableTensors(module: string): tf.Variable[] {
    const adapter = this.adapters.get(module);
    return adapter ? [adapter.a, adapter.b].filter((v) => v.trainable) : [];
  }

  apply(x: tf.Tensor2D, module: string, training: boolean): tf.Tensor2D | null {
    const adapter = this.adapters.get(module);
    if (!adapter) return null;
    const input =
      training && this.options.dropout > 0 ? tf.dropout(x, this.options.dropout, undefined, this.rng.seed()) : x;
    const down = linear(input as tf.Tensor2D, adapter.a as tf.Tensor2D); // [N, r]
    return scale(linear(down, adapter.b as tf.Tensor2D), this.scale); // [N, out]
  }

  /** The dropout stream's state (for exact resume); restore with restoreRngState. */
  rngState(): number[] {
    return this.rng.state();
  }

  restoreRngState(state: readonly number[]): void {
    Object.assign(this, { rng: EngineRng.fromState(state) });
  }

  /** Hugging Face weights with the adapters folded in: W' = W + (alpha / r) B A. */
  mergedTensors(): Record<string, TensorData> {
    const tensors = this.model.exportTensors();
    for (const [module, adapter] of this.adapters) {
      const merged = tf.tidy(() => {
        const delta = tf.mul(tf.matMul(adapter.b, adapter.a), this.scale); // [out, in]
        return tf.add(this.model.param(`${module}.weight`), delta);
      });
      tensors[`${module}.weight`]!.data = merged.dataSync() as Float32Array;
      merged.dispose();
    }
    return tensors;
  }

  /** PEFT tensors (lora_A [r, in], lora_B [out, r]) and adapter_config.json content. */
  exportPeft(baseModelNameOrPath = ''): { tensors: Record<string, TensorData>; config: Record<string, unknown> } {
    const tensors: Record<string, TensorData> = {};
    for (const [module, adapter] of this.adapters) {
      for (const [which, v] of [
        ['A', adapter.a],
        ['B', adapter.b],
      ] as const) {
        tensors[`${PEFT_PREFIX}${module}.lora_${which}.weight`] = {
          shape: [...v.shape],
          data: Float32Array.from(v.dataSync() as Float32Array),
        };
      }
    }
    return { tensors, config: this.peftConfig(baseModelNameOrPath) };
  }

  /** adapter_config.json as peft writes it for LoRA on a causal LM. */
  peftConfig(baseModelNameOrPath = ''): Record<string, unknown> {
    return {
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: baseModelNameOrPath,
      r: this.options.r,
      lora_alpha: this.options.alpha,
      lora_dropout: this.options.dropout,
      target_modules: this.options.targetModules.map((t) => LORA_TARGETS[t].split('.')[1]),
      bias: 'none',
      fan_in_fan_out: false,
      inference_mode: true,
      init_lora_weights: true,
      modules_to_save: null,
      use_rslora: false,
      use_dora: false,
      layers_to_transform: null,
      layers_pattern: null,
      rank_pattern: {},
      alpha_pattern: {},
      revision: null,
    };
  }

  /**
   * Sets adapter weights from PEFT tensors (every adapter of this set must be present with PEFT's
   * shapes; errors name the tensor and both shapes). `source` names the file in messages.
   */
  setFromPeft(tensors: Record<string, { shape: number[]; data: Float32Array }>, source = ADAPTER_WEIGHTS_FILE): void {
    const known = new Set<string>();
    for (const [module, adapter] of this.adapters) {
      for (const [which, v] of [
        ['A', adapter.a],
        ['B', adapter.b],
      ] as const) {
        const name = `${PEFT_PREFIX}${module}.lora_${which}.weight`;
        known.add(name);
        const t = tensors[name];
        const expected = [...v.shape];
        if (!t) throw new Error(`${source}: missing tensor "${name}" (expected shape [${expected.join(', ')}])`);
        if (t.shape.join(',') !== expected.join(',')) {
          throw new Error(
            `${source}: tensor "${name}" has shape [${t.shape.join(', ')}], expected [${expected.join(', ')}]`,
          );
        }
        tf.tidy(() => v.assign(tf.tensor2d(t.data, t.shape as [number, number])));
      }
    }
    const extra = Object.keys(tensors).filter((n) => !known.has(n));
    if (extra.length > 0) {
      throw new Error(
        `${source}: tensors for modules without an adapter here: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`,
      );
    }
  }

  /** Removes the adapters from the model (base weights become trainable again) and frees them. */
  detach(): void {
    if (this.model.adapter === this) this.model.adapter = undefined;
    this.model.setTrainable(() => true);
    for (const v of this.variables()) v.dispose();
    this.adapters.clear();
  }
}

/**
 * Attaches the adapters saved in a PEFT directory (adapter_config.json + adapter_model.safetensors)
 * to `model`: r, lora_alpha, lora_dropout and target_modules come from the config.
 */
export async function loadPeftAdapters(model: Qwen3Model, dir: string): Promise<LoraAdapters> {
  const configFile = path.join(dir, ADAPTER_CONFIG_FILE);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${configFile}: cannot read adapter config (${(error as Error).message})`);
  }
  if (config.peft_type !== undefined && config.peft_type !== 'LORA')
    throw new Error(`${configFile}: peft_type "${String(config.peft_type)}" is not LORA`);
  const modules = config.target_modules;
  if (!Array.isArray(modules) || modules.length === 0)
    throw new Error(`${configFile}: target_modules must be a non-empty list`);
  const targets = modules.map((m) => {
    const target = targetOf(String(m));
    if (!target)
      throw new Error(
        `${configFile}: target module "${String(m)}" is not one of ${Object.values(LORA_TARGETS)
          .map((t) => t.split('.')[1])
          .join(', ')}`,
      );
    return target;
  });
  const r = Number(config.r);
  const alpha = Number(config.lora_alpha ?? r);
  const dropout = Number(config.lora_dropout ?? 0);
  if (config.use_rslora === true || config.use_dora === true)
    throw new Error(`${configFile}: rsLoRA and DoRA adapters are not supported`);
  const weightsFile = path.join(dir, ADAPTER_WEIGHTS_FILE);
  const tensors = await readSafetensors(weightsFile);
  const adapters = LoraAdapters.attach(model, { r, alpha, dropout, targetModules: [...new Set(targets)] });
  try {
    adapters.setFromPeft(tensors, weightsFile);
  } catch (error) {
    adapters.detach();
    throw error;
  }
  return adapters;
}
