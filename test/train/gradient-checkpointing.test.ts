// gradient_checkpointing changes memory, not results: short PPO (LoRA with dropout) and SFT runs
// with it on log the same per-step metrics as the same runs (same seed) with it off.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Qwen3Model } from '../../core/src/engine/qwen3/model.js';
import { openRun } from '../../core/src/runtime/run.js';
import { runTrain } from '../../core/src/train/index.js';
import { JsonlLog } from '../../core/src/train/run-log.js';
import { runSft } from '../../core/src/train/sft/trainer.js';
import { TINY_SHAPE, lettersPlugin, openTinyRun, tinyProject } from './helpers.js';

/** Every numeric metric of every step line except timings. */
function numericMetrics(lines: Record<string, unknown>[]): Record<string, number>[] {
  return lines.map((l) =>
    Object.fromEntries(
      Object.entries(l).filter(([k, v]) => typeof v === 'number' && !k.startsWith('time/')) as [string, number][],
    ),
  );
}

function expectClose(a: Record<string, number>[], b: Record<string, number>[], tolerance: number): void {
  expect(b).toHaveLength(a.length);
  a.forEach((line, i) => {
    expect(Object.keys(b[i]!).sort()).toEqual(Object.keys(line).sort());
    for (const [k, v] of Object.entries(line)) {
      expect(Math.abs(v - b[i]![k]!), `step line ${i}, ${k}: ${v} vs ${b[i]![k]}`).toBeLessThanOrEqual(tolerance);
    }
  });
}

async function ppoMetrics(checkpointing: boolean): Promise<Record<string, number>[]> {
  const setup = await tinyProject(2);
  const run = await openTinyRun(setup, {
    model: { lora: { enabled: true, r: 4, alpha: 8, dropout: 0.2, targetModules: ['q', 'v', 'up', 'down'] } },
    ppo: {
      steps: 3,
      batch_size: 4,
      mini_batch_size: 2,
      ppo_epochs: 2,
      learning_rate: 5e-2,
      save_steps: null,
      seed: 4,
      gradient_checkpointing: checkpointing,
    },
  });
  try {
    const summary = await runTrain(run, { algo: 'ppo' });
    expect(summary.reason).toBe('finished');
  } finally {
    await run.close();
  }
  return numericMetrics(await new JsonlLog(path.join(setup.root, 'out/metrics.jsonl')).read());
}

async function sftLosses(checkpointing: boolean): Promise<number[]> {
  const root = await mkdtemp(path.join(tmpdir(), 'medrl-sft-ckpt-'));
  await mkdir(path.join(root, 'data/processed'), { recursive: true });
  const records = Array.from({ length: 4 }, (_, i) =>
    JSON.stringify({ id: `s${i}`, instruction: `question ${i}`, input: '', output: `answer ${i}` }),
  );
  await writeFile(path.join(root, 'data/processed/train.jsonl'), records.join('\n') + '\n');
  const losses: number[] = [];
  const run = await openRun({
    command: 'sft',
    cwd: root,
    config: {
      plugins: [
        lettersPlugin(new Set()),
        { name: 'steps', apiVersion: '1.0', onStep: ({ stats }) => void losses.push(stats.loss!) },
      ],
      reward: { components: [{ use: 'test/letters', weight: 1 }], clip: null },
      model: { from_scratch: true, tiny: { ...TINY_SHAPE, num_hidden_layers: 2, tokenizer: 'characters' } },
      sft: {
        num_train_epochs: 3,
        per_device_train_batch_size: 2,
        learning_rate: 5e-3,
        max_length: 64,
        eval_file: null,
        gradient_checkpointing: checkpointing,
      },
      output: { progress: 'none' },
    },
  });
  try {
    await runSft(run);
  } finally {
    await run.close();
  }
  return losses;
}

/** Counts training forwards that asked for recomputation (the option must reach the engine). */
function spyRecompute(): () => number {
  const spy = vi.spyOn(Qwen3Model.prototype, 'forward');
  return () => spy.mock.calls.filter(([, options]) => options?.recompute === true).length;
}

afterEach(() => vi.restoreAllMocks());

describe('gradient_checkpointing', () => {
  it('PPO with LoRA dropout: the same per-step metrics with and without it', async () => {
    const recomputed = spyRecompute();
    const plain = await ppoMetrics(false);
    expect(recomputed()).toBe(0);
    const checkpointed = await ppoMetrics(true);
    expect(recomputed()).toBeGreaterThan(0);
    expect(plain.length).toBeGreaterThanOrEqual(3);
    expect(plain.some((l) => 'ppo/loss/policy' in l)).toBe(true);
    expectClose(plain, checkpointed, 1e-4);
  }, 120_000);

  it('SFT (all weights): the same per-step losses with and without it', async () => {
    const recomputed = spyRecompute();
    const plain = await sftLosses(false);
    expect(recomputed()).toBe(0);
    const checkpointed = await sftLosses(true);
    expect(recomputed()).toBe(6);
    expect(plain).toHaveLength(6);
    // The loss moves, so equal sequences mean equal updates, not a frozen model.
    expect(plain.at(-1)).toBeLessThan(plain[0]!);
    checkpointed.forEach((loss, i) => expect(Math.abs(loss - plain[i]!)).toBeLessThan(1e-4));
    expect(checkpointed).toHaveLength(plain.length);
  }, 60_000);
});
