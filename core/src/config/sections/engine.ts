/**
 * Config section `engine`: where the policy model runs (TensorFlow.js backend) and the sampling
 * defaults of `medrl generate`. Trainers have their own generation settings (ppo, grpo).
 */
import { z } from 'zod';

export const engineSchema = z.strictObject({
  /**
   * TensorFlow.js backend: `auto` takes `tensorflow-gpu` (the package `@tensorflow/tfjs-node-gpu`),
   * then `tensorflow` (`@tensorflow/tfjs-node`; both optional installs, see docs/training.md for a
   * local build against pip's TensorFlow), then `wasm` (SIMD), then `cpu`. Naming one that is not
   * installed is an error that says how to install it. Default `auto`.
   */
  backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /**
   * Threads for the model's kernels (generation, training, eval): `auto` = every core the process may
   * use; 1 = one thread (wasm: tfjs's single-threaded build). Results are the same for any count.
   * The `--threads` flag of generate, sft, train and eval overrides it. Default `auto`.
   */
  threads: z.union([z.literal('auto'), z.number().int().min(1)]).default('auto'),
  /** Sampling defaults of `medrl generate` (flags override them). */
  generation: z
    .strictObject({
      /** Most new tokens per prompt. Default 256. */
      maxNewTokens: z.number().int().positive().default(256),
      /** 0 = greedy. Default 0.6 (Qwen3's recommendation for thinking mode). */
      temperature: z.number().min(0).default(0.6),
      /** Keep the k most likely tokens; 0 = off. Default 20. */
      topK: z.number().int().min(0).default(20),
      /** Nucleus sampling mass; 1 = off. Default 0.95. */
      topP: z.number().gt(0).max(1).default(0.95),
      /** Sampling seed. Default 0. */
      seed: z.number().int().default(0),
    })
    .prefault({}),
});

export type EngineConfig = z.output<typeof engineSchema>;
