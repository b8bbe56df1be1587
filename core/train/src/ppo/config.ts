/**
 * PPO's derived sizes (TRL's PPOConfig.__post_init__): rollouts per optimizer step and the
 * mini-batch layout. The fields themselves live in config/sections/ppo.ts.
 */
import type { PpoSection } from '@medrl/core';

export type { PpoSection };

/** Rollouts whose gradients make one optimizer step: mini_batch_size * gradient_accumulation_steps. */
export function backwardBatchSize(cfg: Pick<PpoSection, 'mini_batch_size' | 'gradient_accumulation_steps'>): number {
  return cfg.mini_batch_size * cfg.gradient_accumulation_steps;
}

/** Splits `items` into consecutive chunks of `size` (the last may be shorter). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
