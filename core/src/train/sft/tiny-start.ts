/**
 * The embedded tiny model's starting point: a character tokenizer built from the training texts
 * and a Qwen3 of the configured tiny shape with fresh weights (engine/tiny.ts). SFT trains it from
 * scratch; tests use it as a small policy.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Qwen3Model } from '../../engine/qwen3/model.js';
import { tinyQwen3Config } from '../../engine/tiny.js';
import { buildTinyTokenizer, type TinyTokenizerOptions } from '../../engine/tiny-tokenizer.js';
import { Tokenizer } from '../../engine/tokenizer.js';
import type { Qwen3Config } from '../../engine/qwen3/config.js';
import { encodeF32Safetensors } from '../state-file.js';

export interface TinyStart {
  model: Qwen3Model;
  tokenizer: Tokenizer;
}

/** A fresh tiny model whose vocabulary covers `texts`. */
export function createTinyModel(
  texts: Iterable<string>,
  shape: Partial<Omit<Qwen3Config, 'vocab_size'>>,
  opts: { seed?: number; tokenizer?: TinyTokenizerOptions } = {},
): TinyStart {
  const files = buildTinyTokenizer(texts, opts.tokenizer);
  const tokenizer = new Tokenizer(files, 'tiny tokenizer');
  const model = Qwen3Model.random(tinyQwen3Config(tokenizer.vocabSize, shape), { seed: opts.seed ?? 0 });
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
