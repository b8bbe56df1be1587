/**
 * The Qwen3 architecture's hyper-parameters, under the field names of Hugging Face's config.json
 * (transformers' Qwen3Config), so that loading is a validation and export is a dump.
 */
import { z } from 'zod';

/** Hyper-parameters of a Qwen3 decoder; comments give the Qwen3-0.6B value. */
export interface Qwen3Config {
  /** Rows of the embedding and of lm_head (151936). */
  vocab_size: number;
  /** Width of the residual stream (1024). */
  hidden_size: number;
  /** Width of the SwiGLU MLP's gate/up projections (3072). */
  intermediate_size: number;
  /** Decoder layers (28). */
  num_hidden_layers: number;
  /** Query heads (16). */
  num_attention_heads: number;
  /** Key/value heads, shared by num_attention_heads / num_key_value_heads query heads each (8). */
  num_key_value_heads: number;
  /** Width of one head (128); Qwen3 sets it explicitly, so heads * head_dim may differ from hidden_size. */
  head_dim: number;
  /** Epsilon of every RMSNorm (1e-6). */
  rms_norm_eps: number;
  /** Base of the rotary frequencies (1000000). */
  rope_theta: number;
  /** lm_head reuses embed_tokens (true for 0.6B; false for 4B and up). */
  tie_word_embeddings: boolean;
  /** Longest sequence the model was trained for (40960); generation refuses to go past it. */
  max_position_embeddings: number;
  /** Std of the normal initializer for fresh weights (0.02). */
  initializer_range: number;
  /** Token ids the checkpoint declares (151643 / 151645); the tokenizer's are authoritative for generation. */
  bos_token_id?: number;
  eos_token_id?: number | number[];
}

/** Special-token ids as config.json states them (from the tokenizer, which is authoritative). */
export interface ModelTokenIds {
  bos_token_id: number | null;
  eos_token_id: number;
  pad_token_id: number;
}

const positiveInt = z.number().int().positive();

/**
 * A RoPE parameter block: `rope_parameters` (transformers 5) or `rope_scaling` (older layout, or a
 * transformers 5 alias). Only plain RoPE ("default") is implemented; any other type changes the
 * frequencies, so it is rejected rather than silently ignored.
 */
const ropeBlockSchema = z
  .looseObject({
    rope_type: z.string().optional(),
    type: z.string().optional(),
    rope_theta: z.number().positive().optional(),
    partial_rotary_factor: z.literal(1, { error: 'partial_rotary_factor other than 1 is not supported' }).optional(),
  })
  .superRefine((block, ctx) => {
    for (const [key, value] of Object.entries(block)) {
      if (typeof value === 'object' && value !== null) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'RoPE parameters per layer type are not supported (Qwen3 has one set for every layer)',
        });
      }
    }
    const type = block.rope_type ?? block.type ?? 'default';
    if (type !== 'default') {
      ctx.addIssue({
        code: 'custom',
        path: [block.rope_type !== undefined ? 'rope_type' : 'type'],
        message: `RoPE type "${type}" is not supported (only "default"); medrl would compute different rotary frequencies`,
      });
    }
  });

/**
 * config.json as transformers reads it for model_type "qwen3". Defaults are transformers' own, so a
 * config that omits a field loads as it would in Python. Features we do not implement are rejected
 * rather than ignored.
 */
const hfQwen3ConfigSchema = z
  .looseObject({
    model_type: z.string().optional(),
    vocab_size: positiveInt,
    hidden_size: positiveInt,
    intermediate_size: positiveInt,
    num_hidden_layers: positiveInt,
    num_attention_heads: positiveInt,
    num_key_value_heads: positiveInt.nullish(),
    head_dim: positiveInt.nullish(),
    rms_norm_eps: z.number().positive().default(1e-6),
    // No default here: the base may come from rope_parameters (transformers 5 writes no top-level rope_theta).
    rope_theta: z.number().positive().optional(),
    rope_parameters: ropeBlockSchema.nullish(),
    tie_word_embeddings: z.boolean().default(false),
    max_position_embeddings: positiveInt.default(32768),
    initializer_range: z.number().positive().default(0.02),
    hidden_act: z.literal('silu', { error: 'only hidden_act "silu" is supported' }).default('silu'),
    attention_bias: z.literal(false, { error: 'attention_bias: true is not supported' }).default(false),
    rope_scaling: ropeBlockSchema.nullish(),
    use_sliding_window: z.literal(false, { error: 'use_sliding_window: true is not supported' }).optional(),
    bos_token_id: z.number().int().nullish(),
    eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullish(),
  })
  .superRefine((c, ctx) => {
    const kv = c.num_key_value_heads ?? c.num_attention_heads;
    if (c.num_attention_heads % kv !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['num_key_value_heads'],
        message: `num_attention_heads (${c.num_attention_heads}) must be a multiple of num_key_value_heads (${kv})`,
      });
    }
    if (c.model_type !== undefined && c.model_type !== 'qwen3') {
      ctx.addIssue({ code: 'custom', path: ['model_type'], message: `model_type "${c.model_type}" is not "qwen3"` });
    }
  });

/** Validates a parsed config.json; `source` names the file in errors. */
export function qwen3ConfigFromHf(json: unknown, source = 'config.json'): Qwen3Config {
  const parsed = hfQwen3ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${source}: not a supported Qwen3 config: ${issues}`);
  }
  const c = parsed.data;
  const config: Qwen3Config = {
    vocab_size: c.vocab_size,
    hidden_size: c.hidden_size,
    intermediate_size: c.intermediate_size,
    num_hidden_layers: c.num_hidden_layers,
    num_attention_heads: c.num_attention_heads,
    num_key_value_heads: c.num_key_value_heads ?? c.num_attention_heads,
    // transformers' Qwen3Config defaults head_dim to 128, not hidden_size / heads.
    head_dim: c.head_dim ?? 128,
    rms_norm_eps: c.rms_norm_eps,
    // transformers' precedence: rope_parameters.rope_theta, then rope_scaling's (its v5 alias), then
    // the top-level field, then 10000.
    rope_theta: c.rope_parameters?.rope_theta ?? c.rope_scaling?.rope_theta ?? c.rope_theta ?? 10000,
    tie_word_embeddings: c.tie_word_embeddings,
    max_position_embeddings: c.max_position_embeddings,
    initializer_range: c.initializer_range,
  };
  if (c.bos_token_id != null) config.bos_token_id = c.bos_token_id;
  if (c.eos_token_id != null) config.eos_token_id = c.eos_token_id;
  return config;
}

/**
 * config.json content for a checkpoint of this model, loadable by transformers' AutoModelForCausalLM.
 * The RoPE base is written in both layouts (top-level `rope_theta` for transformers 4,
 * `rope_parameters` for 5), so either version reads the same value.
 */
export function qwen3ConfigToHf(config: Qwen3Config): Record<string, unknown> {
  return {
    architectures: ['Qwen3ForCausalLM'],
    model_type: 'qwen3',
    hidden_act: 'silu',
    attention_bias: false,
    attention_dropout: 0,
    rope_scaling: null,
    rope_parameters: { rope_type: 'default', rope_theta: config.rope_theta },
    use_sliding_window: false,
    use_cache: true,
    torch_dtype: 'float32',
    ...config,
  };
}

/** Asserts the invariants the layers rely on; a config built in code goes through here too. */
export function assertQwen3Config(config: Qwen3Config): void {
  const ints: (keyof Qwen3Config)[] = [
    'vocab_size',
    'hidden_size',
    'intermediate_size',
    'num_hidden_layers',
    'num_attention_heads',
    'num_key_value_heads',
    'head_dim',
    'max_position_embeddings',
  ];
  for (const key of ints) {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new Error(`Qwen3 config: ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (config.num_attention_heads % config.num_key_value_heads !== 0) {
    throw new Error('Qwen3 config: num_attention_heads must be a multiple of num_key_value_heads');
  }
  if (config.head_dim % 2 !== 0)
    throw new Error('Qwen3 config: head_dim must be even (rotary embeddings rotate pairs)');
}

/** Qwen3-0.6B's shape (random weights in benchmarks; real weights come from a checkpoint directory). */
export const QWEN3_0_6B: Qwen3Config = {
  vocab_size: 151936,
  hidden_size: 1024,
  intermediate_size: 3072,
  num_hidden_layers: 28,
  num_attention_heads: 16,
  num_key_value_heads: 8,
  head_dim: 128,
  rms_norm_eps: 1e-6,
  rope_theta: 1_000_000,
  tie_word_embeddings: true,
  max_position_embeddings: 40960,
  initializer_range: 0.02,
  bos_token_id: 151643,
  eos_token_id: 151645,
};

/** Multiply-accumulate count per token of one forward pass, without attention scores (6N rule input). */
export function qwen3MatmulParams(config: Qwen3Config): number {
  const {
    hidden_size: h,
    intermediate_size: i,
    num_attention_heads: nh,
    num_key_value_heads: nkv,
    head_dim: d,
  } = config;
  const attention = h * nh * d * 2 + h * nkv * d * 2; // q, o + k, v
  const mlp = 3 * h * i;
  return config.num_hidden_layers * (attention + mlp) + h * config.vocab_size; // + lm_head
}
