/**
 * @medrl/train: the trainers commands call, `runTrain` (PPO or GRPO) and `runSft`, their checkpoint
 * state and run directories. Imports @medrl/core, @medrl/engine and @medrl/sdk; never the CLI.
 */
import type { Run } from '@medrl/core';
import { GrpoAlgorithm } from './grpo/trainer.js';
import { PpoAlgorithm } from './ppo/trainer.js';
import { runRlTraining, type TrainOptions, type TrainSummary } from './rl-loop.js';

export type { TrainOptions, TrainSummary } from './rl-loop.js';

/** `medrl train`: PPO (default) or GRPO on the run's config. */
export function runTrain(run: Run, options: TrainOptions): Promise<TrainSummary> {
  if (options.algo === 'grpo') {
    const cfg = run.config.grpo;
    return runRlTraining(run, cfg, options, (policy) => new GrpoAlgorithm(policy, cfg));
  }
  const cfg = run.config.ppo;
  return runRlTraining(run, cfg, options, (policy) => new PpoAlgorithm(policy, cfg));
}

export { writeDirAtomic } from './atomic-dir.js';
export { FINAL_DIR } from './checkpoint-state.js';
export { type ProgressMode } from './progress.js';
export { readPrompts } from './prompts.js';
export { listRuns, readRunInfo, type RunInfo, RUNS_DIR } from './run-dir.js';
export { runSft, SFT_FINAL_DIR, type SftSummary } from './sft/trainer.js';
