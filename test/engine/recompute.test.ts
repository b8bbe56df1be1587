// Gradient checkpointing (forward option `recompute`): the same loss and gradients as the plain
// forward for full fine-tuning and LoRA (with and without dropout), no leaked tensors, less memory
// kept for the backward pass, and refused together with a KV cache.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenLogprobs } from '../../core/engine/src/logprobs.js';
import { LoraAdapters } from '../../core/engine/src/lora.js';
import { KVCache, Qwen3Model } from '../../core/engine/src/qwen3/model.js';
import { microConfig, useWasm } from './helpers.js';

beforeAll(useWasm);

const config = microConfig({ vocab_size: 60 });
// Two rows, the second left-padded, so the attention bias (saved for the recomputation) matters.
const ids = () =>
  tf.tensor2d(
    [
      [1, 2, 3, 4, 5, 6, 7, 8],
      [0, 0, 9, 10, 11, 12, 13, 14],
    ],
    undefined,
    'int32',
  );
const mask = () =>
  tf.tensor2d(
    [
      [1, 1, 1, 1, 1, 1, 1, 1],
      [0, 0, 1, 1, 1, 1, 1, 1],
    ],
    undefined,
    'int32',
  );
const targets = () =>
  tf.tensor2d(
    [
      [2, 3, 4, 5, 6, 7, 8, 9],
      [0, 0, 10, 11, 12, 13, 14, 15],
    ],
    undefined,
    'int32',
  );

function loss(model: Qwen3Model, recompute: boolean): tf.Scalar {
  return tf.tidy(() => {
    const { logits } = model.forward(ids(), { attentionMask: mask(), training: true, recompute });
    return tf.neg(tf.mean(tokenLogprobs(logits, targets()))) as tf.Scalar;
  });
}

/** Loss and every gradient (in variable order) of one backward pass. */
function gradients(
  model: Qwen3Model,
  vars: tf.Variable[],
  recompute: boolean,
): { loss: number; grads: Float32Array[] } {
  const { value, grads } = tf.variableGrads(() => loss(model, recompute), vars);
  const out = { loss: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!.dataSync() as Float32Array) };
  tf.dispose([value, grads]);
  return out;
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))));
  return m;
}

function maxAbs(a: Float32Array[]): number {
  return a.reduce((m, x) => x.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);
}

/** LoRA on q, v, o, gate, down with B set non-zero, so A's gradients are not all zero. */
function withLora(model: Qwen3Model, dropout: number): LoraAdapters {
  const lora = LoraAdapters.attach(model, {
    r: 4,
    alpha: 8,
    dropout,
    targetModules: ['q', 'v', 'o', 'gate', 'down'],
    seed: 5,
  });
  let seed = 11;
  for (const v of lora.variables()) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', seed++)));
  return lora;
}

describe('forward recompute (gradient checkpointing)', () => {
  it('gives the same loss and gradients as the plain forward: full fine-tuning', () => {
    const model = Qwen3Model.random(config, { seed: 3 });
    const vars = model.trainableVariables();
    expect(vars).toHaveLength(model.params.size);
    const plain = gradients(model, vars, false);
    const recomputed = gradients(model, vars, true);
    expect(maxAbs(plain.grads)).toBeGreaterThan(1e-3);
    expect(Math.abs(plain.loss - recomputed.loss)).toBeLessThan(1e-6);
    expect(maxDiff(plain.grads, recomputed.grads)).toBeLessThan(1e-5);
    model.dispose();
  });

  it.each([
    ['without dropout', 0],
    ['with dropout (same masks in the recomputation)', 0.3],
  ])('gives the same loss and gradients as the plain forward: LoRA %s', (_, dropout) => {
    const model = Qwen3Model.random(config, { seed: 3 });
    const lora = withLora(model, dropout);
    const vars = lora.variables();
    const start = lora.rngState();
    const plain = gradients(model, vars, false);
    const after = lora.rngState();
    lora.restoreRngState(start);
    const recomputed = gradients(model, vars, true);
    // The recomputation restores the dropout stream: it ends where the plain pass ended.
    expect(lora.rngState()).toEqual(after);
    expect(maxAbs(plain.grads)).toBeGreaterThan(1e-3);
    expect(Math.abs(plain.loss - recomputed.loss)).toBeLessThan(1e-6);
    expect(maxDiff(plain.grads, recomputed.grads)).toBeLessThan(1e-5);
    if (dropout > 0) {
      // Different masks give different gradients, so the equality above is not vacuous.
      const other = gradients(model, vars, true);
      expect(maxDiff(plain.grads, other.grads)).toBeGreaterThan(1e-4);
    }
    lora.detach();
    model.dispose();
  });

  it('leaks no tensor across a training step and leaves no tape behind', () => {
    const model = Qwen3Model.random(config, { seed: 3 });
    const lora = withLora(model, 0.2);
    const optimizer = tf.train.sgd(0.01);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => loss(model, true), lora.variables());
      optimizer.applyGradients(grads);
      tf.dispose([value, grads]);
    };
    step(); // the optimizer's first step may allocate its state
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().state.activeTape).toBeNull();
    optimizer.dispose();
    lora.detach();
    model.dispose();
  });

  it('keeps less memory for the backward pass', () => {
    const deep = microConfig({ vocab_size: 60, num_hidden_layers: 4 });
    const model = Qwen3Model.random(deep, { seed: 3 });
    const long = tf.tensor2d([Array.from({ length: 96 }, (_, i) => 1 + (i % 50))], undefined, 'int32');
    const retained = (recompute: boolean): number => {
      let bytes = 0;
      const { value, grads } = tf.variableGrads(() => {
        const before = tf.memory().numBytes;
        const { logits } = model.forward(long, { training: true, recompute });
        bytes = tf.memory().numBytes - before; // logits plus what the tape saved
        return tf.mean(logits) as tf.Scalar;
      }, model.trainableVariables());
      tf.dispose([value, grads]);
      return bytes;
    };
    const plain = retained(false);
    const recomputed = retained(true);
    expect(recomputed).toBeLessThan(plain / 2);
    long.dispose();
    model.dispose();
  });

  it('is refused together with a KV cache', () => {
    const model = Qwen3Model.random(config, { seed: 3 });
    const cache = new KVCache(config.num_hidden_layers);
    const x = ids();
    expect(() => model.forward(x, { cache, recompute: true })).toThrow(/recompute.*KV cache/);
    x.dispose();
    cache.dispose();
    model.dispose();
  });
});
