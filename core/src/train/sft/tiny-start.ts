/**
 * A from-scratch model's starting point (`model.from_scratch`): a tokenizer made from the training
 * texts and a Qwen3 of the configured tiny shape with fresh weights (engine/tiny.ts). The tokenizer
 * is the real Qwen3 one with its vocabulary pruned to what the texts use (engine/tokenizer-prune.ts),
 * or a character vocabulary (engine/tiny-tokenizer.ts, what tests use for speed).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelConfig } from '../../config/sections/model.js';
import { Qwen3Model } from '../../engine/qwen3/model.js';
import { tinyQwen3Config } from '../../engine/tiny.js';
import { buildTinyTokenizer, type TinyTokenizerOptions } from '../../engine/tiny-tokenizer.js';
import { pruneBpeTokenizer } from '../../engine/tokenizer-prune.js';
import { Tokenizer, loadDefaultTokenizer } from '../../engine/tokenizer.js';
import { encodeF32Safetensors } from '../state-file.js';

export interface TinyStart {
  model: Qwen3Model;
  tokenizer: Tokenizer;
}

export type TinyShape = Partial<ModelConfig['tiny']>;

/**
 * A fresh model whose vocabulary covers `texts`: for `qwen3`, the strings exactly as they will be
 * encoded (chat-template renderings and targets), so that the pruned tokenizer splits them as the
 * full Qwen3 tokenizer does.
 */
export async function createTinyModel(
  texts: readonly string[],
  shape: TinyShape,
  opts: { seed?: number; tokenizer?: TinyTokenizerOptions } = {},
): Promise<TinyStart> {
  const { tokenizer: kind = 'qwen3', ...dims } = shape;
  const files =
    kind === 'qwen3'
      ? pruneBpeTokenizer((await loadDefaultTokenizer()).files, texts).files
      : buildTinyTokenizer(texts, opts.tokenizer);
  const tokenizer = new Tokenizer(files, kind === 'qwen3' ? 'pruned Qwen3 tokenizer' : 'character tokenizer');
  const model = Qwen3Model.random(tinyQwen3Config(tokenizer.vocabSize, dims), { seed: opts.seed ?? 0 });
  return { model, tokenizer };
}

/** Writes a model as a Hugging Face directory (config.json, model.safetensors, tokenizer files). */
export async function writeModelDir(dir: string, model: Qwen3Model, tokenizer: Tokenizer): Promise<void> {
  await tokenizer.save(dir);
  await writeFile(
    path.join(dir, 'config.json'),
    `${JSON.stringify(model.hfConfig(tokenizer.modelConfigIds()), null, 2)}\n`,
  );
  await writeFile(path.join(dir, 'model.safetensors'), encodeF32Safetensors(model.exportTensors(), { format: 'pt' }));
}
