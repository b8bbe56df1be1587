/**
 * The policy as commands and trainers get it: a Qwen3 model with its tokenizer, from a Hugging Face
 * directory (optionally with PEFT adapters) or the embedded tiny configuration.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@medrl/sdk';
import { MedrlError } from '../errors.js';
import { isDirectory, pathExists } from '../io/atomic.js';
import { initBackend, type BackendChoice, type EngineRequest } from './backend.js';
import { generate, type GenerateOptions, type GenerationResult } from './generate.js';
import { loadQwen3 } from './loader.js';
import { ADAPTER_CONFIG_FILE, loadPeftAdapters, type LoraAdapters } from './lora.js';
import type { Qwen3Config } from './qwen3/config.js';
import { Qwen3Model } from './qwen3/model.js';
import { tinyQwen3Config } from './tiny.js';
import { TOKENIZER_FILE, loadTokenizer, type Tokenizer } from './tokenizer.js';

export interface Policy {
  model: Qwen3Model;
  tokenizer: Tokenizer;
  /** Attached adapters, when loaded or created. */
  lora?: LoraAdapters;
  /** A directory, or "tiny" for the embedded configuration. */
  source: string;
}

export interface LoadPolicyOptions {
  backend?: BackendChoice;
  /** engine.threads (default every core). */
  threads?: EngineRequest['threads'];
  /** PEFT adapter directory (adapter_config.json + adapter_model.safetensors) to attach. */
  adapterPath?: string;
  logger?: Logger;
}

/** Loads model and tokenizer from a Hugging Face directory; the tokenizer must fit the vocabulary. */
export async function loadPolicy(modelPath: string, options: LoadPolicyOptions = {}): Promise<Policy> {
  await initBackend({ backend: options.backend ?? 'auto', threads: options.threads }, options.logger);
  const tokenizer = await loadTokenizer(modelPath);
  const started = performance.now();
  const model = await loadQwen3(modelPath, { logger: options.logger });
  if (tokenizer.vocabSize > model.config.vocab_size) {
    model.dispose();
    throw new Error(
      `${modelPath}: the tokenizer (${tokenizer.source}) has ${tokenizer.vocabSize} ids but config.json vocab_size is ${model.config.vocab_size}`,
    );
  }
  options.logger?.info(`loaded ${modelPath}`, {
    params: model.numParams,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  });
  const policy: Policy = { model, tokenizer, source: modelPath };
  if (options.adapterPath) policy.lora = await loadPeftAdapters(model, options.adapterPath);
  return policy;
}

/** A fresh embedded tiny model for `tokenizer` (the tiny character tokenizer). */
export function createTinyPolicy(
  tokenizer: Tokenizer,
  options: { shape?: Partial<Omit<Qwen3Config, 'vocab_size'>>; seed?: number } = {},
): Policy {
  const model = Qwen3Model.random(tinyQwen3Config(tokenizer.vocabSize, options.shape), { seed: options.seed ?? 0 });
  return { model, tokenizer, source: 'tiny' };
}

export interface PromptOptions {
  /** Render each prompt as a user message through the chat template (with the assistant opening). */
  chat: boolean;
  /** Qwen3 thinking mode (chat only); unset: the template's default. */
  enableThinking?: boolean;
}

/** Generates for plain-text prompts, rendering them through the chat template when asked. */
export function generateForPrompts(
  policy: Policy,
  prompts: readonly string[],
  promptOptions: PromptOptions,
  options: GenerateOptions,
): Promise<GenerationResult[]> {
  const { tokenizer } = policy;
  const rendered = prompts.map((text) =>
    promptOptions.chat && tokenizer.chatTemplate
      ? tokenizer.applyChatTemplate([{ role: 'user', content: text }], {
          addGenerationPrompt: true,
          enableThinking: promptOptions.enableThinking,
        })
      : text,
  );
  return generate(policy.model, tokenizer, rendered, options);
}

/** What `loadModelDir` found: the model, its tokenizer, and for an adapter directory the adapters and base. */
export interface LoadedModelDir {
  model: Qwen3Model;
  tokenizer: Tokenizer;
  /** Set when `dir` held PEFT adapters: they are attached to `model` (the base). */
  adapters?: LoraAdapters;
  /** The base model directory the adapters were attached to. */
  base?: string;
}

/**
 * A model directory as users give it: a full Hugging Face checkpoint (config.json + safetensors), or
 * PEFT LoRA adapters (adapter_config.json) attached to a base. The base is, in this order:
 * `baseModel` (an explicit flag), the adapter's base_model_name_or_path when that is a local
 * directory (a relative path is relative to the adapter directory, as medrl writes it), then
 * `fallbackBase` (model.path) with a warning, since an adapter on another base is a different model.
 * The tokenizer comes from `dir` when it has one, else from the base.
 */
export async function loadModelDir(
  dir: string,
  options: { baseModel?: string; fallbackBase?: string; logger?: Logger } = {},
): Promise<LoadedModelDir> {
  const adapterConfig = path.join(dir, ADAPTER_CONFIG_FILE);
  if (!(await pathExists(adapterConfig))) {
    return { model: await loadQwen3(dir, { logger: options.logger }), tokenizer: await loadTokenizer(dir) };
  }
  let declared: unknown;
  try {
    declared = (JSON.parse(await readFile(adapterConfig, 'utf8')) as { base_model_name_or_path?: unknown })
      .base_model_name_or_path;
  } catch (error) {
    throw new MedrlError(`${adapterConfig}: cannot read adapter config (${(error as Error).message})`);
  }
  const declaredDir = typeof declared === 'string' && declared !== '' ? path.resolve(dir, declared) : undefined;
  let base: string | undefined;
  if (options.baseModel !== undefined) {
    if (!(await isDirectory(options.baseModel)))
      throw new MedrlError(`base model ${options.baseModel}: directory not found`);
    base = options.baseModel;
  } else if (declaredDir && (await isDirectory(declaredDir))) {
    base = declaredDir;
  } else if (options.fallbackBase && (await isDirectory(options.fallbackBase))) {
    base = options.fallbackBase;
    options.logger?.warn(
      `${dir}: the adapters' base ${declaredDir ? `${declaredDir} is not on disk` : 'is not recorded'}; using model.path ${base}. ` +
        'If they were trained on another base (e.g. an SFT-merged model), the result is a different model: pass --base-model',
    );
  }
  if (!base) {
    throw new MedrlError(
      `${dir} holds LoRA adapters; their base model${declaredDir ? ` "${String(declared)}" is not a local directory (looked for ${declaredDir})` : ' is not recorded'}: pass --base-model <dir> or set model.path`,
    );
  }
  const model = await loadQwen3(base, { logger: options.logger });
  let adapters: LoraAdapters;
  try {
    adapters = await loadPeftAdapters(model, dir);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const tokenizer = await loadTokenizer((await pathExists(path.join(dir, TOKENIZER_FILE))) ? dir : base);
  return { model, tokenizer, adapters, base };
}
