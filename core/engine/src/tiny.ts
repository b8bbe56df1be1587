/**
 * The embedded default model: a small Qwen3-architecture network that trains from scratch in
 * minutes on 2 CPU cores (demo, tests). Its vocabulary is the tiny character tokenizer's
 * (tiny-tokenizer.ts, at most 4096 ids), so the embedding and lm_head stay small; everything else is
 * Qwen3 exactly (GQA, q/k norms, SwiGLU, rotary embeddings, tied lm_head), so the same code and
 * checkpoint format serve both.
 */
import type { Qwen3Config } from './qwen3/config.js';

/** The tiny model's shape apart from its vocabulary (model.tiny in the config overrides fields). */
export const TINY_QWEN3_SHAPE: Omit<Qwen3Config, 'vocab_size'> = {
  hidden_size: 256,
  intermediate_size: 768,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 64,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: true,
  max_position_embeddings: 1024,
  initializer_range: 0.02,
};

/** The tiny configuration for a tokenizer of `vocabSize` ids. */
export function tinyQwen3Config(vocabSize: number, shape: Partial<Omit<Qwen3Config, 'vocab_size'>> = {}): Qwen3Config {
  if (!Number.isInteger(vocabSize) || vocabSize <= 0)
    throw new Error(`tiny model: vocabSize must be a positive integer, got ${vocabSize}`);
  return { ...TINY_QWEN3_SHAPE, ...shape, vocab_size: vocabSize };
}
