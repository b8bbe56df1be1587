// Short PPO and GRPO runs on a tiny model: the reward it can learn (share of letter tokens) must
// clearly rise; the stats carry TRL's names.
import { describe, expect, it } from 'vitest';
import { runTrain } from '../../core/train/src/index.js';
import { JsonlLog } from '../../core/train/src/run-log.js';
import path from 'node:path';
import { LEARNING_SETTINGS, meanOf, openTinyRun, tinyProject } from './helpers.js';

async function rewards(root: string): Promise<number[]> {
  const lines = await new JsonlLog(path.join(root, 'out/metrics.jsonl')).read();
  return lines.filter((l) => (l.step as number) > 0).map((l) => l['env/reward_mean'] as number);
}

describe('learning a learnable reward', () => {
  // All weights train here: LoRA on a randomly initialized model cannot move its tiny tied
  // embeddings, so the logits it can reach are too flat to learn in a few steps (LoRA is covered by
  // the resume test).
  it('PPO (adaptive KL, frozen reference copy) raises the reward', async () => {
    const setup = await tinyProject(1);
    const run = await openTinyRun(setup, {
      model: { lora: { enabled: false } },
      ppo: { ...LEARNING_SETTINGS.ppo, save_steps: null, seed: 1 },
    });
    try {
      const summary = await runTrain(run, { algo: 'ppo' });
      expect(summary.reason).toBe('finished');
      const r = await rewards(setup.root);
      expect(r).toHaveLength(30);
      const first = meanOf(r.slice(0, 5));
      const last = meanOf(r.slice(-5));
      // Start: ~26 letters among ~290 tokens (~0.1); the policy must at least quadruple its share.
      expect(first).toBeLessThan(0.25);
      expect(last).toBeGreaterThan(first + 0.3);
      const lines = await new JsonlLog(path.join(setup.root, 'out/metrics.jsonl')).read();
      for (const name of [
        'objective/kl',
        'objective/kl_coef',
        'objective/entropy',
        'ppo/loss/policy',
        'ppo/loss/value',
        'ppo/policy/approxkl',
        'ppo/policy/clipfrac',
        'ppo/returns/mean',
        'ppo/val/var_explained',
        'env/reward_mean',
        'env/reward_std',
        'reward/test/letters/mean',
        'time/ppo/total',
      ]) {
        expect(lines[0], name).toHaveProperty([name]);
      }
      // Adaptive control moved beta away from its start.
      expect(lines.at(-1)!['objective/kl_coef']).not.toBe(0.02);
    } finally {
      await run.close();
    }
  }, 120_000);

  it('GRPO (all weights, dr_grpo, beta > 0) raises the reward', async () => {
    const setup = await tinyProject(2);
    const run = await openTinyRun(setup, {
      model: { lora: { enabled: false } },
      grpo: { ...LEARNING_SETTINGS.grpo, save_steps: null, seed: 2 },
    });
    try {
      const summary = await runTrain(run, { algo: 'grpo' });
      expect(summary.reason).toBe('finished');
      const r = await rewards(setup.root);
      const first = meanOf(r.slice(0, 5));
      const last = meanOf(r.slice(-5));
      expect(first).toBeLessThan(0.25);
      expect(last).toBeGreaterThan(first + 0.3);
      const lines = await new JsonlLog(path.join(setup.root, 'out/metrics.jsonl')).read();
      for (const name of [
        'loss',
        'reward',
        'reward_std',
        'kl',
        'entropy',
        'clip_ratio/region_mean',
        'frac_reward_zero_std',
      ]) {
        expect(lines[0], name).toHaveProperty([name]);
      }
    } finally {
      await run.close();
    }
  }, 120_000);

  it('GRPO with beta = 0 (the default) still logs its KL, which grows from 0 as the policy moves', async () => {
    const setup = await tinyProject(3);
    const run = await openTinyRun(setup, {
      model: { lora: { enabled: false } },
      grpo: {
        steps: 3,
        num_generations: 4,
        per_device_train_batch_size: 8,
        learning_rate: 2e-2,
        beta: 0,
        save_steps: null,
        seed: 3,
      },
    });
    try {
      const summary = await runTrain(run, { algo: 'grpo', progress: 'none' });
      const lines = (await new JsonlLog(path.join(setup.root, 'out/metrics.jsonl')).read()).filter(
        (l) => (l.step as number) > 0,
      );
      const kls = lines.map((l) => l.kl as number);
      expect(kls).toHaveLength(3);
      for (const kl of kls) expect(Number.isFinite(kl)).toBe(true);
      expect(kls[0]).toBeCloseTo(0, 6); // the first update starts at the reference
      expect(kls[2]).toBeGreaterThan(0);
      expect(summary.klLast).toBe(kls[2]);
    } finally {
      await run.close();
    }
  }, 120_000);
});
