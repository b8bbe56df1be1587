/**
 * The `peft-adapter` writer: LoRA adapters as adapter_model.safetensors + adapter_config.json in the
 * layout Python's peft saves and loads (`PeftModel.from_pretrained(base, dir)`):
 *   base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight  [r, in_features]
 *   base_model.model.model.layers.N.self_attn.q_proj.lora_B.weight  [out_features, r]
 * Every adapted module needs both matrices with a consistent rank; the config's `r` and
 * `target_modules` are filled in from the tensors when the checkpoint does not state them. The key
 * names, checks and config fields are the engine's codec (@medrl/engine/codec), which the engine's
 * LoRA also loads with.
 */
import path from 'node:path';
import type { Checkpoint, CheckpointWriter, PluginContext } from '@medrl/sdk';
import { writeFileAtomic } from '@medrl/sdk/io';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  checkLoraTensors,
  peftAdapterConfig,
  writeSafetensorsFile,
  type LoraLayout,
  type SafetensorsDtype,
} from '@medrl/engine/codec';

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
      let layout: LoraLayout;
      try {
        layout = checkLoraTensors(checkpoint.tensors, statedRank);
      } catch (error) {
        throw new Error(`peft-adapter: ${(error as Error).message}`);
      }
      const config = peftAdapterConfig(layout, checkpoint.config);
      await writeSafetensorsFile(path.join(dir, ADAPTER_WEIGHTS_FILE), checkpoint.tensors, {
        dtype,
        metadata: { format: 'pt' },
      });
      await writeFileAtomic(path.join(dir, ADAPTER_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
      ctx.logger.debug('peft-adapter: wrote adapters', { dir, step: checkpoint.step, modules: layout.targetModules });
    },
  };
}
