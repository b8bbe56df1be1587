/**
 * GRPO's derived sizes (TRL's GRPOConfig): completions per generation batch and prompts per step.
 * The fields themselves live in config/sections/grpo.ts.
 */
import type { GrpoSection } from '@medrl/core';

export type { GrpoSection };

/** Completions generated per step: per_device_train_batch_size * gradient_accumulation_steps. */
export function generationBatchSize(
  cfg: Pick<GrpoSection, 'per_device_train_batch_size' | 'gradient_accumulation_steps'>,
): number {
  return cfg.per_device_train_batch_size * cfg.gradient_accumulation_steps;
}

/** Distinct prompts per step: the generation batch divided into groups of num_generations. */
export function promptsPerStep(cfg: GrpoSection): number {
  return generationBatchSize(cfg) / cfg.num_generations;
}
