/**
 * The `peft-adapter` writer: LoRA adapters as adapter_model.safetensors + adapter_config.json in the
 * layout Python's peft saves and loads (`PeftModel.from_pretrained(base, dir)`):
 *   base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight  [r, in_features]
 *   base_model.model.model.layers.N.self_attn.q_proj.lora_B.weight  [out_features, r]
 * Every adapted module needs both matrices with a consistent rank; the config's `r` and
 * `target_modules` are filled in from the tensors when the checkpoint does not state them.
 */
import type { Checkpoint, CheckpointWriter, PluginContext, TensorData } from '@medrl/sdk';
import path from 'node:path';
import { writeTextAtomic } from './atomic.js';
import { writeSafetensorsFile, type SafetensorsDtype } from './safetensors.js';

export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
export const ADAPTER_CONFIG_FILE = 'adapter_config.json';

const PEFT_KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

interface AdaptedModule {
  A?: TensorData;
  B?: TensorData;
}

/** The adapters' rank and the target module names (last path component, as peft writes them). */
export interface LoraLayout {
  r: number;
  targetModules: string[];
}

/** Validates PEFT key names and lora_A/lora_B shapes; throws listing every problem. */
export function checkLoraTensors(tensors: Record<string, TensorData>, statedRank?: number): LoraLayout {
  const modules = new Map<string, AdaptedModule>();
  const problems: string[] = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    const match = PEFT_KEY.exec(name);
    if (!match) {
      problems.push(`"${name}" is not a PEFT LoRA key (base_model.model.<module>.lora_A|lora_B.weight)`);
      continue;
    }
    const [, module, which] = match as unknown as [string, string, 'A' | 'B'];
    if (tensor.shape.length !== 2) problems.push(`"${name}" must be 2-D, got shape ${JSON.stringify(tensor.shape)}`);
    const entry = modules.get(module) ?? {};
    entry[which] = tensor;
    modules.set(module, entry);
  }
  let rank = statedRank;
  const targets = new Set<string>();
  for (const [module, { A, B }] of modules) {
    if (!A || !B) {
      problems.push(`module "${module}" has lora_${A ? 'A' : 'B'} but no lora_${A ? 'B' : 'A'}`);
      continue;
    }
    rank ??= A.shape[0];
    if (A.shape[0] !== rank)
      problems.push(`"${module}" lora_A shape ${JSON.stringify(A.shape)} must be [r=${rank}, in]`);
    if (B.shape[1] !== rank)
      problems.push(`"${module}" lora_B shape ${JSON.stringify(B.shape)} must be [out, r=${rank}]`);
    targets.add(module.split('.').pop()!);
  }
  if (modules.size === 0 && problems.length === 0) problems.push('no LoRA tensors');
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
    throw new Error(`peft-adapter: invalid LoRA checkpoint: ${shown}${more}`);
  }
  return { r: rank!, targetModules: [...targets].sort() };
}

/** adapter_config.json: peft's LoraConfig defaults, overridden by what the checkpoint states. */
export function adapterConfig(stated: Record<string, unknown>, layout: LoraLayout): Record<string, unknown> {
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: null,
    r: layout.r,
    lora_alpha: layout.r,
    lora_dropout: 0,
    target_modules: layout.targetModules,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    modules_to_save: null,
    use_rslora: false,
    use_dora: false,
    ...stated,
  };
}

/** The writer for `lora` checkpoints; `full` checkpoints are left to the model writer. */
export function createPeftAdapterWriter(dtype: SafetensorsDtype): CheckpointWriter {
  return {
    name: 'peft-adapter',
    description: `LoRA adapters as ${ADAPTER_WEIGHTS_FILE} (${dtype}) + ${ADAPTER_CONFIG_FILE} with PEFT key names`,
    async write(checkpoint: Checkpoint, dir: string, ctx: PluginContext): Promise<void> {
      if (checkpoint.kind !== 'lora') return;
      const statedRank = checkpoint.config.r;
      if (statedRank !== undefined && (typeof statedRank !== 'number' || !Number.isSafeInteger(statedRank))) {
        throw new Error(`peft-adapter: adapter config "r" must be an integer, got ${JSON.stringify(statedRank)}`);
      }
      const layout = checkLoraTensors(checkpoint.tensors, statedRank);
      const config = adapterConfig(checkpoint.config, layout);
      await writeSafetensorsFile(path.join(dir, ADAPTER_WEIGHTS_FILE), checkpoint.tensors, {
        dtype,
        metadata: { format: 'pt' },
      });
      await writeTextAtomic(path.join(dir, ADAPTER_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
      ctx.logger.debug('peft-adapter: wrote adapters', { dir, step: checkpoint.step, modules: layout.targetModules });
    },
  };
}
