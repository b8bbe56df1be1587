/**
 * The `hf-model` writer: a full checkpoint as a Hugging Face model directory (model.safetensors +
 * config.json) that `transformers.AutoModelForCausalLM.from_pretrained(dir)` loads.
 *
 * For Qwen3 configs every tensor is checked against the names and shapes transformers' Qwen3 expects
 * before anything is written, so a mistake fails here, naming the tensor and both shapes, rather
 * than as a load error in Python later.
 */
import type { Checkpoint, CheckpointWriter, PluginContext, TensorData } from '@medrl/sdk';
import path from 'node:path';
import { writeFileAtomic } from '@medrl/sdk/io';
import { TORCH_DTYPE, writeSafetensorsFile, type SafetensorsDtype } from '@medrl/engine/codec';

export const MODEL_WEIGHTS_FILE = 'model.safetensors';
export const MODEL_CONFIG_FILE = 'config.json';

/** The Hugging Face Qwen3 config fields that determine tensor shapes. */
export interface Qwen3ShapeConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads?: number;
  head_dim?: number;
  tie_word_embeddings?: boolean;
  attention_bias?: boolean;
}

function positiveInteger(config: Record<string, unknown>, field: string, fallback?: number): number {
  const value = config[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`config.json field "${field}" must be a positive integer, got ${JSON.stringify(config[field])}`);
  }
  return value;
}

/** Every tensor name transformers' Qwen3ForCausalLM reads, with its shape, for a config. */
export function qwen3TensorShapes(config: Record<string, unknown>): Map<string, number[]> {
  const vocab = positiveInteger(config, 'vocab_size');
  const hidden = positiveInteger(config, 'hidden_size');
  const intermediate = positiveInteger(config, 'intermediate_size');
  const layers = positiveInteger(config, 'num_hidden_layers');
  const heads = positiveInteger(config, 'num_attention_heads');
  const kvHeads = positiveInteger(config, 'num_key_value_heads', heads);
  const headDim = positiveInteger(config, 'head_dim', Math.floor(hidden / heads));
  const bias = config.attention_bias === true;
  const shapes = new Map<string, number[]>();
  shapes.set('model.embed_tokens.weight', [vocab, hidden]);
  for (let layer = 0; layer < layers; layer++) {
    const prefix = `model.layers.${layer}`;
    shapes.set(`${prefix}.input_layernorm.weight`, [hidden]);
    shapes.set(`${prefix}.post_attention_layernorm.weight`, [hidden]);
    const projections: [string, number, number][] = [
      ['q_proj', heads * headDim, hidden],
      ['k_proj', kvHeads * headDim, hidden],
      ['v_proj', kvHeads * headDim, hidden],
      ['o_proj', hidden, heads * headDim],
    ];
    for (const [proj, out, inp] of projections) {
      shapes.set(`${prefix}.self_attn.${proj}.weight`, [out, inp]);
      if (bias) shapes.set(`${prefix}.self_attn.${proj}.bias`, [out]);
    }
    shapes.set(`${prefix}.self_attn.q_norm.weight`, [headDim]);
    shapes.set(`${prefix}.self_attn.k_norm.weight`, [headDim]);
    shapes.set(`${prefix}.mlp.gate_proj.weight`, [intermediate, hidden]);
    shapes.set(`${prefix}.mlp.up_proj.weight`, [intermediate, hidden]);
    shapes.set(`${prefix}.mlp.down_proj.weight`, [hidden, intermediate]);
  }
  shapes.set('model.norm.weight', [hidden]);
  // Qwen3 defaults to untied embeddings; tied models store no lm_head.
  if (config.tie_word_embeddings !== true) shapes.set('lm_head.weight', [vocab, hidden]);
  return shapes;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

/**
 * Checks tensors against a Qwen3 config and returns the set to write (a tied lm_head is dropped,
 * as transformers saves it). Throws listing every missing, unexpected or mis-shaped tensor.
 */
export function checkQwen3Tensors(
  tensors: Record<string, TensorData>,
  config: Record<string, unknown>,
): Record<string, TensorData> {
  const expected = qwen3TensorShapes(config);
  const problems: string[] = [];
  const toWrite: Record<string, TensorData> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    const shape = expected.get(name);
    if (!shape) {
      if (name === 'lm_head.weight' && config.tie_word_embeddings === true) continue;
      problems.push(`unexpected tensor "${name}"`);
      continue;
    }
    if (!sameShape(shape, tensor.shape)) {
      problems.push(
        `tensor "${name}" has shape ${JSON.stringify(tensor.shape)}, config.json implies ${JSON.stringify(shape)}`,
      );
    }
    toWrite[name] = tensor;
  }
  for (const name of expected.keys()) if (!tensors[name]) problems.push(`missing tensor "${name}"`);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
    throw new Error(`hf-model: checkpoint does not match its Qwen3 config: ${shown}${more}`);
  }
  return toWrite;
}

/** Qwen3 unless the config names another model type or architecture (medrl's engine is Qwen3). */
function isQwen3(config: Record<string, unknown>): boolean {
  if (config.model_type !== undefined) return config.model_type === 'qwen3';
  return !Array.isArray(config.architectures) || config.architectures.includes('Qwen3ForCausalLM');
}

/** The writer for `full` checkpoints; `lora` checkpoints are left to the adapter writer. */
export function createHfModelWriter(dtype: SafetensorsDtype): CheckpointWriter {
  return {
    name: 'hf-model',
    description: `full model as ${MODEL_WEIGHTS_FILE} (${dtype}) + ${MODEL_CONFIG_FILE} with Hugging Face names`,
    async write(checkpoint: Checkpoint, dir: string, ctx: PluginContext): Promise<void> {
      if (checkpoint.kind !== 'full') return;
      const qwen3 = isQwen3(checkpoint.config);
      const tensors = qwen3 ? checkQwen3Tensors(checkpoint.tensors, checkpoint.config) : checkpoint.tensors;
      if (!qwen3) {
        ctx.logger.warn('hf-model: config is not Qwen3; writing tensors without checking names or shapes', {
          model_type: checkpoint.config.model_type,
        });
      }
      const config = {
        ...(qwen3 ? { architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3' } : {}),
        ...checkpoint.config,
        torch_dtype: TORCH_DTYPE[dtype],
      };
      await writeSafetensorsFile(path.join(dir, MODEL_WEIGHTS_FILE), tensors, { dtype, metadata: { format: 'pt' } });
      await writeFileAtomic(path.join(dir, MODEL_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
      ctx.logger.debug('hf-model: wrote checkpoint', {
        dir,
        step: checkpoint.step,
        tensors: Object.keys(tensors).length,
      });
    },
  };
}
