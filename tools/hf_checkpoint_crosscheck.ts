/**
 * Cross-checks written checkpoints in Python: trains the tiny model SFT-LoRA -> PPO-LoRA (as
 * test/train/adapter-base.test.ts does), writes medrl's logits for a probe sequence beside each of
 * step_N (PEFT adapters on checkpoints/start_model), start_model and final_rl_model, and runs
 * tools/check_hf_checkpoint.py on them. Not part of `npm test` (it needs torch, transformers, peft).
 *
 *   pip install torch transformers peft
 *   npx tsx tools/hf_checkpoint_crosscheck.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import checkpointHf from '../plugins/checkpoint-hf/src/index.js';
import { loadModelDir } from '../core/src/engine/policy.js';
import { openRun } from '../core/src/runtime/run.js';
import { runTrain } from '../core/src/train/index.js';
import { runSft } from '../core/src/train/sft/trainer.js';
import { lettersPlugin, tinyProject } from '../test/train/helpers.js';

const setup = await tinyProject(3);
const root = setup.root;
await mkdir(path.join(root, 'data/processed'), { recursive: true });
const records = Array.from({ length: 8 }, (_, i) =>
  JSON.stringify({
    id: `s${i}`,
    instruction: `what is ${'abcd'[i % 4]}?`,
    input: '',
    output: `it is ${'wxyz'[i % 4]}`,
  }),
);
await writeFile(path.join(root, 'data/processed/train.jsonl'), records.join('\n') + '\n');
const run = await openRun({
  command: 'train',
  cwd: root,
  config: {
    plugins: [lettersPlugin(setup.letterIds), checkpointHf()],
    reward: { components: [{ use: 'test/letters', weight: 1 }], clip: null },
    model: {
      path: 'models/start',
      lora: { enabled: true, r: 4, alpha: 8, dropout: 0, targetModules: ['q', 'v', 'up'] },
    },
    sft: { num_train_epochs: 3, per_device_train_batch_size: 4, learning_rate: 5e-2, max_length: 64 },
    ppo: {
      model_path: 'models/lora/final_lora',
      prompts_path: 'data/prompts.jsonl',
      steps: 2,
      save_steps: 2,
      max_new_tokens: 4,
      learning_rate: 5e-2,
      safety_gate: { enabled: false },
    },
    output: { output_dir: 'rl', progress: 'none' },
  },
});
await runSft(run);
await runTrain(run, { algo: 'ppo' });
await run.close();

const probes: string[] = [];
for (const name of ['step_2', 'start_model', 'final_rl_model']) {
  const dir = path.join(root, 'rl/checkpoints', name);
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
