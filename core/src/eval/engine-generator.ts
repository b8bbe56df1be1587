/**
 * Answers from a model directory through the engine: each prompt rendered as one user turn with
 * the tokenizer's chat template (generation prompt on), generated in batches with the engine's
 * batched KV-cache sampler, decoded without special tokens. The model directory is either a full
 * Hugging Face checkpoint (config.json + safetensors) or a PEFT LoRA adapter directory
 * (adapter_config.json), whose base model comes from `--base-model`, the adapter's
 * base_model_name_or_path when that is a local directory, or `model.path` of the config.
 */
import type { Logger } from '@medrl/sdk';
import { initBackend, type BackendChoice, type EngineRequest } from '../engine/backend.js';
import { generate, type GenerationTokenizer } from '../engine/generate.js';
import type { Qwen3Model } from '../engine/qwen3/model.js';
import { EngineRng } from '../engine/rng.js';
import { loadModelDir } from '../engine/policy.js';
import { MedrlError, messageOf } from '../errors.js';
import { isDirectory } from '../io/atomic.js';
import type { AnswerGenerator, GenerationRequest } from './generator.js';

/** What the generator needs of a tokenizer: generation's interface plus an optional chat template. */
export interface ChatTokenizer extends GenerationTokenizer {
  readonly chatTemplate?: unknown;
  applyChatTemplate?(messages: { role: 'user'; content: string }[], options: { addGenerationPrompt: boolean }): string;
}

export interface EngineSampling {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  seed: number;
}

export class EngineAnswerGenerator implements AnswerGenerator {
  private readonly rng: EngineRng;

  constructor(
    readonly label: string,
    private readonly model: Qwen3Model,
    private readonly tokenizer: ChatTokenizer,
    private readonly sampling: EngineSampling,
  ) {
    // One sampler for the whole evaluation: the same seed gives the same answers batch after batch.
    this.rng = EngineRng.fromSeed(sampling.seed);
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
        topP: this.sampling.topP,
        rng: this.rng,
      },
    );
    return results.map((r) => r.text);
  }

  async close(): Promise<void> {
    this.model.dispose();
  }
}

export interface LoadEngineGeneratorOptions {
  sampling: EngineSampling;
  backend: BackendChoice;
  /** engine.threads (default every core). */
  threads?: EngineRequest['threads'];
  /** Base model of an adapter directory (flag or model.path), resolved already. */
  baseModel?: string;
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
      logger: options.logger,
    });
    return new EngineAnswerGenerator(base ? `${modelDir} (on ${base})` : modelDir, model, tokenizer, options.sampling);
  } catch (error) {
    if (error instanceof MedrlError) throw error;
    throw new MedrlError(`cannot load model ${modelDir}: ${messageOf(error)}`, { cause: error });
  }
}
