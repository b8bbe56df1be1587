/**
 * @medrl/train: the trainers commands call, `runTrain` (PPO or GRPO) and `runSft`, their checkpoint
 * state and run directories. Imports @medrl/core, @medrl/engine and @medrl/sdk; never the CLI.
 */
import type { Run } from '@medrl/core';
import { algorithmSpec } from './algorithms.js';
import { runRlTraining, type TrainOptions, type TrainSummary } from './rl-loop.js';

export type { TrainOptions, TrainSummary, RlAlgorithm, RlSection } from './rl-loop.js';
export { algorithmNames, algorithmSpec, registerAlgorithm, type AlgorithmSpec } from './algorithms.js';

/** `medrl train`: the registered algorithm `options.algo` (ppo, grpo) on the run's config. */
export async function runTrain(run: Run, options: TrainOptions): Promise<TrainSummary> {
  const spec = algorithmSpec(options.algo);
  const section = spec.section(run.config);
  return runRlTraining(run, section, options, (policy) => spec.create(policy, section));
}

export { writeDirAtomic } from './atomic-dir.js';
export { FINAL_DIR } from './checkpoint-state.js';
export { type ProgressMode } from './progress.js';
export { readPrompts } from './prompts.js';
export { listRuns, readRunInfo, type RunInfo, RUNS_DIR } from './run-dir.js';
export { runSft, SFT_FINAL_DIR, type SftSummary } from './sft/trainer.js';
