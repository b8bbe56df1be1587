/**
 * @medrl/plugin-checkpoint-hf: checkpoint writers that export what Python's transformers and peft load.
 *   hf-model      full checkpoints → model.safetensors + config.json (Hugging Face Qwen3 names)
 *   peft-adapter  LoRA checkpoints → adapter_model.safetensors + adapter_config.json (PEFT names)
 * Imports only @medrl/sdk and the engine's tfjs-free codec (@medrl/engine/codec: safetensors, PEFT format).
 */
import { definePlugin, type MedrlPlugin } from '@medrl/sdk';
import { createHfModelWriter } from './hf-model.js';
import { createPeftAdapterWriter } from './peft-adapter.js';
import { WRITABLE_DTYPES, type SafetensorsDtype } from '@medrl/engine/codec';

export const PLUGIN_NAME = '@medrl/plugin-checkpoint-hf';

export interface CheckpointHfOptions {
  /** Storage dtype of model.safetensors: F32 (lossless, default), BF16 (as Qwen3 ships) or F16. */
  dtype?: SafetensorsDtype;
  /** Storage dtype of adapter_model.safetensors; defaults to `dtype`. */
  adapterDtype?: SafetensorsDtype;
}

function checkDtype(option: string, value: unknown): SafetensorsDtype {
  if (!WRITABLE_DTYPES.includes(value as SafetensorsDtype)) {
    throw new Error(
      `${PLUGIN_NAME}: option "${option}" must be one of ${WRITABLE_DTYPES.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as SafetensorsDtype;
}

export default function checkpointHf(options: CheckpointHfOptions = {}): MedrlPlugin {
  const dtype = checkDtype('dtype', options.dtype ?? 'F32');
  const adapterDtype = checkDtype('adapterDtype', options.adapterDtype ?? dtype);
  return definePlugin({
    name: PLUGIN_NAME,
    apiVersion: '1.0',
    version: '0.1.0',
    setup(api) {
      api.registerCheckpointWriter(createHfModelWriter(dtype));
      api.registerCheckpointWriter(createPeftAdapterWriter(adapterDtype));
    },
  });
}

export {
  checkQwen3Tensors,
  createHfModelWriter,
  MODEL_CONFIG_FILE,
  MODEL_WEIGHTS_FILE,
  qwen3TensorShapes,
} from './hf-model.js';
export { createPeftAdapterWriter } from './peft-adapter.js';
