/**
 * Config section `model`: which policy model to train or run, the embedded tiny model's shape, and
 * LoRA. Relative paths resolve from the config file's directory.
 */
import { z } from 'zod';

export const LORA_TARGET_MODULES = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;

export const modelSchema = z.strictObject({
  /**
   * A local Hugging Face Qwen3 directory (config.json, model.safetensors or a sharded index,
   * tokenizer.json + tokenizer_config.json). Unset: the embedded model that ships with medrl
   * (medrl-qwen3-tiny, trained by `npm run model:train`).
   */
  path: z.string().min(1).optional(),
  /**
   * `medrl sft` builds a new model of the `tiny` shape, with a tokenizer made from the training
   * data, and trains all its weights, instead of fine-tuning `path`. How the embedded model was made.
   * Default false.
   */
  from_scratch: z.boolean().default(false),
  /** Seed of a from-scratch model's random initialization. Default 0. */
  seed: z.number().int().default(0),
  /**
   * Shape of a from-scratch model (`from_scratch`); its vocab_size is its tokenizer's. Fields are
   * Hugging Face config.json names. Defaults: 4 layers, hidden 256, 4 query and 2 key/value heads
   * of 64, MLP 768, 1024 positions, tied lm_head.
   */
  tiny: z
    .strictObject({
      /**
       * Tokenizer of a from-scratch model: `qwen3` is the real Qwen3 tokenizer with its vocabulary
       * pruned to the tokens the training data uses (plus the 256 bytes and the control tokens, so
       * any text still encodes); `characters` is a character vocabulary with byte fallback.
       */
      tokenizer: z.enum(['qwen3', 'characters']).default('qwen3'),
      /** Width of the residual stream. */
      hidden_size: z.number().int().positive().default(256),
      /** Width of the SwiGLU MLP's hidden layer. */
      intermediate_size: z.number().int().positive().default(768),
      /** Decoder layers. */
      num_hidden_layers: z.number().int().positive().default(4),
      /** Query heads. */
      num_attention_heads: z.number().int().positive().default(4),
      /** Key/value heads (grouped-query attention); divides num_attention_heads. */
      num_key_value_heads: z.number().int().positive().default(2),
      /** Width of one attention head. */
      head_dim: z.number().int().positive().default(64),
      /** Longest sequence (prompt + completion) in tokens. */
      max_position_embeddings: z.number().int().positive().default(1024),
      /** Base of the rotary position embedding. */
      rope_theta: z.number().positive().default(10000),
    })
    .prefault({}),
  /** LoRA adapters (base weights frozen). */
  lora: z
    .strictObject({
      /** Train adapters instead of all weights. Default true. */
      enabled: z.boolean().default(true),
      /** Rank of each adapter. Default 16. */
      r: z.number().int().positive().default(16),
      /** Scaling numerator: the update is (alpha / r) * B A x. Default 32. */
      alpha: z.number().positive().default(32),
      /** Dropout on the adapter's input during training. Default 0.05. */
      dropout: z.number().min(0).lt(1).default(0.05),
      /** Projections that get adapters: q, k, v, o (attention), gate, up, down (MLP). Default all. */
      targetModules: z
        .array(z.enum(LORA_TARGET_MODULES))
        .min(1)
        .default([...LORA_TARGET_MODULES]),
    })
    .prefault({}),
});

export type ModelConfig = z.output<typeof modelSchema>;
