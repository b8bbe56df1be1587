// LoRA: adapters off = base, merge = adapters on, training touches only adapters, PEFT round trip
// through the checkpoint-hf plugin's writers.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { PluginContext } from '@medrl/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHfModelWriter, createPeftAdapterWriter } from '../../plugins/checkpoint-hf/src/index.js';
import { writeSafetensorsFile } from '../../core/engine/src/codec/index.js';
import { loadQwen3 } from '../../core/engine/src/loader.js';
import { tokenLogprobs } from '../../core/engine/src/logprobs.js';
import { LoraAdapters, loadPeftAdapters } from '../../core/engine/src/lora.js';
import { Qwen3Model } from '../../core/engine/src/qwen3/model.js';
import { microConfig, useWasm } from './helpers.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ctx: PluginContext = {
  logger: silent,
  metrics: { increment() {}, gauge() {}, snapshot: () => ({}) },
  rootDir: '.',
  command: 'test',
};
let dir: string;

beforeAll(async () => {
  await useWasm();
  dir = await mkdtemp(path.join(tmpdir(), 'medrl-lora-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const config = microConfig({ vocab_size: 50 });
const input = () => tf.tensor2d([[1, 2, 3, 4, 5, 6, 7]], undefined, 'int32');
const targets = () => tf.tensor2d([[2, 3, 4, 5, 6, 7, 8]], undefined, 'int32');

function logitsOf(model: Qwen3Model, adapters = true): Float32Array {
  const x = input();
  const { logits } = model.forward(x, { adapters });
  const out = logits.dataSync() as Float32Array;
  tf.dispose([x, logits]);
  return out;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}

/** A model with adapters trained a few Adam steps, so that they are non-zero. */
function trainedLora(dropout = 0): { model: Qwen3Model; lora: LoraAdapters; base: Float32Array } {
  const model = Qwen3Model.random(config, { seed: 1 });
  const base = logitsOf(model);
  const lora = LoraAdapters.attach(model, {
    r: 4,
    alpha: 8,
    dropout,
    targetModules: ['q', 'v', 'o', 'gate', 'down'],
    seed: 2,
  });
  const optimizer = tf.train.adam(0.05);
  const x = input();
  const y = targets();
  for (let i = 0; i < 4; i++) {
    const { value, grads } = tf.variableGrads(
      () => tf.neg(tf.mean(tokenLogprobs(model.forward(x, { training: true }).logits, y))) as tf.Scalar,
      lora.variables(),
    );
    optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]); // tfjs types the gradient map as variables
    tf.dispose([value, grads]);
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  return { model, lora, base };
}

describe('LoRA', () => {
  it('starts as the base model and freezes every base weight', () => {
    const model = Qwen3Model.random(config, { seed: 1 });
    const base = logitsOf(model);
    const lora = LoraAdapters.attach(model, {
      r: 4,
      alpha: 8,
      dropout: 0,
      targetModules: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
    });
    expect(maxDiff(logitsOf(model), base)).toBe(0);
    expect(model.trainableVariables()).toHaveLength(0);
    expect(lora.variables()).toHaveLength(2 * 7 * config.num_hidden_layers);
    lora.detach();
    model.dispose();
  });

  it('trains only the adapters; with adapters off the model is exactly the base', () => {
    const { model, lora, base } = trainedLora(0.1);
    expect(maxDiff(logitsOf(model, true), base)).toBeGreaterThan(1e-3);
    expect(maxDiff(logitsOf(model, false), base)).toBe(0);
    lora.detach();
    model.dispose();
  });

  it('merges into weights that reproduce the adapted model', () => {
    const { model, lora } = trainedLora();
    const merged = lora.mergedTensors();
    const copy = new Qwen3Model(config, (spec) => tf.tensor(merged[spec.name]!.data, merged[spec.name]!.shape));
    expect(maxDiff(logitsOf(copy), logitsOf(model))).toBeLessThan(1e-4);
    copy.dispose();
    lora.detach();
    model.dispose();
  });

  it('exports PEFT names and shapes and loads back through the checkpoint-hf writers', async () => {
    const { model, lora } = trainedLora();
    const { tensors, config: adapterConfig } = lora.exportPeft('tiny');
    const q = tensors['base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight']!;
    expect(q.shape).toEqual([4, config.hidden_size]);
    expect(tensors['base_model.model.model.layers.0.mlp.down_proj.lora_B.weight']!.shape).toEqual([
      config.hidden_size,
      4,
    ]);
    expect(Object.keys(tensors)).toHaveLength(2 * 5 * config.num_hidden_layers);
    expect(adapterConfig).toMatchObject({
      peft_type: 'LORA',
      r: 4,
      lora_alpha: 8,
      target_modules: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'down_proj'],
    });

    const baseDir = path.join(dir, 'base');
    const adapterDir = path.join(dir, 'adapter');
    await mkdir(baseDir);
    await mkdir(adapterDir);
    await createHfModelWriter('F32').write(
      { kind: 'full', step: 0, tensors: model.exportTensors(), config: model.hfConfig() },
      baseDir,
      ctx,
    );
    await createPeftAdapterWriter('F32').write(
      { kind: 'lora', step: 0, tensors, config: adapterConfig },
      adapterDir,
      ctx,
    );
    const reloaded = await loadQwen3(baseDir);
    expect(maxDiff(logitsOf(reloaded), logitsOf(model, false))).toBe(0);
    const reloadedLora = await loadPeftAdapters(reloaded, adapterDir);
    expect(reloadedLora.scale).toBe(2);
    expect(maxDiff(logitsOf(reloaded), logitsOf(model))).toBeLessThan(1e-6);
    reloadedLora.detach();
    reloaded.dispose();
    lora.detach();
    model.dispose();
  });

  it('rejects adapters whose shapes do not fit the model, naming the tensor and both shapes', async () => {
    const { model, lora } = trainedLora();
    const { tensors, config: adapterConfig } = lora.exportPeft();
    lora.detach();
    const name = 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight';
    tensors[name] = { shape: [4, 7], data: new Float32Array(28) };
    const adapterDir = path.join(dir, 'bad-adapter');
    await mkdir(adapterDir);
    await writeSafetensorsFile(path.join(adapterDir, 'adapter_model.safetensors'), tensors);
    await writeFile(path.join(adapterDir, 'adapter_config.json'), JSON.stringify(adapterConfig));
    await expect(loadPeftAdapters(model, adapterDir)).rejects.toThrow(/q_proj.lora_A.weight.*\[4, 7\].*\[4, 32\]/);
    expect(model.adapter).toBeUndefined();
    model.dispose();
  });

  it.each([
    [{ r: 0 }, /r must/],
    [{ dropout: 1 }, /dropout/],
    [{ targetModules: ['qkv'] }, /unknown target module "qkv"/],
  ])('rejects options %j', (bad, message) => {
    const model = Qwen3Model.random(config);
    expect(() =>
      LoraAdapters.attach(model, { r: 2, alpha: 2, dropout: 0, targetModules: ['q'], ...bad } as Parameters<
        typeof LoraAdapters.attach
      >[1]),
    ).toThrow(message);
    model.dispose();
  });
});
