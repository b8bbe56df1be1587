// Tiny training setups for the trainer tests: a 1-layer Qwen3 with a letters-only character
// vocabulary, a prompt file, and a reward the model can learn (the share of generated tokens that
// are lowercase letters).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definePlugin, type MedrlConfig, type MedrlPlugin, type Rollout } from '@medrl/sdk';
import { openRun, type Run } from '../../core/runtime/src/runtime/run.js';
import { createTinyModel, writeModelDir } from '../../core/train/src/sft/tiny-start.js';

export const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
export const MAX_NEW = 8;

export const TINY_SHAPE = {
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  head_dim: 16,
  max_position_embeddings: 256,
};

/** Settings under which the tiny model learns the letters reward (ppo-grpo.test.ts, bench/judge-overlap.ts --learning). */
export const LEARNING_SETTINGS = {
  ppo: {
    steps: 30,
    batch_size: 8,
    mini_batch_size: 4,
    ppo_epochs: 4,
    learning_rate: 1e-2,
    init_kl_coef: 0.02,
    early_stopping: false,
  },
  grpo: {
    steps: 25,
    num_generations: 4,
    per_device_train_batch_size: 8,
    gradient_accumulation_steps: 1,
    learning_rate: 2e-2,
    lr_scheduler_type: 'constant' as const,
    beta: 0.01,
    loss_type: 'dr_grpo' as const,
    epsilon_high: 0.28,
    num_iterations: 2,
  },
};

export interface TinySetup {
  root: string;
  /** Token ids of the 26 letters. */
  letterIds: Set<number>;
}

/** A temp project with models/start (tiny model), data/prompts.jsonl and data/red_team.jsonl. */
export async function tinyProject(seed = 0): Promise<TinySetup> {
  const root = await mkdtemp(path.join(tmpdir(), 'medrl-train-'));
  const start = await createTinyModel(
    [LETTERS + ' ?', 'what is this'],
    { ...TINY_SHAPE, tokenizer: 'characters' },
    { seed },
  );
  await writeModelDir(path.join(root, 'models/start'), start.model, start.tokenizer);
  const letterIds = new Set([...LETTERS].map((c) => start.tokenizer.tokenToId(c)!));
  start.model.dispose();
  await mkdir(path.join(root, 'data'), { recursive: true });
  const prompts = Array.from({ length: 16 }, (_, i) =>
    JSON.stringify({ id: `p${i}`, prompt: `what is ${LETTERS[i]}?` }),
  );
  await writeFile(path.join(root, 'data/prompts.jsonl'), prompts.join('\n') + '\n');
  const redTeam = Array.from({ length: 4 }, (_, i) =>
    JSON.stringify({ id: `r${i}`, prompt: `is ${LETTERS[i + 10]} safe?`, meta: { risk_level: 'high' } }),
  );
  await writeFile(path.join(root, 'data/red_team.jsonl'), redTeam.join('\n') + '\n');
  return { root, letterIds };
}

/** Share of the first MAX_NEW generated tokens that are letters. */
export function letterShare(rollout: Rollout, letterIds: Set<number>): number {
  return (rollout.tokens ?? []).filter((id) => letterIds.has(id)).length / MAX_NEW;
}

/** A plugin with the learnable reward `test/letters` and its opposite `test/calm` (for the safety gate). */
export function lettersPlugin(letterIds: Set<number>, extra: Partial<MedrlPlugin> = {}): MedrlPlugin {
  return definePlugin({
    name: 'test-letters',
    apiVersion: '1.0',
    setup(api) {
      api.registerReward({
        name: 'test/letters',
        async score(rollouts) {
          return rollouts.map((r) => ({ value: letterShare(r, letterIds) }));
        },
      });
      api.registerReward({
        name: 'test/calm',
        async score(rollouts) {
          return rollouts.map((r) => ({ value: 1 - letterShare(r, letterIds) }));
        },
      });
    },
    ...extra,
  });
}

/** Opens a run in the project with the letters reward and small PPO/GRPO settings, merged with `config`. */
export function openTinyRun(setup: TinySetup, config: MedrlConfig, signal?: AbortSignal): Promise<Run> {
  const base: MedrlConfig = {
    reward: { components: [{ use: 'test/letters', weight: 1 }], clip: null },
    model: { lora: { enabled: true, r: 8, alpha: 16, dropout: 0, targetModules: ['q', 'v', 'up', 'down'] } },
    output: { output_dir: 'out', progress: 'none' },
  };
  const common = {
    model_path: 'models/start',
    prompts_path: 'data/prompts.jsonl',
    safety_gate: { enabled: false, prompts: ['data/red_team.jsonl'] },
  };
  return openRun({
    command: 'train',
    cwd: setup.root,
    signal,
    config: {
      plugins: [lettersPlugin(setup.letterIds)],
      ...base,
      ...config,
      ppo: { ...common, max_new_tokens: MAX_NEW, ...(config.ppo ?? {}) },
      grpo: { ...common, max_completion_length: MAX_NEW, ...(config.grpo ?? {}) },
    },
  });
}

export function meanOf(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Makes some letters end an answer (generation_config.json's eos_token_id), so that rows of one
 * batch finish at different decoding steps — the untrained tiny model hardly ever samples its real
 * end-of-turn token.
 */
export async function stopAtLetters(setup: TinySetup, letters: string): Promise<void> {
  const { letterIds } = setup;
  const ids = [...letters].map((c) => [...letterIds][LETTERS.indexOf(c)]!);
  await writeFile(
    path.join(setup.root, 'models/start/generation_config.json'),
    JSON.stringify({ eos_token_id: ids }) + '\n',
  );
}

/** A plugin that aborts `controller` once step `step` is logged: an interrupt between steps. */
export function stopAfter(step: number, controller: AbortController): MedrlPlugin {
  return {
    name: 'stopper',
    apiVersion: '1.0',
    onStep: ({ step: done }) => {
      if (done === step) controller.abort();
    },
  };
}

/** LoRA settings of sftLoraThenPpo (SFT and PPO alike). */
export const PIPELINE_LORA = { enabled: true, r: 4, alpha: 8, dropout: 0, targetModules: ['q', 'v', 'up'] } as const;

/**
 * The usual pipeline on the tiny model: SFT with LoRA on models/start (model.path), then 2 PPO
 * steps with LoRA from models/lora/final_lora (SFT also saves models/lora/checkpoints/step_4), checkpoints by @medrl/plugin-checkpoint-hf into
 * rl/checkpoints/{step_2, start_model, final_rl_model}. Returns the open run (close it).
 */
export async function sftLoraThenPpo(seed = 3): Promise<{ setup: TinySetup; run: Run }> {
  const { default: checkpointHf } = await import('../../plugins/checkpoint-hf/src/index.js');
  const { runSft } = await import('../../core/train/src/sft/trainer.js');
  const { runTrain } = await import('../../core/train/src/index.js');
  const setup = await tinyProject(seed);
  await mkdir(path.join(setup.root, 'data/processed'), { recursive: true });
  const records = Array.from({ length: 8 }, (_, i) =>
    JSON.stringify({
      id: `s${i}`,
      instruction: `what is ${'abcd'[i % 4]}?`,
      input: '',
      output: `it is ${'wxyz'[i % 4]}`,
    }),
  );
  await writeFile(path.join(setup.root, 'data/processed/train.jsonl'), records.join('\n') + '\n');
  const run = await openRun({
    command: 'train',
    cwd: setup.root,
    config: {
      plugins: [lettersPlugin(setup.letterIds), checkpointHf()],
      reward: { components: [{ use: 'test/letters', weight: 1 }], clip: null },
      model: { path: 'models/start', lora: { ...PIPELINE_LORA, targetModules: [...PIPELINE_LORA.targetModules] } },
      sft: { num_train_epochs: 3, per_device_train_batch_size: 4, learning_rate: 5e-2, max_length: 64, save_steps: 4 },
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
  return { setup, run };
}
