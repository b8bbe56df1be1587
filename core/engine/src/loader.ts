/**
 * Loads a Qwen3 model from a local Hugging Face directory: config.json plus model.safetensors or a
 * sharded model.safetensors.index.json (bf16, fp16 and fp32 all become fp32).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '@medrl/sdk';
import { qwen3ConfigFromHf } from './qwen3/config.js';
import { Qwen3Model } from './qwen3/model.js';
import { readSafetensorsDir } from './codec/index.js';

export const MODEL_CONFIG_FILE = 'config.json';

/** Reads and validates dir/config.json. */
export async function readQwen3Config(dir: string) {
  const file = path.join(dir, MODEL_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read model config (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message})`);
  }
  return qwen3ConfigFromHf(json, file);
}

/**
 * Builds the model from a Hugging Face directory. A missing tensor or one of the wrong shape fails
 * naming the tensor and both shapes; tensors the model does not use are reported to `logger`.
 */
export async function loadQwen3(dir: string, options: { logger?: Logger } = {}): Promise<Qwen3Model> {
  const config = await readQwen3Config(dir);
  const tensors = await readSafetensorsDir(dir);
  const model = new Qwen3Model(config, (spec) => {
    const tensor = tensors[spec.name];
    if (!tensor) throw new Error(`${dir}: missing tensor "${spec.name}" (expected shape [${spec.hfShape.join(', ')}])`);
    if (tensor.shape.join(',') !== spec.hfShape.join(',')) {
      throw new Error(
        `${dir}: tensor "${spec.name}" has shape [${tensor.shape.join(', ')}], expected [${spec.hfShape.join(', ')}] (from config.json)`,
      );
    }
    delete tensors[spec.name]; // let the fp32 copy go as soon as it is on the backend
    return tf.tensor(tensor.data, tensor.shape);
  });
  // A tied checkpoint may still carry lm_head.weight (a copy of the embedding); it is not used.
  const unused = Object.keys(tensors).filter((name) => !(config.tie_word_embeddings && name === 'lm_head.weight'));
  if (unused.length > 0) {
    options.logger?.warn(`${dir}: ${unused.length} tensor(s) not used by Qwen3`, { tensors: unused.slice(0, 10) });
  }
  return model;
}
