// Qwen3 model: shapes, causal masking, padding, KV cache, gradients and tensor hygiene.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { qwen3ConfigFromHf, qwen3ConfigToHf } from '../../core/src/engine/qwen3/config.js';
import { setTransposeBlockElements } from '../../core/src/engine/qwen3/layers.js';
import { KVCache, Qwen3Model } from '../../core/src/engine/qwen3/model.js';
import { tokenLogprobs } from '../../core/src/engine/logprobs.js';
import { microConfig, useWasm } from './helpers.js';

beforeAll(useWasm);

function ids(rows: number[][]): tf.Tensor2D {
  return tf.tensor2d(rows, undefined, 'int32');
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe.each([true, false])('Qwen3Model (tie_word_embeddings %s)', (tied) => {
  const config = microConfig({ tie_word_embeddings: tied });

  it('returns logits [B, T, V] and the hidden state [B, T, H]', () => {
    const model = Qwen3Model.random(config, { seed: 1 });
    const input = ids([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    const { logits, hidden } = model.forward(input, { returnHidden: true });
    expect(logits.shape).toEqual([2, 5, config.vocab_size]);
    expect(hidden!.shape).toEqual([2, 5, config.hidden_size]);
    const tail = model.forward(input, { logitsFrom: 3 });
    expect(tail.logits.shape).toEqual([2, 2, config.vocab_size]);
    expect(maxAbsDiff(tail.logits, logits.slice([0, 3, 0], [2, 2, config.vocab_size]))).toBeLessThan(1e-5);
    tf.dispose([input, logits, hidden!, tail.logits]);
    model.dispose();
  });

  it('is causal: changing a later token leaves earlier logits unchanged', () => {
    const model = Qwen3Model.random(config, { seed: 2 });
    const a = ids([[5, 6, 7, 8, 9, 10]]);
    const b = ids([[5, 6, 7, 99, 42, 10]]);
    const la = model.forward(a).logits;
    const lb = model.forward(b).logits;
    const v = config.vocab_size;
    expect(maxAbsDiff(la.slice([0, 0, 0], [1, 3, v]), lb.slice([0, 0, 0], [1, 3, v]))).toBeLessThan(1e-6);
    expect(maxAbsDiff(la.slice([0, 3, 0], [1, 1, v]), lb.slice([0, 3, 0], [1, 1, v]))).toBeGreaterThan(1e-3);
    tf.dispose([a, b, la, lb]);
    model.dispose();
  });

  it('gives a left-padded row the logits of the same row unpadded', () => {
    const model = Qwen3Model.random(config, { seed: 3 });
    const v = config.vocab_size;
    const alone = model.forward(ids([[11, 12, 13]])).logits;
    const input = ids([
      [0, 0, 11, 12, 13],
      [1, 2, 3, 4, 5],
    ]);
    const mask = ids([
      [0, 0, 1, 1, 1],
      [1, 1, 1, 1, 1],
    ]);
    const padded = model.forward(input, { attentionMask: mask }).logits;
    expect(maxAbsDiff(alone, padded.slice([0, 2, 0], [1, 3, v]))).toBeLessThan(1e-5);
    tf.dispose([alone, input, mask, padded]);
    model.dispose();
  });

  it('computes with a KV cache what it computes on the whole sequence', () => {
    const model = Qwen3Model.random(config, { seed: 4 });
    const v = config.vocab_size;
    const rows = [
      [0, 3, 4, 5, 6, 7, 8],
      [9, 10, 11, 12, 13, 14, 15],
    ];
    const maskRows = [
      [0, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1, 1],
    ];
    const whole = model.forward(ids(rows), { attentionMask: ids(maskRows) }).logits;
    const cache = new KVCache(config.num_hidden_layers);
    const parts: tf.Tensor[] = [];
    for (const [start, end] of [
      [0, 4],
      [4, 5],
      [5, 7],
    ] as const) {
      const slice = (m: number[][]) => ids(m.map((r) => r.slice(start, end)));
      parts.push(model.forward(slice(rows), { attentionMask: slice(maskRows), cache }).logits);
    }
    expect(cache.length).toBe(7);
    const stitched = tf.concat(parts, 1);
    expect(maxAbsDiff(whole.slice([0, 1, 0], [1, 6, v]), stitched.slice([0, 1, 0], [1, 6, v]))).toBeLessThan(1e-4);
    expect(maxAbsDiff(whole.slice([1, 0, 0], [1, 7, v]), stitched.slice([1, 0, 0], [1, 7, v]))).toBeLessThan(1e-4);
    cache.dispose();
    model.dispose();
  });

  it('is deterministic under a seed and different across seeds', () => {
    const input = ids([[1, 2, 3]]);
    const [a, b, c] = [7, 7, 8].map((seed) => {
      const model = Qwen3Model.random(config, { seed });
      const { logits } = model.forward(input);
      model.dispose();
      return logits;
    });
    expect(maxAbsDiff(a!, b!)).toBe(0);
    expect(maxAbsDiff(a!, c!)).toBeGreaterThan(1e-3);
    tf.dispose([input, a!, b!, c!]);
  });

  it('leaks no tensors across a forward and a training step, and the step lowers the loss', () => {
    const model = Qwen3Model.random(config, { seed: 5 });
    const input = ids([[1, 2, 3, 4, 5, 6]]);
    const targets = ids([[2, 3, 4, 5, 6, 7]]);
    const optimizer = tf.train.adam(1e-2);
    const loss = () => tf.neg(tf.mean(tokenLogprobs(model.forward(input).logits, targets))) as tf.Scalar;
    const step = () => {
      const { value, grads } = tf.variableGrads(loss, model.trainableVariables());
      optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]); // tfjs types the gradient map as variables
      const out = value.dataSync()[0]!;
      tf.dispose([value, grads]);
      return out;
    };
    step(); // warm up: optimizer slots and the tied-head cache are created once
    tf.dispose(model.forward(input).logits);
    const before = tf.memory().numTensors;
    const first = step();
    tf.dispose(model.forward(input).logits);
    let last = first;
    for (let i = 0; i < 5; i++) last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    // Every parameter received a gradient.
    const { value, grads } = tf.variableGrads(loss, model.trainableVariables());
    expect(Object.keys(grads)).toHaveLength(model.specs.length);
    for (const g of Object.values(grads)) expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([value, grads, input, targets]);
    optimizer.dispose();
    model.dispose();
  });
});

describe('custom gradients', () => {
  it('are the same when large weights are transposed in row blocks', () => {
    const config = microConfig({ num_hidden_layers: 1, vocab_size: 50 });
    const model = Qwen3Model.random(config, { seed: 3 });
    const input = ids([[1, 5, 7, 3, 9, 4, 11, 2, 6, 8]]);
    const targets = ids([[5, 7, 3, 9, 4, 11, 2, 6, 8, 1]]);
    const grads = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.neg(tf.sum(tokenLogprobs(model.forward(input).logits, targets))) as tf.Scalar,
        model.trainableVariables(),
      );
      value.dispose();
      return grads;
    };
    const whole = grads();
    setTransposeBlockElements(7 * config.hidden_size); // embed_tokens [50, 32] in blocks of 7 rows
    const blocked = grads();
    setTransposeBlockElements(1 << 22);
    for (const name of Object.keys(whole)) expect(maxAbsDiff(whole[name]!, blocked[name]!)).toBeLessThan(1e-5);
    tf.dispose([whole, blocked, input, targets]);
    model.dispose();
  });

  it.each([2, 10])('match numerical differentiation of the loss (%i rows)', (rows) => {
    const config = microConfig({ num_hidden_layers: 1, vocab_size: 20, initializer_range: 0.3 });
    const model = Qwen3Model.random(config, { seed: 9 });
    const input = ids([[1, 5, 7, 3, 9, 4, 11, 2, 6, 8].slice(0, rows)]);
    const targets = ids([[5, 7, 3, 9, 4, 11, 2, 6, 8, 1].slice(0, rows)]);
    const loss = () => tf.neg(tf.sum(tokenLogprobs(model.forward(input).logits, targets))) as tf.Scalar;
    for (const name of [
      'model.embed_tokens.weight',
      'model.layers.0.self_attn.q_proj.weight',
      'model.layers.0.mlp.down_proj.weight',
      'model.layers.0.mlp.gate_proj.weight',
      'model.layers.0.input_layernorm.weight',
      'model.layers.0.self_attn.k_norm.weight',
      'model.norm.weight',
    ]) {
      const variable = model.param(name);
      const { grads } = tf.variableGrads(loss, [variable]);
      const analytic = grads[variable.name]!.dataSync();
      const values = variable.dataSync().slice();
      const eps = 1e-2;
      for (const index of [0, 7, 5]) {
        const at = (delta: number) => {
          const moved = values.slice();
          moved[index]! += delta;
          variable.assign(tf.tensor(moved, variable.shape));
          return tf.tidy(() => loss().dataSync()[0]!);
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        variable.assign(tf.tensor(values, variable.shape));
        expect(analytic[index]!).toBeCloseTo(numeric, 2);
      }
      tf.dispose(grads);
    }
    tf.dispose([input, targets]);
    model.dispose();
  });
});

describe('Qwen3 config.json', () => {
  it('round-trips through the Hugging Face form', () => {
    const config = microConfig();
    expect(qwen3ConfigFromHf(JSON.parse(JSON.stringify(qwen3ConfigToHf(config))))).toEqual(config);
  });

  it.each([
    [{ model_type: 'llama' }, 'model_type'],
    [{ num_key_value_heads: 3 }, 'num_key_value_heads'],
    [{ hidden_act: 'gelu' }, 'hidden_act'],
    [{ rope_scaling: { type: 'yarn' } }, 'rope_scaling'],
    [{ rope_parameters: { rope_type: 'yarn', rope_theta: 1e6, factor: 4 } }, 'rope_parameters.rope_type'],
    [{ rope_parameters: { rope_type: 'linear', factor: 2 } }, 'rope_parameters.rope_type'],
    [
      { rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 1e6 } } },
      'rope_parameters.full_attention',
    ],
    [{ rope_parameters: { rope_type: 'default', partial_rotary_factor: 0.5 } }, 'partial_rotary_factor'],
    [{ hidden_size: undefined }, 'hidden_size'],
  ])('rejects %j naming %s', (change, field) => {
    const json = { ...qwen3ConfigToHf(microConfig()), ...change };
    expect(() => qwen3ConfigFromHf(json, 'x/config.json')).toThrow(new RegExp(`x/config.json.*${field}`));
  });

  // transformers 5 writes the RoPE base only inside rope_parameters; its precedence is
  // rope_parameters.rope_theta, then the top-level rope_theta, then 10000.
  it.each([
    ['rope_parameters only (transformers 5)', { rope_parameters: { rope_theta: 1e6, rope_type: 'default' } }, 1e6],
    ['top-level only (transformers 4)', { rope_theta: 5e5 }, 5e5],
    [
      'both: rope_parameters wins',
      { rope_theta: 7e3, rope_parameters: { rope_type: 'default', rope_theta: 1e6 } },
      1e6,
    ],
    ['rope_parameters without a base', { rope_theta: 3e4, rope_parameters: { rope_type: 'default' } }, 3e4],
    ['rope_scaling "default" with a base', { rope_scaling: { type: 'default', rope_theta: 2e5 } }, 2e5],
    ['neither', {}, 10000],
  ])('reads the RoPE base: %s', (_name, change, theta) => {
    const { rope_theta, rope_parameters, ...rest } = qwen3ConfigToHf(microConfig());
    void rope_theta;
    void rope_parameters;
    expect(qwen3ConfigFromHf({ ...rest, ...change }).rope_theta).toBe(theta);
  });

  it('writes the RoPE base in both layouts', () => {
    const json = qwen3ConfigToHf(microConfig({ rope_theta: 1e6 }));
    expect(json.rope_theta).toBe(1e6);
    expect(json.rope_parameters).toEqual({ rope_type: 'default', rope_theta: 1e6 });
  });

  it('applies transformers defaults (head_dim 128, kv heads = heads)', () => {
    const { head_dim, num_key_value_heads, ...rest } = qwen3ConfigToHf(microConfig());
    void head_dim;
    void num_key_value_heads;
    const config = qwen3ConfigFromHf(rest);
    expect(config.head_dim).toBe(128);
    expect(config.num_key_value_heads).toBe(config.num_attention_heads);
  });
});
