/**
 * Config section `grpo`: `medrl train --algo grpo`. Field names and defaults are TRL's GRPOConfig
 * (and the TrainingArguments it inherits); the run options shared with PPO (steps, checkpoints,
 * safety gate, paths, sampling) come from `rlRunFields` in ppo.ts. docs/training.md explains each.
 */
import { z } from 'zod';
import { rlRunFields } from './ppo.js';

export const grpoSchema = z
  .strictObject({
    ...rlRunFields,
    /** AdamW learning rate. Default 1e-6 (TRL's). */
    learning_rate: z.number().positive().default(1e-6),
    /** Learning-rate schedule over the run: linear decay to 0 or constant. Default linear (transformers'). */
    lr_scheduler_type: z.enum(['linear', 'constant']).default('linear'),
    /** Share of the steps spent warming the learning rate up from 0. Default 0. */
    warmup_ratio: z.number().min(0).max(1).default(0),
    /** AdamW decoupled weight decay. Default 0. */
    weight_decay: z.number().min(0).default(0),
    /** Clip the gradient's global norm; null = off. Default 1.0 (transformers'). */
    max_grad_norm: z.number().positive().nullable().default(1.0),
    /** Completions per micro-batch (one forward/backward). Default 8. */
    per_device_train_batch_size: z.number().int().positive().default(8),
    /** Micro-batches per optimizer step; one generation batch = per_device_train_batch_size * this. Default 1. */
    gradient_accumulation_steps: z.number().int().positive().default(1),
    /** Completions sampled per prompt (the group). Default 8. */
    num_generations: z.number().int().min(2).default(8),
    /** New tokens per completion. Default 256. */
    max_completion_length: z.number().int().positive().default(256),
    /** Weight of the k3 KL to the reference (adapters off); 0 skips the reference pass. Default 0.0. */
    beta: z.number().min(0).default(0.0),
    /** Optimization passes over each generation batch (mu). Default 1. */
    num_iterations: z.number().int().positive().default(1),
    /** Lower clip epsilon of the ratio. Default 0.2. */
    epsilon: z.number().positive().default(0.2),
    /** Upper clip epsilon; null = epsilon (DAPO recommends 0.28). Default null. */
    epsilon_high: z.number().positive().nullable().default(null),
    /** Advantage scaling: by the group's std, the batch's std, or none (Dr. GRPO). Default group. */
    scale_rewards: z
      .union([z.enum(['group', 'batch', 'none']), z.boolean()])
      .default('group')
      .transform((v) => (v === true ? 'group' : v === false ? 'none' : v)),
    /** Loss aggregation: grpo, bnpo, dr_grpo or dapo. Default dapo (TRL's). */
    loss_type: z.enum(['grpo', 'bnpo', 'dr_grpo', 'dapo']).default('dapo'),
    /** Exclude completions cut at max_completion_length from the loss. Default false. */
    mask_truncated_completions: z.boolean().default(false),
    /**
     * Generate step k+1's completions while step k's are still being judged, then train on step k:
     * each batch is sampled by the policy one update older (one-step off-policy). Hides the judge's
     * latency; see docs/training.md. Default false (measured: at a 1 s judge the lag cost more
     * reward per step than the time it saved).
     */
    overlap_judging: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    const generationBatch = c.per_device_train_batch_size * c.gradient_accumulation_steps;
    if (generationBatch % c.num_generations !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_generations'],
        message: `per_device_train_batch_size * gradient_accumulation_steps (${generationBatch}) must be a multiple of num_generations (${c.num_generations})`,
      });
    }
  });

export type GrpoSection = z.output<typeof grpoSchema>;
