/**
 * Cross-checks written checkpoints in Python: trains the tiny model SFT-LoRA -> PPO-LoRA (as
 * test/train/adapter-base.test.ts does), writes medrl's logits for a probe sequence beside each of
 * step_N (PEFT adapters on checkpoints/start_model), start_model, final_rl_model and SFT's final_lora
 * (PEFT adapters on model.path), and runs
 * tools/check_hf_checkpoint.py on them. Not part of `npm test` (it needs torch, transformers, peft).
 *
 *   pip install torch transformers peft
 *   npx tsx tools/hf_checkpoint_crosscheck.ts
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelDir } from '../core/src/engine/policy.js';
import { sftLoraThenPpo } from '../test/train/helpers.js';

const { setup, run } = await sftLoraThenPpo(3);
const root = setup.root;
await run.close();

const probes: string[] = [];
// final_lora: SFT's PEFT adapters on model.path (models/start), named relative to the adapter folder.
for (const relative of [
  'rl/checkpoints/step_2',
  'rl/checkpoints/start_model',
  'rl/checkpoints/final_rl_model',
  'models/lora/final_lora',
]) {
  const dir = path.join(root, relative);
  const name = path.basename(relative);
  const loaded = await loadModelDir(dir);
  const ids = Array.from({ length: 24 }, (_, i) => 5 + ((i * 37) % 300));
  const logits = tf.tidy(() => loaded.model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.dataSync());
  const probe = path.join(root, `${name}.probe.json`);
  await writeFile(
    probe,
    JSON.stringify({
      dir,
      ids,
      logits: Array.from(logits),
      im_end: loaded.tokenizer.specialTokenIds.imEnd,
      first: loaded.tokenizer.tokenToId('a'),
    }),
  );
  probes.push(probe);
  loaded.adapters?.detach();
  loaded.model.dispose();
}
const python = spawnSync('python3', [path.join(import.meta.dirname, 'check_hf_checkpoint.py'), ...probes], {
  stdio: 'inherit',
});
process.exit(python.status ?? 1);
