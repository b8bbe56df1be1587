/**
 * A third RL algorithm plugs into the one loop by registering (algorithms.ts), with no edit to
 * rl-loop.ts: a toy REINFORCE (score-weighted response log-likelihood, one accumulated step per
 * batch) trains through runTrain, keeps its own state in checkpoints and gets it back on --resume.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { GrpoSection } from '@medrl/core';
import { algorithmNames, registerAlgorithm } from '../../core/train/src/algorithms.js';
import { FINAL_DIR, loadCheckpoint } from '../../core/train/src/checkpoint-state.js';
import { runTrain } from '../../core/train/src/index.js';
import { accumulatedStep, AdamW, type NamedParam } from '../../core/train/src/optimizer.js';
import type { Policy } from '../../core/train/src/policy.js';
import type { RlAlgorithm } from '../../core/train/src/rl-loop.js';
import type { Sampling, ScoredSample } from '../../core/train/src/rollouts.js';
import { lettersPlugin, openTinyRun, stopAfter, tinyProject } from './helpers.js';

type ReinforceState = { reinforce_updates: number };

class ToyReinforce implements RlAlgorithm<ReinforceState> {
  readonly algo = 'test-reinforce';
  readonly promptsPerStep = 2;
  readonly generationsPerPrompt = 2;
  readonly klStat = 'kl';
  readonly sampling: Sampling;
  readonly optimizer: AdamW;
  updates = 0;

  constructor(
    private readonly policy: Policy,
    cfg: GrpoSection,
  ) {
    this.sampling = { maxNewTokens: cfg.max_completion_length, temperature: 1, topK: 0, topP: 1 };
    this.optimizer = new AdamW(this.params());
  }

  params(): NamedParam[] {
    return this.policy.params();
  }

  async update(samples: ScoredSample[]): Promise<Record<string, number>> {
    const kept = samples.filter((s) => s.score !== null);
    const pairs = kept.map((s) => ({ query: s.queryIds, response: s.responseIds }));
    const { losses, gradNorm } = accumulatedStep(
      this.optimizer,
      this.params(),
      [pairs],
      (mb) => {
        const cur = this.policy.forwardResponses(mb, { training: true });
        const logLikelihood = tf.sum(tf.mul(cur.logprobs, cur.mask), 1);
        return tf.neg(tf.mean(tf.mul(logLikelihood, tf.tensor1d(kept.map((s) => s.score!))))) as tf.Scalar;
      },
      { maxGradNorm: 1, lr: 1e-2 },
    );
    this.updates += 1;
    return { loss: losses[0]!, grad_norm: gradNorm, kl: 0, updates: this.updates };
  }

  state(): ReinforceState {
    return { reinforce_updates: this.updates };
  }

  restore(state: Partial<ReinforceState>): void {
    if (state.reinforce_updates !== undefined) this.updates = state.reinforce_updates;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

registerAlgorithm<GrpoSection>({
  name: 'test-reinforce',
  section: (config) => config.grpo,
  create: (policy, cfg) => new ToyReinforce(policy, cfg),
});

describe('the algorithm registry', () => {
  it('lists ppo and grpo, and refuses a name twice', () => {
    expect(algorithmNames()).toEqual(['ppo', 'grpo', 'test-reinforce']);
    expect(() => registerAlgorithm({ name: 'ppo', section: (c) => c.ppo, create: () => ({}) as RlAlgorithm })).toThrow(
      'RL algorithm "ppo" is already registered',
    );
  });

  it('runs a registered third algorithm through the loop, with its own state checkpointed and resumed', async () => {
    const setup = await tinyProject(5);
    const grpo = { save_steps: 1, max_completion_length: 8 };
    const controller = new AbortController();
    const runA = await openTinyRun(
      setup,
      { plugins: [lettersPlugin(setup.letterIds), stopAfter(1, controller)], grpo },
      controller.signal,
    );
    const first = await runTrain(runA, { algo: 'test-reinforce', steps: 3 });
    await runA.close();
    expect(first).toMatchObject({ algo: 'test-reinforce', reason: 'interrupted', steps: 1 });
    const step1 = await loadCheckpoint<ReinforceState>(first.checkpointDir!);
    expect(step1.state).toMatchObject({ algo: 'test-reinforce', step: 1, reinforce_updates: 1 });

    const runB = await openTinyRun(setup, { grpo });
    const second = await runTrain(runB, { algo: 'test-reinforce', steps: 3, resume: true });
    await runB.close();
    expect(second).toMatchObject({ reason: 'finished', steps: 3, resumedFrom: 1 });
    const final = await loadCheckpoint<ReinforceState>(path.join(second.outputDir, 'checkpoints', FINAL_DIR));
    // Restored from step_1's state, then two more updates.
    expect(final.state).toMatchObject({ algo: 'test-reinforce', step: 3, reinforce_updates: 3 });
  });

  it('an unknown algorithm names the registered ones', async () => {
    const setup = await tinyProject(6);
    const run = await openTinyRun(setup, {});
    await expect(runTrain(run, { algo: 'rloo' })).rejects.toThrow(
      'unknown RL algorithm "rloo"; registered: ppo, grpo, test-reinforce',
    );
    await run.close();
  });
});
