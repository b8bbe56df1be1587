/**
 * Config section `sft`: `medrl sft`. Field names are TRL's SFTConfig / transformers'
 * TrainingArguments; defaults are theirs except the original pipeline's epochs (3), batch size (4)
 * and loss on assistant tokens only. A real checkpoint (`model.path`) trains LoRA adapters as
 * `model.lora` says; the embedded tiny model trains all its weights from scratch.
 * docs/training.md explains each field.
 */
import { z } from 'zod';

export const sftSchema = z.strictObject({
  /** Training records (`medrl prepare`). Default `data/processed/train.jsonl`. */
  train_file: z.string().min(1).default('data/processed/train.jsonl'),
  /** Records for the eval loss; null = no evaluation. Default `data/processed/dev.jsonl`. */
  eval_file: z.string().min(1).nullable().default('data/processed/dev.jsonl'),
  /** Where the result goes: `<output_dir>/final_lora` (adapter or full model, with config). Default `models/lora`. */
  output_dir: z.string().min(1).default('models/lora'),
  /** Passes over the training data. Default 3 (the original pipeline's). */
  num_train_epochs: z.number().positive().default(3),
  /** Records per micro-batch. Default 4 (the original pipeline's). */
  per_device_train_batch_size: z.number().int().positive().default(4),
  /** Records per eval batch. Default 8. */
  per_device_eval_batch_size: z.number().int().positive().default(8),
  /** Micro-batches per optimizer step. Default 1. */
  gradient_accumulation_steps: z.number().int().positive().default(1),
  /**
   * Peak AdamW learning rate; null = 2e-5 (TRL SFTConfig's) for a real checkpoint and 1e-3 for the
   * tiny model, which trains from scratch. Default null.
   */
  learning_rate: z.number().positive().nullable().default(null),
  /** Schedule after warmup: linear decay to 0, cosine, or constant. Default linear. */
  lr_scheduler_type: z.enum(['linear', 'cosine', 'constant']).default('linear'),
  /** Warmup steps (wins over warmup_ratio when > 0). Default 0. */
  warmup_steps: z.number().int().min(0).default(0),
  /** Share of all optimizer steps used for warmup. Default 0. */
  warmup_ratio: z.number().min(0).max(1).default(0),
  /** AdamW decoupled weight decay. Default 0. */
  weight_decay: z.number().min(0).default(0),
  /** Clip the gradient's global norm; null = off. Default 1.0. */
  max_grad_norm: z.number().positive().nullable().default(1.0),
  /** Token sequences are cut to this length (from the right). Default 1024 (TRL's). */
  max_length: z.number().int().positive().default(1024),
  /** Loss on the assistant's tokens only (prompt tokens are masked out). Default true (TRL: false). */
  assistant_only_loss: z.boolean().default(true),
  /** Evaluate every this many optimizer steps and at the last one; null = at the end of each epoch. Default null. */
  eval_steps: z.number().int().positive().nullable().default(null),
  /** Eval at most this many records (the first ones); null = all. Default null. */
  max_eval_samples: z.number().int().positive().nullable().default(null),
  /**
   * Batch records of similar token length together (transformers' group_by_length): far less
   * padding, so faster steps; batches stay random in content and order. Default false.
   */
  group_by_length: z.boolean().default(false),
  /**
   * Write a row of sft_metrics.jsonl (and to the report_to loggers) every this many optimizer steps, with `loss` = the
   * mean training loss over those steps; evaluations and the last step always write one. Default 10.
   */
  logging_steps: z.number().int().positive().default(10),
  /** Write a resumable checkpoint `<output_dir>/checkpoints/step_N` every this many optimizer steps; null = only when interrupted. Default 500 (transformers'). */
  save_steps: z.number().int().positive().nullable().default(500),
  /** Keep at most this many step_N checkpoints (oldest deleted first); null = all. Default null. */
  save_total_limit: z.number().int().positive().nullable().default(null),
  /** Seed of shuffling, dropout and adapter initialization. Default 42 (transformers'). */
  seed: z.number().int().min(0).default(42),
  /** Recompute each decoder layer's activations during the backward pass (less memory, about one more forward pass per step; same losses and gradients). Default false. */
  gradient_checkpointing: z.boolean().default(false),
});

export type SftSection = z.output<typeof sftSchema>;
