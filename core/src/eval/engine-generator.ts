/**
 * Answers from a model directory through the engine: each prompt rendered as one user turn with
 * the tokenizer's chat template (generation prompt on), generated in batches with the engine's
 * batched KV-cache sampler, decoded without special tokens. The model directory is either a full
 * Hugging Face checkpoint (config.json + safetensors) or a PEFT LoRA adapter directory
 * (adapter_config.json), whose base model comes from `--base-model`, else the adapter's
 * base_model_name_or_path when that is a local directory, else `model.path` of the config.
 */
import type { Logger } from '@medrl/sdk';
import { initBackend, type BackendChoice, type EngineRequest } from '../engine/backend.js';
import { generate, type GenerationTokenizer } from '../engine/generate.js';
import type { Qwen3Model } from '../engine/qwen3/model.js';
import { EngineRng } from '../engine/rng.js';
import { loadModelDir } from '../engine/policy.js';
import { MedrlError, messageOf } from '../errors.js';
import { isDirectory } from '../io/atomic.js';
import type { AnswerGenerator, GenerationRequest, SequenceScorer, TokenizedAnswer } from './generator.js';
import { sequenceLogprobs } from '../engine/sequence-logprobs.js';
import { createHash } from 'node:crypto';

/** What the generator needs of a tokenizer: generation's interface plus an optional chat template. */
export interface ChatTokenizer extends GenerationTokenizer {
  readonly chatTemplate?: unknown;
  applyChatTemplate?(messages: { role: 'user'; content: string }[], options: { addGenerationPrompt: boolean }): string;
}

export interface EngineSampling {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
  /** Prompts generated together. */
  batchSize?: number;
}

export class EngineAnswerGenerator implements AnswerGenerator, SequenceScorer {
  private readonly rng: EngineRng;
  private readonly generated: TokenizedAnswer[] = [];
  readonly tokenizerKey: string;

  constructor(
    readonly label: string,
    private readonly model: Qwen3Model,
    private readonly tokenizer: ChatTokenizer,
    private readonly sampling: EngineSampling,
  ) {
    // One sampler for the whole evaluation: the same seed gives the same answers batch after batch.
    this.rng = EngineRng.fromSeed(sampling.seed);
    this.tokenizerKey = tokenizerKeyOf(tokenizer, model.config.vocab_size);
  }

  get scorer(): SequenceScorer {
    return this;
  }

  get decoding(): Record<string, unknown> {
    const { maxNewTokens, temperature, topK, topP, seed } = this.sampling;
    return { max_new_tokens: maxNewTokens, temperature, top_k: topK, top_p: topP, seed, chat_template: true };
  }

  get answers(): readonly TokenizedAnswer[] {
    return this.generated;
  }

  async sequenceLogprobs(answers: readonly TokenizedAnswer[]): Promise<number[]> {
    const temperature = this.sampling.temperature > 0 ? this.sampling.temperature : 1;
    return sequenceLogprobs(
      this.model,
      answers.map((a) => ({ query: a.promptIds, response: a.tokenIds })),
      { pad: this.tokenizer.padTokenId, temperature, batchSize: this.sampling.batchSize ?? 16 },
    );
  }

  /** The text the model is fed for a question: the chat template's rendering, or the question itself. */
  renderPrompt(prompt: string): string {
    if (this.tokenizer.chatTemplate && this.tokenizer.applyChatTemplate) {
      return this.tokenizer.applyChatTemplate([{ role: 'user', content: prompt }], { addGenerationPrompt: true });
    }
    return prompt;
  }

  async generate(requests: readonly GenerationRequest[], signal?: AbortSignal): Promise<string[]> {
    if (signal?.aborted) throw new MedrlError('generation cancelled');
    const results = await generate(
      this.model,
      this.tokenizer,
      requests.map((r) => this.renderPrompt(r.prompt)),
      {
        maxNewTokens: this.sampling.maxNewTokens,
        temperature: this.sampling.temperature,
        topK: this.sampling.topK,
        topP: this.sampling.topP,
        rng: this.rng,
      },
    );
    for (const r of results) this.generated.push({ promptIds: r.promptIds, tokenIds: r.tokenIds });
    return results.map((r) => r.text);
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}

/** Same files and vocabulary size, same meaning of every id. */
function tokenizerKeyOf(tokenizer: ChatTokenizer, vocabSize: number): string {
  const files = (tokenizer as { files?: unknown }).files;
  return createHash('sha256')
    .update(`${vocabSize}\u0000${files === undefined ? '' : JSON.stringify(files)}`)
    .digest('hex');
}

export interface LoadEngineGeneratorOptions {
  sampling: EngineSampling;
  backend: BackendChoice;
  /** engine.threads (default every core). */
  threads?: EngineRequest['threads'];
  /** Base model of an adapter directory given by flag (wins over the adapter's own), resolved already. */
  baseModel?: string;
  /** model.path: the base when the adapter's declared one is not on disk, resolved already. */
  fallbackBase?: string;
  logger?: Logger;
}

/** Loads a model directory (full checkpoint or LoRA adapters on a base) with its tokenizer. */
export async function loadEngineGenerator(
  modelDir: string,
  options: LoadEngineGeneratorOptions,
): Promise<EngineAnswerGenerator> {
  if (!(await isDirectory(modelDir))) throw new MedrlError(`--model-path ${modelDir}: directory not found`);
  await initBackend({ backend: options.backend, threads: options.threads }, options.logger);
  try {
    const { model, tokenizer, base } = await loadModelDir(modelDir, {
      baseModel: options.baseModel,
      fallbackBase: options.fallbackBase,
      logger: options.logger,
    });
    return new EngineAnswerGenerator(base ? `${modelDir} (on ${base})` : modelDir, model, tokenizer, options.sampling);
  } catch (error) {
    if (error instanceof MedrlError) throw error;
    throw new MedrlError(`cannot load model ${modelDir}: ${messageOf(error)}`, { cause: error });
  }
}
