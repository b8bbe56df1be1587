/**
 * PEFT's LoRA adapter format, as Python's peft saves and loads it (`PeftModel.from_pretrained(base, dir)`):
 *   adapter_model.safetensors  base_model.model.<module>.lora_A.weight [r, in], ...lora_B.weight [out, r]
 *   adapter_config.json        peft's LoraConfig fields
 * The engine's LoRA exports and loads through this module, the checkpoint-hf writer checks and writes
 * through it: one definition of the key names and of the config's fields and defaults.
 */
import { readFile } from 'node:fs/promises';
import type { TensorData } from '@medrl/sdk';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

const PEFT_PREFIX = 'base_model.model.';
const PEFT_KEY = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/;

/** The PEFT tensor name of one adapter matrix of `module` (model.layers.N.self_attn.q_proj). */
export function peftKey(module: string, which: 'A' | 'B'): string {
  return `${PEFT_PREFIX}${module}.lora_${which}.weight`;
}

/** The adapters' rank and the target module names (last path component, as peft writes them). */
export interface LoraLayout {
  r: number;
  targetModules: string[];
}

/**
 * adapter_config.json: the adapters' rank and targets (lora_alpha defaulting to r) with peft's
 * LoraConfig defaults for a causal LM, overridden by what `stated` gives (the fields keep this order).
 */
export function peftAdapterConfig(layout: LoraLayout, stated: Record<string, unknown> = {}): Record<string, unknown> {
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
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    revision: null,
    ...stated,
  };
}

/**
 * Validates PEFT key names and lora_A/lora_B shapes and returns the layout; throws listing every
 * problem (a module with one matrix, a rank that disagrees with `statedRank` or between modules).
 */
export function checkLoraTensors(tensors: Record<string, TensorData>, statedRank?: number): LoraLayout {
  const modules = new Map<string, { A?: TensorData; B?: TensorData }>();
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
    throw new Error(`invalid LoRA adapters: ${shown}${more}`);
  }
  return { r: rank!, targetModules: [...targets].sort() };
}

/** The LoRA settings of an adapter_config.json, checked. */
export interface PeftAdapterSettings {
  r: number;
  alpha: number;
  dropout: number;
  /** target_modules as written (`q_proj`, `self_attn.q_proj`, ...). */
  targetModules: string[];
}

/** Reads and checks `file` (an adapter_config.json); errors name the file and the field. */
export async function readPeftAdapterConfig(file: string): Promise<PeftAdapterSettings> {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: cannot read adapter config (${(error as Error).message})`);
  }
  if (config.peft_type !== undefined && config.peft_type !== 'LORA')
    throw new Error(`${file}: peft_type "${String(config.peft_type)}" is not LORA`);
  const modules = config.target_modules;
  if (!Array.isArray(modules) || modules.length === 0)
    throw new Error(`${file}: target_modules must be a non-empty list`);
  if (config.use_rslora === true || config.use_dora === true)
    throw new Error(`${file}: rsLoRA and DoRA adapters are not supported`);
  const r = Number(config.r);
  return {
    r,
    alpha: Number(config.lora_alpha ?? r),
    dropout: Number(config.lora_dropout ?? 0),
    targetModules: modules.map(String),
  };
}
