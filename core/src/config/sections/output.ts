/**
 * Config section `output`: where `medrl train` writes and what it keeps. Relative paths resolve
 * from the config file's directory.
 */
import { z } from 'zod';

export const outputSchema = z.strictObject({
  /** Root of RL outputs: checkpoints/step_N, checkpoints/final_rl_model, metrics.jsonl, rollouts.jsonl. Default `models/rl`. */
  output_dir: z.string().min(1).default('models/rl'),
  /** Keep at most this many step_N checkpoints (oldest deleted first; the best by safety gate is kept); null = all. Default null. */
  save_total_limit: z.number().int().positive().nullable().default(null),
  /** Write every rollout with its reward breakdown to rollouts.jsonl. Default true. */
  log_rollouts: z.boolean().default(true),
  /** Progress display: a live bar on a terminal, one log line per step otherwise, or nothing. Default auto. */
  progress: z.enum(['auto', 'bar', 'log', 'none']).default('auto'),
});

export type OutputSection = z.output<typeof outputSchema>;
