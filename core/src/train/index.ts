/**
 * The training services commands call: `runTrain` (PPO or GRPO) and `runSft`, plus the main job.
 */
import type { Run } from '../runtime/run.js';
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
