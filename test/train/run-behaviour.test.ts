// The RL loop's contracts: exact resume, hooks and their payloads, judging that overlaps generation,
// and the safety gate's stop/rollback.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeRunReport } from '../../core/cli/src/report/run-report.js';
import type { HookName, HookPayloads, MedrlPlugin } from '@medrl/sdk';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../core/train/src/checkpoint-state.js';
import { runTrain } from '../../core/train/src/index.js';
import type { RolloutEvent } from '../../core/train/src/rollouts.js';
import { JsonlLog } from '../../core/train/src/run-log.js';
import { lettersPlugin, openTinyRun, stopAfter, tinyProject, type TinySetup } from './helpers.js';

const PPO = {
  steps: 6,
  batch_size: 4,
  mini_batch_size: 2,
  gradient_accumulation_steps: 2,
  ppo_epochs: 2,
  learning_rate: 1e-2,
  init_kl_coef: 0.05,
  use_score_scaling: true,
  use_score_norm: true,
  save_steps: 2,
  seed: 5,
};

/** Stats of every step without timings, which legitimately differ between runs. */
async function statsByStep(root: string): Promise<Record<number, Record<string, unknown>>> {
  const lines = await new JsonlLog(path.join(root, 'out/metrics.jsonl')).read();
  const out: Record<number, Record<string, unknown>> = {};
  for (const line of lines) {
    const kept = Object.fromEntries(Object.entries(line).filter(([k]) => !k.startsWith('time/')));
    expect(out[line.step as number], `step ${line.step} logged twice`).toBeUndefined();
    out[line.step as number] = kept;
  }
  return out;
}

async function completions(root: string): Promise<string[]> {
  const lines = await new JsonlLog(path.join(root, 'out/rollouts.jsonl')).read();
  return lines.map((l) => `${l.step}:${l.completion}`);
}

describe('resume', () => {
  it.each([
    { algo: 'ppo' as const, lora: true },
    { algo: 'grpo' as const, lora: false },
  ])(
    '$algo (LoRA $lora): interrupted after step 3 and resumed = uninterrupted',
    async ({ algo, lora }) => {
      const config = {
        model: {
          lora: {
            enabled: lora,
            r: 4,
            alpha: 8,
            dropout: 0.1,
            targetModules: ['q' as const, 'v' as const, 'down' as const],
          },
        },
        reward: { components: [{ use: 'test/letters', weight: 1 }], clip: null, normalize: 'running' as const },
        ppo: PPO,
        grpo: {
          steps: 6,
          num_generations: 2,
          per_device_train_batch_size: 2,
          gradient_accumulation_steps: 2,
          learning_rate: 1e-2,
          beta: 0.02,
          num_iterations: 2,
          save_steps: 2,
          seed: 5,
        },
      };
      const whole = await tinyProject(3);
      const runA = await openTinyRun(whole, config);
      await runTrain(runA, { algo });
      await runA.close();

      const parts = await tinyProject(3);
      const controller = new AbortController();
      const stopper = stopAfter(3, controller);
      const runB = await openTinyRun(
        parts,
        { ...config, plugins: [lettersPlugin(parts.letterIds), stopper] },
        controller.signal,
      );
      const first = await runTrain(runB, { algo });
      await runB.close();
      expect(first.reason).toBe('interrupted');
      expect(first.steps).toBe(3);
      expect(first.finalDir).toBeUndefined();
      expect(await readdir(path.join(parts.root, 'out/checkpoints'))).toEqual(['step_2', 'step_3']);

      const runC = await openTinyRun(parts, config);
      const second = await runTrain(runC, { algo, resume: true });
      await runC.close();
      expect(second.resumedFrom).toBe(3);
      expect(second.reason).toBe('finished');

      const a = await statsByStep(whole.root);
      const b = await statsByStep(parts.root);
      expect(Object.keys(b)).toEqual(Object.keys(a));
      for (const step of Object.keys(a)) expect(b[Number(step)], `step ${step}`).toEqual(a[Number(step)]);
      expect(await completions(parts.root)).toEqual(await completions(whole.root));
      const finalA = await loadCheckpoint(path.join(whole.root, 'out/checkpoints/final_rl_model'));
      const finalB = await loadCheckpoint(path.join(parts.root, 'out/checkpoints/final_rl_model'));
      for (const name of finalA.state.param_names) {
        expect([...finalB.params[name]!.data], name).toEqual([...finalA.params[name]!.data]);
      }
    },
    120_000,
  );
});

type Recorded = { hook: HookName; payload: unknown; filesPresent?: boolean };

function recorder(log: Recorded[]): MedrlPlugin {
  const push =
    <K extends HookName>(hook: K) =>
    async (payload: HookPayloads[K]) => {
      const entry: Recorded = { hook, payload: structuredClone(payload) };
      if (hook === 'checkpoint') {
        const dir = (payload as HookPayloads['checkpoint']).dir;
        entry.filesPresent = await stat(path.join(dir, 'trainer_state.json')).then(
          () => true,
          () => false,
        );
      }
      log.push(entry);
    };
  return {
    name: 'recorder',
    apiVersion: '1.0',
    onTrainStart: push('trainStart'),
    onRollout: push('rollout'),
    onReward: push('reward'),
    onStep: push('step'),
    onCheckpoint: push('checkpoint'),
    onTrainEnd: push('trainEnd'),
  };
}

/** A reward component that answers after 40 ms, like a remote judge. */
function slowJudge(setup: TinySetup): MedrlPlugin {
  return {
    name: 'slow-judge',
    apiVersion: '1.0',
    setup(api) {
      api.registerReward({
        name: 'test/slow',
        async score(rollouts) {
          await new Promise((resolve) => setTimeout(resolve, 40));
          // The share of letter tokens: component values must lie in [-1, 1] (the plugin output contract).
          return rollouts.map((r) => {
            const tokens = r.tokens ?? [];
            return { value: tokens.filter((id) => setup.letterIds.has(id)).length / Math.max(tokens.length, 1) };
          });
        },
      });
    },
  };
}

describe('hooks and overlapped judging', () => {
  it('fires every hook with its payload, in order, and scores every row once', async () => {
    const setup = await tinyProject(4);
    const log: Recorded[] = [];
    const events: RolloutEvent[] = [];
    const run = await openTinyRun(setup, {
      plugins: [lettersPlugin(setup.letterIds), slowJudge(setup), recorder(log)],
      reward: {
        components: [
          { use: 'test/letters', weight: 0.5 },
          { use: 'test/slow', weight: 0.5 },
        ],
        clip: null,
      },
      ppo: { ...PPO, steps: 2, save_steps: 1, mini_batch_size: 1, gradient_accumulation_steps: 1 },
    });
    try {
      const summary = await runTrain(run, { algo: 'ppo', onRolloutEvent: (e) => events.push(e) });
      expect(summary.reason).toBe('finished');
    } finally {
      await run.close();
    }
    expect(log.map((e) => e.hook)).toEqual([
      'trainStart',
      'rollout',
      'reward',
      'step',
      'checkpoint',
      'rollout',
      'reward',
      'step',
      'checkpoint',
      'checkpoint',
      'trainEnd',
    ]);
    const start = log[0]!.payload as HookPayloads['trainStart'];
    expect(start).toMatchObject({ algo: 'ppo', totalSteps: 2, outputDir: path.join(setup.root, 'out') });
    expect((start.config as { ppo: { batch_size: number } }).ppo.batch_size).toBe(4);
    const rollout = log[1]!.payload as HookPayloads['rollout'];
    expect(rollout.step).toBe(1);
    expect(rollout.rollouts).toHaveLength(4);
    expect(rollout.rollouts[0]!.tokens!.length).toBeGreaterThan(0);
    const reward = log[2]!.payload as HookPayloads['reward'];
    expect(reward.breakdowns.map((b) => b.id)).toEqual(reward.rollouts.map((r) => r.id));
    expect(Object.keys(reward.breakdowns[0]!.components).sort()).toEqual(['test/letters', 'test/slow']);
    const step = log[3]!.payload as HookPayloads['step'];
    expect(step.step).toBe(1);
    expect(step.stats['reward/test/slow/mean']).toBeGreaterThanOrEqual(0);
    expect(step.stats['env/reward_mean']).toBeCloseTo(
      reward.breakdowns.reduce((a, b) => a + b.total!, 0) / reward.breakdowns.length,
      6,
    );
    const checkpoints = log.filter((e) => e.hook === 'checkpoint');
    expect(checkpoints.map((c) => (c.payload as HookPayloads['checkpoint']).final)).toEqual([false, false, true]);
    expect(checkpoints.every((c) => c.filesPresent)).toBe(true);
    expect((log.at(-1)!.payload as HookPayloads['trainEnd']).reason).toBe('finished');

    // Every row went to the reward once, after it finished (tests of the timing: overlap.test.ts).
    const done = events.filter((e) => e.kind === 'rowDone' && e.batch === 'rollouts');
    expect(done.map((e) => `${e.step}/${(e as { row: number }).row}`).sort()).toEqual([
      '1/0',
      '1/1',
      '1/2',
      '1/3',
      '2/0',
      '2/1',
      '2/2',
      '2/3',
    ]);
    const scored = events.flatMap((e) => (e.kind === 'scoreStart' ? e.rows.map((r) => `${e.step}/${r}`) : []));
    expect(scored.sort()).toEqual(done.map((e) => `${e.step}/${(e as { row: number }).row}`).sort());

    // `medrl report` reads what the trainer wrote: 2 steps of stats, 8 rollouts with breakdowns.
    const report = await writeRunReport(path.join(setup.root, 'out'));
    expect(report).toMatchObject({ steps: 2, rollouts: 8 });
    const html = await readFile(report.file, 'utf8');
    expect(html).toContain('test/letters');
    expect(html).toContain('env/reward_mean');
  }, 60_000);
});

describe('safety gate', () => {
  it.each(['stop', 'rollback'] as const)(
    '%s when the safety score drops below the start',
    async (action) => {
      const setup = await tinyProject(1);
      const run = await openTinyRun(setup, {
        model: { lora: { enabled: false } },
        reward: {
          components: [
            { use: 'test/letters', weight: 1 },
            { use: 'test/calm', weight: 0 },
          ],
          clip: null,
        },
        ppo: {
          steps: 30,
          batch_size: 8,
          mini_batch_size: 4,
          ppo_epochs: 4,
          learning_rate: 1e-2,
          init_kl_coef: 0.02,
          early_stopping: false,
          save_steps: null,
          eval_steps: 5,
          seed: 1,
          safety_gate: {
            enabled: true,
            prompts: ['data/red_team.jsonl'],
            sample_size: 4,
            score: 'test/calm',
            max_drop: 0.15,
            temperature: 1,
            action,
          },
        },
      });
      let summary;
      try {
        summary = await runTrain(run, { algo: 'ppo' });
      } finally {
        await run.close();
      }
      // Learning letters makes answers less "calm": the gate must trip before the 30 steps end.
      expect(summary.reason).toMatch(/^safety gate: safety score .* dropped .* more than max_drop 0\.15/);
      expect(summary.steps).toBeLessThan(30);
      expect(summary.steps % 5).toBe(0);
      const lines = await new JsonlLog(path.join(setup.root, 'out/metrics.jsonl')).read();
      const gateLines = lines.filter((l) => 'safety/score' in l);
      expect(gateLines[0]!.step).toBe(0);
      expect(gateLines.at(-1)!['safety/tripped']).toBe(1);
      const final = await loadCheckpoint(path.join(setup.root, 'out/checkpoints/final_rl_model'));
      expect(final.state.end_reason).toBe(summary.reason);
      if (action === 'stop') {
        expect(summary.reason).toMatch(/; stopped$/);
      } else {
        const best = /rolled back to step_(\d+)/.exec(summary.reason);
        expect(best).not.toBeNull();
        const bestDir = path.join(setup.root, `out/checkpoints/step_${best![1]}`);
        const bestState = await loadCheckpoint(bestDir);
        for (const name of bestState.state.param_names) {
          expect([...final.params[name]!.data], name).toEqual([...bestState.params[name]!.data]);
        }
      }
    },
    120_000,
  );
});
