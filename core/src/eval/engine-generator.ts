/**
 * Answers from a model directory through the engine: each prompt rendered as one user turn with
 * the tokenizer's chat template (generation prompt on), generated in batches with the engine's
 * batched KV-cache sampler, decoded without special tokens. The model directory is either a full
 * Hugging Face checkpoint (config.json + safetensors) or a PEFT LoRA adapter directory
 * (adapter_config.json), whose base model comes from `--base-model`, the adapter's
 * base_model_name_or_path when that is a local directory, or `model.path` of the config.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@medrl/sdk';
import { initBackend, type BackendChoice } from '../engine/backend.js';
import { generate, type GenerationTokenizer } from '../engine/generate.js';
import { loadQwen3 } from '../engine/loader.js';
import { ADAPTER_CONFIG_FILE, loadPeftAdapters } from '../engine/lora.js';
import type { Qwen3Model } from '../engine/qwen3/model.js';
import { EngineRng } from '../engine/rng.js';
import { loadTokenizer, TOKENIZER_FILE } from '../engine/tokenizer.js';
import { MedrlError, messageOf } from '../errors.js';
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

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function isDirectory(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export interface LoadEngineGeneratorOptions {
  sampling: EngineSampling;
  backend: BackendChoice;
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
  await initBackend(options.backend, options.logger);
  const adapterConfig = path.join(modelDir, ADAPTER_CONFIG_FILE);
  try {
    if (!(await isFile(adapterConfig))) {
      const model = await loadQwen3(modelDir, { logger: options.logger });
      return new EngineAnswerGenerator(modelDir, model, await loadTokenizer(modelDir), options.sampling);
    }
    const declared = (JSON.parse(await readFile(adapterConfig, 'utf8')) as { base_model_name_or_path?: unknown })
      .base_model_name_or_path;
    const candidates = [options.baseModel, typeof declared === 'string' ? path.resolve(modelDir, declared) : undefined];
    let base: string | undefined;
    for (const candidate of candidates) {
      if (candidate && (await isDirectory(candidate))) {
        base = candidate;
        break;
      }
    }
    if (!base) {
      throw new MedrlError(
        `${modelDir} holds LoRA adapters; their base model${typeof declared === 'string' ? ` "${declared}"` : ''} is not a local directory: pass --base-model <dir> or set model.path`,
      );
    }
    const model = await loadQwen3(base, { logger: options.logger });
    try {
      await loadPeftAdapters(model, modelDir);
    } catch (error) {
      model.dispose();
      throw error;
    }
    const tokenizer = await loadTokenizer((await isFile(path.join(modelDir, TOKENIZER_FILE))) ? modelDir : base);
    return new EngineAnswerGenerator(`${modelDir} (on ${base})`, model, tokenizer, options.sampling);
  } catch (error) {
    if (error instanceof MedrlError) throw error;
    throw new MedrlError(`cannot load model ${modelDir}: ${messageOf(error)}`, { cause: error });
  }
}
