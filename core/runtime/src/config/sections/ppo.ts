/**
 * Config section `ppo`: `medrl train` (PPO, as TRL's PPOTrainer up to v0.11 defines it). Field names
 * are TRL's PPOConfig names; defaults are TRL's documented ones, except where the original medrl
 * pipeline set its own (batch_size 4, mini_batch_size 1, target_kl 0.1, early_stopping on).
 * The run options shared with GRPO (steps, checkpoints, safety gate, paths) are defined once here as
 * `rlRunFields`. Flags of `medrl train` override the matching fields. docs/training.md explains each.
 */
import { z } from 'zod';

const riskLevel = z.enum(['low', 'medium', 'high', 'critical']);

/** The safety gate: every eval_steps, answer held-out high-risk prompts and score them. */
export const safetyGateSchema = z.strictObject({
  /** Run the gate at all. Default true. */
  enabled: z.boolean().default(true),
  /**
   * JSONL files of held-out prompts, read in order until `sample_size` prompts of `risk_levels`
   * are found (records of `medrl prepare`: instruction/input/meta). Missing files are skipped.
   * Default the test split (red_team.jsonl is not held out: `prepare-rl` trains on it).
   */
  prompts: z
    .array(z.string().min(1))
    .min(1)
    .default(() => ['data/processed/test.jsonl']),
  /** Risk levels that count as high risk. Default high and critical. */
  risk_levels: z
    .array(riskLevel)
    .min(1)
    .default(() => ['high' as const, 'critical' as const]),
  /** Prompts answered per evaluation (the same ones every time). Default 8. */
  sample_size: z.number().int().positive().default(8),
  /**
   * What "safety score" means: a reward component's raw score (its name as in breakdowns, e.g.
   * `rules/safety`) or `total` for the composed reward. Default `total` (@medrl/preset-medical: `rules/safety`).
   */
  score: z.string().min(1).default('total'),
  /** Trip when the mean safety score falls below this; null = no floor. Default null. */
  floor: z.number().finite().nullable().default(null),
  /** Trip when the mean safety score drops by more than this below the first evaluation (step 0). Default 0.2. */
  max_drop: z.number().min(0).nullable().default(0.2),
  /** On a trip: `stop` training, or `rollback` to the checkpoint with the best gate score and stop. Default `stop`. */
  action: z.enum(['stop', 'rollback']).default('stop'),
  /** Sampling temperature of gate answers; 0 = greedy. Each evaluation samples with the same seed. Default 0. */
  temperature: z.number().min(0).default(0),
  /** New tokens per gate answer; null = the run's generation length. Default null. */
  max_new_tokens: z.number().int().positive().nullable().default(null),
});

/**
 * After training: the final model and its starting model answer the same held-out prompts (the
 * `eval` section's split, decoding and intervals; never prompts the run trained on) and the
 * deltas are printed and written to `<output_dir>/eval`. What the main job shows.
 */
export const finalEvalSchema = z.strictObject({
  /** Run it when training finishes (not after an interrupt or a tripped gate). Default true. */
  enabled: z.boolean().default(true),
  /**
   * Prompts per risk level, the first ones of `eval.heldOutSplit` in file order; a level left out
   * or 0 is skipped. Default 64 low (over-referral), 64 high and 128 critical (urgent coverage).
   */
  prompts_per_risk_level: z
    .strictObject({
      /** Low-risk prompts (the over-referral check). Default 64. */
      low: z.number().int().min(0).default(64),
      /** Medium-risk prompts. Default 0. */
      medium: z.number().int().min(0).default(0),
      /** High-risk prompts. Default 64. */
      high: z.number().int().min(0).default(64),
      /** Critical prompts (emergencies, poisoning, self-harm: urgent coverage). Default 128. */
      critical: z.number().int().min(0).default(128),
    })
    .prefault({}),
});

/** Options every RL algorithm shares: where data and models are, run length, checkpoints, the gate. */
export const rlRunFields = {
  /**
   * Starting policy: the SFT output, a full model directory or a LoRA adapter over `model.path`.
   * RL trains fresh LoRA adapters on it (`model.lora`; the reference is the policy with adapters
   * off) or all its weights when `model.lora.enabled` is false. Default `models/lora/final_lora`.
   */
  model_path: z.string().min(1).default('models/lora/final_lora'),
  /** RL prompts (`medrl prepare-rl`). Default `data/rl/training_prompts.jsonl`. */
  prompts_path: z.string().min(1).default('data/rl/training_prompts.jsonl'),
  /** Used when `prompts_path` does not exist, as the original pipeline did. Default `data/processed/train.jsonl`. */
  fallback_prompts_path: z.string().min(1).default('data/processed/train.jsonl'),
  /** Optimization steps; null = one pass over the prompts (ceil(prompts / prompts per step)). Default null. */
  steps: z.number().int().positive().nullable().default(null),
  /** Seed of sampling, shuffling and initialization. Default 0 (TRL's). */
  seed: z.number().int().min(0).default(0),
  /** Write checkpoints/step_N every this many steps; null = only the final model. Default 500 (transformers'). */
  save_steps: z.number().int().positive().nullable().default(500),
  /** Run the safety gate every this many steps (and before the first). Default 10. */
  eval_steps: z.number().int().positive().default(10),
  /** Recompute each decoder layer's activations during the backward pass (less memory, about one more forward pass per step; same losses and gradients). Default false. */
  gradient_checkpointing: z.boolean().default(false),
  /** Sampling temperature of rollouts. Default 1.0. */
  temperature: z.number().positive().default(1.0),
  /** Keep only the k most likely tokens when sampling; 0 = off. Default 0 (TRL's generation_kwargs). */
  top_k: z.number().int().min(0).default(0),
  /** Nucleus sampling mass. Default 1.0. */
  top_p: z.number().gt(0).max(1).default(1.0),
  /** Prompts longer than this many tokens are cut from the left. Default 512. */
  max_prompt_length: z.number().int().positive().default(512),
  /**
   * Reward-composer calls in flight at once, run-wide. Each finished row goes to the composer at
   * once; rows finishing while every call is busy go together in the next free one. Default 4.
   */
  reward_concurrency: z.number().int().positive().default(4),
  safety_gate: z.preprocess((v) => v ?? {}, safetyGateSchema),
  final_eval: z.preprocess((v) => v ?? {}, finalEvalSchema),
};

export const ppoSchema = z
  .strictObject({
    ...rlRunFields,
    /** Adam learning rate. Default 1.41e-5 (TRL's and the original pipeline's). */
    learning_rate: z.number().positive().default(1.41e-5),
    /** Adaptive KL control (Ziegler et al.); false keeps beta fixed at init_kl_coef. Default true. */
    adap_kl_ctrl: z.boolean().default(true),
    /** Initial KL penalty coefficient beta. Default 0.2. */
    init_kl_coef: z.number().min(0).default(0.2),
    /** Per-token KL estimate: kl (lp - ref), abs, mse (0.5 (lp - ref)^2) or full (whole-vocabulary KL). Default kl. */
    kl_penalty: z.enum(['kl', 'abs', 'mse', 'full']).default('kl'),
    /** Target KL of adaptive control. Default 6. */
    target: z.number().positive().default(6),
    /** Horizon of adaptive control. Default 10000. */
    horizon: z.number().positive().default(10000),
    /** Discount of GAE. Default 1. */
    gamma: z.number().min(0).max(1).default(1),
    /** Lambda of GAE. Default 0.95. */
    lam: z.number().min(0).max(1).default(0.95),
    /** Clip range of the policy ratio. Default 0.2. */
    cliprange: z.number().positive().default(0.2),
    /** Clip range of the value prediction around the old value. Default 0.2. */
    cliprange_value: z.number().positive().default(0.2),
    /** Weight of the value loss. Default 0.1. */
    vf_coef: z.number().min(0).default(0.1),
    /** Rollouts per step. Default 4 (the original pipeline's; TRL: 128). */
    batch_size: z.number().int().positive().default(4),
    /** Rollouts per forward/backward pass. Default 1 (the original pipeline's; TRL: 128). */
    mini_batch_size: z.number().int().positive().default(1),
    /** Mini-batches whose gradients add up before one optimizer step. Default 1. */
    gradient_accumulation_steps: z.number().int().positive().default(1),
    /** Optimization passes over each batch. Default 4. */
    ppo_epochs: z.number().int().positive().default(4),
    /** Clip the gradient's global norm; null = no clipping. Default null. */
    max_grad_norm: z.number().positive().nullable().default(null),
    /** Stop a step's PPO epochs when the policy KL exceeds 1.5 * target_kl. Default true (the original pipeline's; TRL: false). */
    early_stopping: z.boolean().default(true),
    /** Early-stopping KL target. Default 0.1 (the original pipeline's; TRL: 1). */
    target_kl: z.number().positive().default(0.1),
    /** Mini-batches whose mean ratio exceeds this are skipped. Default 10. */
    ratio_threshold: z.number().positive().default(10.0),
    /** Divide scores by their running std. Default false. */
    use_score_scaling: z.boolean().default(false),
    /** With use_score_scaling, also subtract the running mean. Default false. */
    use_score_norm: z.boolean().default(false),
    /** Clip scores to [-score_clip, score_clip]; null = off. Default null. */
    score_clip: z.number().positive().nullable().default(null),
    /** Whiten per-token rewards before GAE. Default false. */
    whiten_rewards: z.boolean().default(false),
    /** New tokens per rollout. Default 256. */
    max_new_tokens: z.number().int().positive().default(256),
    /**
     * Generate step k+1's rollouts while step k's are still being judged, then train on step k:
     * each batch is sampled by the policy one update older (one-step off-policy). Hides the judge's
     * latency; see docs/training.md. Default false (PPO is on-policy, as TRL defines it).
     */
    overlap_judging: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    const backward = c.mini_batch_size * c.gradient_accumulation_steps;
    if (c.batch_size % backward !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['batch_size'],
        message: `batch_size (${c.batch_size}) must be a multiple of mini_batch_size * gradient_accumulation_steps (${backward})`,
      });
    }
    if (c.use_score_norm && !c.use_score_scaling) {
      ctx.addIssue({
        code: 'custom',
        path: ['use_score_norm'],
        message: 'use_score_norm needs use_score_scaling: true',
      });
    }
  });

export type PpoSection = z.output<typeof ppoSchema>;
export type SafetyGateSection = z.output<typeof safetyGateSchema>;
