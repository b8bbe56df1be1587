/**
 * The trainers' one adapter to the engine: loading the starting policy (a full model directory or a
 * LoRA adapter over a base), making it trainable (fresh LoRA adapters, or all weights with a frozen
 * copy as the reference), forward passes that return per-token log-probs and hidden states for a
 * batch of (query, response) pairs, and exporting what checkpoints hold.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint, Logger } from '@medrl/sdk';
import { MedrlError } from '@medrl/core';
import {
  packPairs,
  tokenLogprobs,
  type SequencePair,
  ADAPTER_CONFIG_FILE,
  LoraAdapters,
  type LoraTarget,
  loadModelDir,
  Qwen3Model,
  type Tokenizer,
} from '@medrl/engine';

export type { SequencePair } from '@medrl/engine';
import type { NamedParam } from './optimizer.js';
import type { FloatTensor } from './state-file.js';
import { pathExists } from '@medrl/sdk/io';

export interface LoraSettings {
  enabled: boolean;
  r: number;
  alpha: number;
  dropout: number;
  targetModules: readonly LoraTarget[];
}

/** A model whose weights are `source`'s HF tensors (a copy; used for merged and reference models). */
export function modelFromTensors(
  config: Qwen3Model['config'],
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
): Qwen3Model {
  return new Qwen3Model(config, (spec) => {
    const t = tensors[spec.name];
    if (!t) throw new Error(`missing tensor "${spec.name}"`);
    return tf.tensor(t.data, t.shape);
  });
}

/**
 * Loads the model a run starts from. `dir` holds either a full model (config.json + safetensors)
 * or a LoRA adapter (adapter_config.json), which is merged into its base's weights (the adapter's
 * declared local base, else `basePath`, i.e. model.path). `mergedFrom` is set in the second case:
 * the start model then exists only in memory, and adapters trained on it need it written out.
 */
/** The model RL starts from; `mergedFrom` names the adapters merged into it (then it exists only in memory). */
export interface StartModel {
  model: Qwen3Model;
  tokenizer: Tokenizer;
  mergedFrom?: string;
}

export async function loadStartModel(dir: string, basePath: string | undefined, logger?: Logger): Promise<StartModel> {
  if (!(await pathExists(dir))) {
    throw new MedrlError(
      `${dir}: starting model not found; run \`medrl sft\` first or set ppo.model_path / grpo.model_path`,
    );
  }
  if ((await pathExists(path.join(dir, ADAPTER_CONFIG_FILE))) || (await pathExists(path.join(dir, 'config.json')))) {
    const loaded = await loadModelDir(dir, { fallbackBase: basePath, logger });
    if (!loaded.adapters) return loaded;
    // RL trains fresh adapters on the SFT result, so the SFT adapters are merged into the base weights.
    const model = modelFromTensors(loaded.model.config, loaded.adapters.mergedTensors());
    loaded.adapters.detach();
    loaded.model.dispose();
    return { model, tokenizer: loaded.tokenizer, mergedFrom: dir };
  }
  throw new MedrlError(
    `${dir}: neither a model (config.json) nor a LoRA adapter (${ADAPTER_CONFIG_FILE}); run \`medrl sft\` first`,
  );
}

export interface ResponseForward {
  /** [b, L] log p of each response token (0 where mask is 0). */
  logprobs: tf.Tensor2D;
  /** [b, L] 1 on response tokens. L = longest response. */
  mask: tf.Tensor2D;
  /** [b, L, H] hidden state of the position that predicts each response token (when asked). */
  hidden?: tf.Tensor3D;
  /** [b, L, V] logits predicting each response token (when asked). */
  logits?: tf.Tensor3D;
}

/**
 * Per-sample arrays (ragged, one per response) as a [rows, width] tensor aligned with a
 * ResponseForward of those rows: each row zero-padded or cut to `width`.
 */
export function responseRows(rows: readonly (readonly number[])[], width: number): tf.Tensor2D {
  const padded = rows.map((r) => [...r, ...new Array<number>(Math.max(0, width - r.length)).fill(0)].slice(0, width));
  return tf.tensor2d(padded, [rows.length, width]);
}

/**
 * The trainable policy: a model with either LoRA adapters (reference = adapters off) or all weights
 * trainable (reference = a frozen copy of the start).
 */
export class Policy {
  private constructor(
    readonly model: Qwen3Model,
    readonly tokenizer: Tokenizer,
    readonly lora: LoraAdapters | undefined,
    private readonly referenceModel: Qwen3Model | undefined,
    /** Recompute each layer's activations in the backward pass of training forwards (less memory). */
    readonly gradientCheckpointing: boolean,
  ) {}

  /** Wraps a start model: attaches fresh adapters, or keeps a frozen copy as the reference. */
  static create(
    model: Qwen3Model,
    tokenizer: Tokenizer,
    lora: LoraSettings,
    seed: number,
    options: { gradientCheckpointing?: boolean } = {},
  ): Policy {
    const checkpointing = options.gradientCheckpointing ?? false;
    if (lora.enabled) {
      const adapters = LoraAdapters.attach(model, {
        r: lora.r,
        alpha: lora.alpha,
        dropout: lora.dropout,
        targetModules: lora.targetModules,
        seed,
      });
      return new Policy(model, tokenizer, adapters, undefined, checkpointing);
    }
    model.setTrainable(() => true);
    const reference = modelFromTensors(model.config, model.exportTensors());
    reference.setTrainable(() => false);
    return new Policy(model, tokenizer, undefined, reference, checkpointing);
  }

  get hiddenSize(): number {
    return this.model.config.hidden_size;
  }

  /** The trainable variables under stable checkpoint names. */
  params(): NamedParam[] {
    if (this.lora) {
      return [...this.lora.adapters].flatMap(([module, a]) => [
        { name: `${module}.lora_A`, variable: a.a },
        { name: `${module}.lora_B`, variable: a.b },
      ]);
    }
    return [...this.model.params].map(([name, variable]) => ({ name, variable }));
  }

  /**
   * Forward pass over `query + response` rows laid out so that every response starts in the same
   * column: queries left-padded to the longest query Q, responses right-padded. Response token j
   * then sits at column Q + j and is predicted by column Q + j - 1 in every row, so the response
   * window is a slice (no gather, whose gradient the wasm backend lacks). `reference` runs the
   * reference policy. Differentiable inside a gradient tape.
   */
  forwardResponses(
    pairs: readonly SequencePair[],
    opts: { reference?: boolean; hidden?: boolean; logits?: boolean; training?: boolean } = {},
  ): ResponseForward {
    const { b, q, respLen, ids, attention, targets, mask } = packPairs(pairs, this.tokenizer.padTokenId);
    const width = q + respLen;
    const model = opts.reference && this.referenceModel ? this.referenceModel : this.model;
    return tf.tidy(() => {
      const idsT = tf.tensor2d(ids, [b, width], 'int32');
      const attT = tf.tensor2d(attention, [b, width], 'int32');
      const out = model.forward(idsT, {
        attentionMask: attT,
        returnHidden: opts.hidden ?? false,
        logitsFrom: q - 1,
        adapters: !opts.reference,
        training: opts.training ?? false,
        recompute: this.gradientCheckpointing && (opts.training ?? false),
      });
      const v = model.config.vocab_size;
      // logits cover columns q-1 .. width-1 (respLen + 1 rows); the last predicts past the end.
      const logits = tf.slice(out.logits, [0, 0, 0], [b, respLen, v]) as tf.Tensor3D;
      const targetT = tf.tensor2d(targets, [b, respLen], 'int32');
      const result: ResponseForward = {
        logprobs: tokenLogprobs(logits, targetT),
        mask: tf.tensor2d(mask, [b, respLen]),
      };
      if (opts.logits) result.logits = logits;
      if (opts.hidden && out.hidden) {
        result.hidden = tf.slice(out.hidden, [0, q - 1, 0], [b, respLen, model.config.hidden_size]) as tf.Tensor3D;
      }
      return result as unknown as tf.TensorContainer;
    }) as unknown as ResponseForward;
  }

  /** Trainable weights as plain tensors (checkpoint state), held layout. */
  exportTrainable(): Record<string, FloatTensor> {
    return Object.fromEntries(
      this.params().map(({ name, variable }) => [
        name,
        { shape: [...variable.shape], data: Float32Array.from(variable.dataSync()) },
      ]),
    );
  }

  loadTrainable(saved: Record<string, FloatTensor>, source: string): void {
    for (const { name, variable } of this.params()) {
      const t = saved[name];
      if (!t) throw new MedrlError(`${source}: no weights for parameter "${name}"`);
      if (t.shape.join(',') !== variable.shape.join(',')) {
        throw new MedrlError(`${source}: "${name}" has shape [${t.shape}], the model needs [${variable.shape}]`);
      }
      tf.tidy(() => variable.assign(tf.tensor(t.data, t.shape)));
    }
  }

  /**
   * What step checkpoints export through the writer plugins: the adapters (PEFT) or all weights.
   * `adapterBase` is recorded as the adapters' base_model_name_or_path: the directory of the
   * weights they were trained on, relative to the step directory so that a moved folder still loads.
   */
  stepCheckpoint(step: number, adapterBase: string, state?: Record<string, unknown>): Checkpoint {
    if (this.lora) {
      const { tensors, config } = this.lora.exportPeft(adapterBase);
      return { kind: 'lora', step, tensors, config, state };
    }
    return {
      kind: 'full',
      step,
      tensors: this.model.exportTensors(),
      config: this.model.hfConfig(this.tokenizer.modelConfigIds()),
      state,
    };
  }

  /** The final model: adapters merged into full Hugging Face weights. */
  finalCheckpoint(step: number, state?: Record<string, unknown>): Checkpoint {
    const tensors = this.lora ? this.lora.mergedTensors() : this.model.exportTensors();
    return { kind: 'full', step, tensors, config: this.model.hfConfig(this.tokenizer.modelConfigIds()), state };
  }

  dispose(): void {
    this.lora?.detach();
    this.referenceModel?.dispose();
    this.model.dispose();
  }
}
