// A fingerprint of a short RL run (stats without timings, every completion with its reward, a hash of
// every final weight), and the configurations whose fingerprints were recorded from the trainer
// before judging overlapped generation (commit 6e809d7, fixtures/golden-*.json). In these
// configurations one reward chunk was the whole batch, so the old chunked generation sampled exactly
// what whole-batch generation samples: with `overlap_judging` off, a run must reproduce them bit
// for bit. Regenerate (only when the engine's numerics change on purpose):
//   npx tsx test/train/fixtures/make-golden.ts
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { MedrlConfig } from '@medrl/sdk';
import { loadCheckpoint } from '../../core/train/src/checkpoint-state.js';
import { JsonlLog } from '../../core/train/src/run-log.js';

export interface RunFingerprint {
  steps: Record<string, Record<string, unknown>>;
  rollouts: { step: number; id: string; completion: string; total: number | null }[];
  params: Record<string, string>;
  reason: string;
}

const gate = {
  enabled: true,
  prompts: ['data/red_team.jsonl'],
  sample_size: 4,
  score: 'test/calm',
  max_drop: null,
};

const reward: MedrlConfig['reward'] = {
  components: [
    { use: 'test/letters', weight: 1 },
    { use: 'test/calm', weight: 0.25 },
  ],
  clip: null,
  normalize: 'running',
};

/** PPO and GRPO runs whose one reward chunk is the whole batch, with running normalization and the gate. */
export const GOLDEN_CONFIGS: Record<'ppo' | 'grpo', MedrlConfig> = {
  ppo: {
    engine: { backend: 'wasm' },
    model: { lora: { enabled: true, r: 4, alpha: 8, dropout: 0.1, targetModules: ['q', 'v', 'down'] } },
    reward,
    ppo: {
      steps: 4,
      batch_size: 4,
      mini_batch_size: 4,
      ppo_epochs: 2,
      learning_rate: 1e-2,
      init_kl_coef: 0.05,
      use_score_scaling: true,
      save_steps: 2,
      eval_steps: 2,
      seed: 7,
      safety_gate: gate,
    },
  },
  grpo: {
    engine: { backend: 'wasm' },
    model: { lora: { enabled: false } },
    reward,
    grpo: {
      steps: 4,
      num_generations: 4,
      per_device_train_batch_size: 2,
      gradient_accumulation_steps: 2,
      learning_rate: 1e-2,
      beta: 0.02,
      num_iterations: 2,
      save_steps: 2,
      eval_steps: 2,
      seed: 7,
      safety_gate: gate,
    },
  },
};

export async function fingerprint(root: string, reason: string): Promise<RunFingerprint> {
  const steps: RunFingerprint['steps'] = {};
  for (const line of await new JsonlLog(path.join(root, 'out/metrics.jsonl')).read()) {
    steps[String(line.step)] = Object.fromEntries(Object.entries(line).filter(([k]) => !k.startsWith('time/')));
  }
  const rollouts = (await new JsonlLog(path.join(root, 'out/rollouts.jsonl')).read()).map((l) => ({
    step: l.step as number,
    id: l.id as string,
    completion: l.completion as string,
    total: (l.reward as { total: number | null }).total,
  }));
  const final = await loadCheckpoint(path.join(root, 'out/checkpoints/final_rl_model'));
  const params = Object.fromEntries(
    final.state.param_names.map((name) => {
      const data = final.params[name]!.data;
      return [
        name,
        createHash('sha256')
          .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
          .digest('hex'),
      ];
    }),
  );
  return { steps, rollouts, params, reason };
}
