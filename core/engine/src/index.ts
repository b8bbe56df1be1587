/**
 * @medrl/engine: the policy model on TensorFlow.js (backends, Qwen3, tokenizers, chat template, LoRA,
 * generation, log-probabilities). Knows nothing of rewards, trainers or commands; never imports
 * @medrl/core. The tfjs-free checkpoint codec (safetensors, PEFT adapter config) is `@medrl/engine/codec`.
 */
export { type BackendChoice, type EngineRequest, initBackend } from './backend.js';
export { baseModelDir, EMBEDDED_MODEL_NAME, embeddedModelDir } from './embedded.js';
export { generate, type GenerateOptions, type GenerationResult, type GenerationTokenizer } from './generate.js';
export { loadQwen3 } from './loader.js';
export { entropyFromLogits, packPairs, type SequencePair, tokenLogprobs } from './logprobs.js';
export { ADAPTER_CONFIG_FILE, LoraAdapters, type LoraTarget } from './lora.js';
export { generateForPrompts, loadModelDir, loadPolicy } from './policy.js';
export { Qwen3Model } from './qwen3/model.js';
export { EngineRng } from './rng.js';
export { sequenceLogprobs } from './sequence-logprobs.js';
export { buildTinyTokenizer, type TinyTokenizerOptions } from './tiny-tokenizer.js';
export { tinyQwen3Config } from './tiny.js';
export { pruneBpeTokenizer } from './tokenizer-prune.js';
export { loadDefaultTokenizer, loadTokenizer, Tokenizer, type TokenizeResult, tokenizeText } from './tokenizer.js';
export { EngineError } from './errors.js';
