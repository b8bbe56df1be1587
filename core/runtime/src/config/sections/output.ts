/**
 * Config section `output`: where `medrl train` writes and what it keeps. Relative paths resolve
 * from the config file's directory.
 */
import { z } from 'zod';

export const outputSchema = z.strictObject({
  /** Root of RL outputs: checkpoints/step_N, checkpoints/final_rl_model, metrics.jsonl, rollouts.jsonl. Default `models/rl`. */
  output_dir: z.string().min(1).default('models/rl'),
  /** Keep at most this many step_N checkpoints of the run (oldest deleted first; the best by safety gate is kept); null = all. Default null. */
  save_total_limit: z.number().int().positive().nullable().default(null),
  /** Write every rollout with its reward breakdown to rollouts.jsonl. Default true. */
  log_rollouts: z.boolean().default(true),
  /** Progress display: a live bar on a terminal, one log line per step otherwise, or nothing. Default auto. */
  progress: z.enum(['auto', 'bar', 'log', 'none']).default('auto'),
  /**
   * Name of the next `sft`/`train` run (`--run-name`); it names the folder `runs/<name>` the run moves to when a later run
   * starts. null = the start time, e.g. `2026-05-07_14-03-59`. Default null.
   */
  run_name: z.string().min(1).nullable().default(null),
  /** Delete the earlier run in the output directory instead of moving it to `runs/<name>` (`--overwrite-output-dir`). Default false. */
  overwrite_output_dir: z.boolean().default(false),
  /**
   * Loggers that receive every logged row of `sft` and `train` (TRL's report_to): `tensorboard` (event files in
   * `<output_dir>/tensorboard`), any logger plugin's module specifier (e.g. `./examples/logger-mlflow`), or `[]` for none.
   * Default `[]`; the medrl CLI's preset (@medrl/preset-medical) sets `["tensorboard"]`.
   */
  report_to: z.array(z.string().min(1)).default(() => []),
});

export type OutputSection = z.output<typeof outputSchema>;
