// Loading Hugging Face directories: errors name the file, the tensor and both shapes.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadQwen3 } from '../../core/src/engine/loader.js';
import { useWasm } from './helpers.js';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'engine', 'qwen3-tied');
let dir: string;

beforeAll(async () => {
  await useWasm();
  dir = await mkdtemp(path.join(tmpdir(), 'medrl-loader-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A copy of the tied fixture with config.json changed. */
async function variant(name: string, change: Record<string, unknown> | null): Promise<string> {
  const target = path.join(dir, name);
  await cp(FIXTURE, target, { recursive: true });
  const config = JSON.parse(await readFile(path.join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
  if (change) await writeFile(path.join(target, 'config.json'), JSON.stringify({ ...config, ...change }));
  return target;
}

describe('loadQwen3', () => {
  it('loads the fixture with its config', async () => {
    const model = await loadQwen3(FIXTURE);
    expect(model.config).toMatchObject({
      hidden_size: 48,
      num_hidden_layers: 2,
      head_dim: 16,
      tie_word_embeddings: true,
    });
    expect(model.numParams).toBe(97 * 48 + 2 * (48 * 64 * 2 + 48 * 32 * 2 + 3 * 48 * 80 + 2 * 48 + 2 * 16) + 48);
    model.dispose();
  });

  it.each([
    [
      'more layers',
      { num_hidden_layers: 3 },
      /missing tensor "model\.layers\.2\.input_layernorm\.weight" \(expected shape \[48\]\)/,
    ],
    [
      'another MLP width',
      { intermediate_size: 81 },
      /tensor "model\.layers\.0\.mlp\.gate_proj\.weight" has shape \[80, 48\], expected \[81, 48\]/,
    ],
    ['untied head', { tie_word_embeddings: false }, /missing tensor "lm_head\.weight" \(expected shape \[97, 48\]\)/],
    ['a bad config', { num_key_value_heads: 3 }, /config\.json: not a supported Qwen3 config: num_key_value_heads/],
  ])('fails on %s', async (name, change, message) => {
    const target = await variant(name.replace(/ /g, '-'), change);
    await expect(loadQwen3(target)).rejects.toThrow(message);
  });

  it('reads the RoPE base from rope_parameters (transformers 5 layout): same logits as rope_theta', async () => {
    const config = JSON.parse(await readFile(path.join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.rope_theta).toBe(1e6);
    const { rope_theta, rope_scaling, ...rest } = config;
    void rope_theta;
    void rope_scaling;
    const target = await variant('rope-parameters', null);
    await writeFile(
      path.join(target, 'config.json'),
      JSON.stringify({ ...rest, rope_parameters: { rope_theta: 1e6, rope_type: 'default' } }),
    );
    const reference = await loadQwen3(FIXTURE);
    const v5 = await loadQwen3(target);
    expect(v5.config.rope_theta).toBe(1e6);
    const ids = tf.tensor2d([Array.from({ length: 40 }, (_, i) => (i * 7) % 97)], [1, 40], 'int32');
    const a = reference.forward(ids).logits;
    const b = v5.forward(ids).logits;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
    [ids, a, b].forEach((t) => t.dispose());
    reference.dispose();
    v5.dispose();
  });

  it('fails without config.json or weights, naming the path', async () => {
    await expect(loadQwen3(path.join(dir, 'nowhere'))).rejects.toThrow(
      /nowhere\/config\.json: cannot read model config/,
    );
    const target = await variant('no-weights', null);
    await rm(path.join(target, 'model.safetensors'));
    await expect(loadQwen3(target)).rejects.toThrow(/no model\.safetensors\.index\.json or model\.safetensors/);
  });
});
