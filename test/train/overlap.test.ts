// Judging beside generation and training: with `overlap_judging` off a run is what it was before
// rows were streamed to the judge (fingerprints recorded on 6e809d7), whatever order the calls
// finish in; rows are judged as each finishes; with it on, each batch is one update older.
import { readFileSync } from 'node:fs';
import { cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Judgement, MedrlPlugin, RewardBreakdown } from '@medrl/sdk';
import judgeDeepseek from '@medrl/plugin-judge-deepseek';
import { describe, expect, it } from 'vitest';
import {
  answerBlock,
  scoresReply,
  startFakeServer,
  type FakeServer,
} from '../../plugins/judge-deepseek/test/fake-server.js';
import { runTrain } from '../../core/train/src/index.js';
import type { RolloutEvent } from '../../core/train/src/rollouts.js';
import { JsonlLog } from '../../core/train/src/run-log.js';
import { GOLDEN_CONFIGS, fingerprint, type RunFingerprint } from './golden.js';
import { lettersPlugin, openTinyRun, stopAfter, stopAtLetters, tinyProject, type TinySetup } from './helpers.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('overlap_judging off', () => {
  it.each(['ppo', 'grpo'] as const)(
    '%s: the run is bit-identical to the one recorded before row streaming',
    async (algo) => {
      const golden = JSON.parse(readFileSync(path.join(fixtures, `golden-${algo}.json`), 'utf8')) as RunFingerprint;
      const setup = await tinyProject(3);
      const config = GOLDEN_CONFIGS[algo];
      const run = await openTinyRun(setup, { ...config, [algo]: { ...config[algo], overlap_judging: false } });
      const summary = await runTrain(run, { algo });
      await run.close();
      const got = await fingerprint(setup.root, summary.reason);
      expect(got.reason).toBe(golden.reason);
      expect(got.rollouts).toEqual(golden.rollouts);
      expect(got.steps).toEqual(golden.steps);
      expect(got.params).toEqual(golden.params);
    },
    60_000,
  );
});

/** A judge server whose verdicts quote the answer, later requests of a batch answering first. */
async function quotingServer(latencyMs: number, reorder = true): Promise<FakeServer> {
  return startFakeServer({
    latencyMs,
    responder: (req) => {
      const answer = answerBlock(req.user)?.text ?? '';
      return {
        kind: 'content',
        content: JSON.stringify({
          scores: { safety: answer.length % 11, reasoning: 5, completeness: 5, empathy: 5 },
          overall_score: 0.5,
          critique: answer,
        }),
        delayMs: reorder ? 300 - 100 * (req.index % 4) : 0,
      };
    },
  });
}

function judgedRun(setup: TinySetup, server: FakeServer, ppo: Record<string, unknown>, extra: MedrlPlugin[] = []) {
  return openTinyRun(setup, {
    plugins: [
      lettersPlugin(setup.letterIds),
      judgeDeepseek({ baseURL: server.url, apiKey: 'sk-test-local-0000', cache: false, retries: 0 }),
      ...extra,
    ],
    judge: { use: 'deepseek' },
    reward: {
      components: [
        { use: 'test/letters', weight: 0.5 },
        { use: 'judge', weight: 0.5 },
      ],
      clip: null,
    },
    ppo: { batch_size: 4, mini_batch_size: 4, max_new_tokens: 48, seed: 1, save_steps: null, ...ppo },
  });
}

describe('rows are judged as each finishes', () => {
  it('the judge server sees a row before the batch is generated; out-of-order verdicts land on their own rollouts', async () => {
    const setup = await tinyProject(3);
    await stopAtLetters(setup, 'aeiou'); // rows end at different decoding steps
    const server = await quotingServer(0);
    const events: RolloutEvent[] = [];
    const seenAtGenerated: number[] = [];
    const seenAtRowDone: number[] = [];
    const run = await judgedRun(setup, server, { steps: 2, overlap_judging: false });
    try {
      await runTrain(run, {
        algo: 'ppo',
        onRolloutEvent: (e) => {
          events.push(e);
          if (e.kind === 'generated') seenAtGenerated.push(server.requests.length);
          if (e.kind === 'rowDone' && e.step === 1) seenAtRowDone.push(server.requests.length);
        },
      });
    } finally {
      await run.close();
      await server.close();
    }
    // Step 1: a row stopped early and its request reached the server while others still generated.
    const firstRow = events.findIndex((e) => e.kind === 'rowDone');
    const generated = events.findIndex((e) => e.kind === 'generated');
    expect(firstRow).toBeLessThan(generated - 1);
    expect(seenAtGenerated[0]).toBeGreaterThanOrEqual(1);
    // When the last row of step 1 finished, the server had already received an earlier row.
    expect(seenAtRowDone).toHaveLength(4);
    expect(seenAtRowDone.at(-1)).toBeGreaterThanOrEqual(1);
    expect(server.requests).toHaveLength(8); // one per row, none lost, none repeated

    // Verdicts came back out of order...
    const starts = events.flatMap((e) => (e.kind === 'scoreStart' ? e.rows.map((r) => `${e.step}/${r}`) : []));
    const ends = events.flatMap((e) => (e.kind === 'scoreEnd' ? e.rows.map((r) => `${e.step}/${r}`) : []));
    expect(ends.sort()).toEqual([...starts].sort());
    expect(ends).not.toEqual(starts);
    // ...and each sits on the rollout whose answer it judged.
    const lines = await new JsonlLog(path.join(setup.root, 'out/rollouts.jsonl')).read();
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      const judge = (line.reward as RewardBreakdown).components.judge!;
      const judgement = (judge.details as { judgement: Judgement }).judgement;
      expect(judgement.critique, String(line.id)).toBe(line.completion);
      expect(judgement.scores.safety).toBe((line.completion as string).length % 11);
      expect(judge.raw).not.toBeNull();
    }
  }, 60_000);

  it("the safety gate's calls run together, beside the next step's generation", async () => {
    const setup = await tinyProject(3);
    // The baseline's verdicts are held until a training row of step 1 reaches the judge: a gate
    // that waited for its verdicts before step 1 would only be released by the timeout.
    let releasedBy = 'timeout';
    let releaseAt = Number.POSITIVE_INFINITY;
    let release!: () => void;
    const trainingSeen = new Promise<void>((resolve) => (release = resolve));
    let gateSeen = 0;
    const server = await startFakeServer({
      responder: async (req) => {
        if (/what is/.test(req.user) && releaseAt === Number.POSITIVE_INFINITY) {
          releasedBy = 'training';
          releaseAt = req.at;
          release();
        }
        if (/ safe\?/.test(req.user) && gateSeen++ < 4) {
          await Promise.race([trainingSeen, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        }
        return scoresReply();
      },
    });
    const events: RolloutEvent[] = [];
    const run = await judgedRun(setup, server, {
      steps: 1,
      safety_gate: { enabled: true, prompts: ['data/red_team.jsonl'], sample_size: 4, score: 'judge' },
    });
    try {
      await runTrain(run, { algo: 'ppo', onRolloutEvent: (e) => events.push(e) });
    } finally {
      await run.close();
      await server.close();
    }
    expect(releasedBy).toBe('training');
    const gateRequests = server.requests.filter((r) => / safe\?/.test(r.user));
    expect(gateRequests).toHaveLength(8); // baseline and final evaluation, 4 answers each
    // All four baseline calls were out before any came back (together, not one after another).
    expect(gateRequests.slice(0, 4).every((r) => r.at <= releaseAt)).toBe(true);
    const baselineEnd = events.findIndex((e) => e.batch === 'gate' && e.step === 0 && e.kind === 'scoreEnd');
    const stepOneRow = events.findIndex((e) => e.batch === 'rollouts' && e.step === 1 && e.kind === 'rowDone');
    expect(stepOneRow).toBeGreaterThan(-1);
    expect(baselineEnd).toBeGreaterThan(stepOneRow);
    const metrics = await new JsonlLog(path.join(setup.root, 'out/metrics.jsonl')).read();
    expect(metrics.map((m) => m.step)).toEqual([0, 1]);
    expect(metrics[0]!['safety/score']).toBeCloseTo(0.7, 6); // scoresReply's verdict, weighted
  }, 60_000);
});

describe('overlap_judging on', () => {
  const lagConfig = (overlap: boolean) => ({
    ppo: {
      steps: 4,
      batch_size: 4,
      mini_batch_size: 4,
      ppo_epochs: 2,
      learning_rate: 1e-2,
      seed: 2,
      save_steps: null,
      overlap_judging: overlap,
    },
  });

  const lagConfigs = {
    ppo: lagConfig,
    grpo: (overlap: boolean) => ({
      grpo: {
        steps: 4,
        num_generations: 4,
        per_device_train_batch_size: 4,
        learning_rate: 2e-2,
        beta: 0.01,
        seed: 2,
        save_steps: null,
        overlap_judging: overlap,
      },
    }),
  };

  it.each(['ppo', 'grpo'] as const)(
    '%s: trains each batch one update after the weights that sampled it (step 1 as without it)',
    async (algo) => {
      const order = async (overlap: boolean) => {
        const setup = await tinyProject(3);
        const log: string[] = [];
        const steps: MedrlPlugin = {
          name: 'steps',
          apiVersion: '1.0',
          onStep: ({ step }) => void log.push(`update ${step}`),
        };
        const run = await openTinyRun(setup, {
          ...lagConfigs[algo](overlap),
          plugins: [lettersPlugin(setup.letterIds), steps],
        });
        await runTrain(run, {
          algo,
          onRolloutEvent: (e) => {
            if (e.kind === 'generated') log.push(`generate ${e.step}`);
          },
        });
        await run.close();
        return { log, run: await fingerprint(setup.root, 'finished') };
      };
      const off = await order(false);
      const on = await order(true);
      expect(off.log).toEqual([
        'generate 1',
        'update 1',
        'generate 2',
        'update 2',
        'generate 3',
        'update 3',
        'generate 4',
        'update 4',
      ]);
      expect(on.log).toEqual([
        'generate 1',
        'generate 2',
        'update 1',
        'generate 3',
        'update 2',
        'generate 4',
        'update 3',
        'update 4',
      ]);
      expect(Object.values(on.run.steps).map((s) => s['rollout/policy_lag'])).toEqual([0, 1, 1, 1]);
      expect(Object.values(off.run.steps).every((s) => !('rollout/policy_lag' in s))).toBe(true);
      // Batch 1 is sampled and trained by the same weights either way.
      expect(on.run.rollouts.filter((r) => r.step === 1)).toEqual(off.run.rollouts.filter((r) => r.step === 1));
      const { ['rollout/policy_lag']: lag, ...firstOn } = on.run.steps['1']!;
      expect(lag).toBe(0);
      expect(firstOn).toEqual(off.run.steps['1']);
      // Batch 2 is not: it was sampled before update 1.
      expect(on.run.rollouts.filter((r) => r.step === 2)).not.toEqual(off.run.rollouts.filter((r) => r.step === 2));
    },
    60_000,
  );

  it('resumes exactly: the batches generated ahead are kept in the checkpoint', async () => {
    const config = {
      model: { lora: { enabled: true, r: 4, alpha: 8, dropout: 0.1, targetModules: ['q' as const, 'v' as const] } },
      reward: {
        components: [
          { use: 'test/letters', weight: 1 },
          { use: 'test/calm', weight: 0.1 },
        ],
        clip: null,
        normalize: 'running' as const,
      },
      ppo: {
        ...lagConfig(true).ppo,
        steps: 6,
        save_steps: 2,
        eval_steps: 2,
        safety_gate: {
          enabled: true,
          prompts: ['data/red_team.jsonl'],
          sample_size: 4,
          score: 'test/calm',
          max_drop: null,
        },
      },
    };
    const whole = await tinyProject(3);
    const runA = await openTinyRun(whole, config);
    await runTrain(runA, { algo: 'ppo' });
    await runA.close();
    const expected = await fingerprint(whole.root, 'finished');

    const parts = await tinyProject(3);
    const controller = new AbortController();
    const stopper = stopAfter(3, controller);
    const runB = await openTinyRun(
      parts,
      { ...config, plugins: [lettersPlugin(parts.letterIds), stopper] },
      controller.signal,
    );
    expect((await runTrain(runB, { algo: 'ppo' })).reason).toBe('interrupted');
    await runB.close();
    const pendingOf = async (dir: string) =>
      (
        JSON.parse(await readFile(path.join(parts.root, 'out/checkpoints', dir, 'trainer_state.json'), 'utf8')) as {
          pending_batches?: { step: number; policy_version: number }[];
        }
      ).pending_batches;
    // step_2 was written once its gate verdict was in: batches 3 (in hand) and 4 (ahead) were generated.
    expect(await pendingOf('step_2')).toMatchObject([
      { step: 3, policy_version: 1 },
      { step: 4, policy_version: 2 },
    ]);
    expect(await pendingOf('step_3')).toMatchObject([{ step: 4, policy_version: 2 }]);

    // Resumed from step_3, and (a copy) from step_2: both end where the whole run did.
    const fromTwo = await tinyProject(3);
    await cp(path.join(parts.root, 'out'), path.join(fromTwo.root, 'out'), { recursive: true });
    await rm(path.join(fromTwo.root, 'out/checkpoints/step_3'), { recursive: true });
    for (const setup of [parts, fromTwo]) {
      const runC = await openTinyRun(setup, config);
      const summary = await runTrain(runC, { algo: 'ppo', resume: true });
      await runC.close();
      expect(summary.reason).toBe('finished');
      expect(await fingerprint(setup.root, summary.reason)).toEqual(expected);
    }
  }, 120_000);
});
