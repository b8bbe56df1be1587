// Shared fixtures of the engine tests: a micro Qwen3 config and the tiny character tokenizer.
import { initBackend, type BackendChoice } from '../../core/src/engine/backend.js';
import type { Qwen3Config } from '../../core/src/engine/qwen3/config.js';
import { buildTinyTokenizer } from '../../core/src/engine/tiny-tokenizer.js';
import { Tokenizer } from '../../core/src/engine/tokenizer.js';

/** A Qwen3 config small enough for unit tests but with GQA (4 query heads on 2 kv heads). */
export function microConfig(overrides: Partial<Qwen3Config> = {}): Qwen3Config {
  return {
    vocab_size: 400,
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 8,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    max_position_embeddings: 128,
    initializer_range: 0.5,
    ...overrides,
  };
}

export function tinyTokenizer(): Tokenizer {
  return new Tokenizer(buildTinyTokenizer(['胸痛 chest pain 发热 fever']), 'test-tiny');
}

/**
 * The wasm backend (the one CI runs on), or the backend MEDRL_TEST_BACKEND names: the engine suite
 * runs on native TensorFlow with MEDRL_TEST_BACKEND=tensorflow (after `npm run native:local`).
 */
export async function useWasm(): Promise<void> {
  await initBackend((process.env.MEDRL_TEST_BACKEND as BackendChoice | undefined) ?? 'wasm');
}
