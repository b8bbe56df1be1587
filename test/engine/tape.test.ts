// Early release of backward-pass memory (core/engine/src/tape.ts): each op's gradients and saved
// tensors go as soon as the op is done, gradients stay exact, and what the caller owns survives.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { customOp } from '../../core/engine/src/qwen3/layers.js';
import { LoraAdapters } from '../../core/engine/src/lora.js';
import { tokenLogprobs } from '../../core/engine/src/logprobs.js';
import { Qwen3Model } from '../../core/engine/src/qwen3/model.js';
import { releaseEarly, releaseEarlyInstalled, setReleaseEarly } from '../../core/engine/src/tape.js';
import { microConfig, useWasm } from './helpers.js';

beforeAll(useWasm);

const SIZE = 10_000; // floats per tensor: 40 KB
const DEPTH = 24;

/** sin applied DEPTH times: every op saves its input, every op's dy is its own tensor. */
function chain(x: tf.Tensor): tf.Tensor {
  let y = x;
  for (let i = 0; i < DEPTH; i++) y = tf.sin(y);
  return tf.sum(y);
}

describe('releaseEarly', () => {
  it('is installed by initBackend (nothing here installs it), and installing again is a no-op', () => {
    expect(releaseEarlyInstalled()).toBe(true);
    expect(releaseEarly()).toBe(true);
  });

  it('holds almost nothing when the backward pass reaches the first op', () => {
    const x = tf.randomUniform([SIZE], -1, 1, 'float32', 7);
    const before = tf.memory().numBytes;
    let atFirstOp = 0;
    // The first op of the chain notes the memory in use when its gradient runs: by then every later
    // op has been differentiated. tfjs alone still holds all DEPTH saved inputs and all DEPTH dys.
    const probe = customOp<tf.Tensor>(([input]) => ({
      value: tf.mul(input!, 1),
      gradFunc: (d) => {
        atFirstOp = tf.memory().numBytes;
        return [d];
      },
    }));
    const g = tf.grad((input: tf.Tensor) => chain(probe(input) as tf.Tensor))(x);
    expect((atFirstOp - before) / (SIZE * 4)).toBeLessThan(5);
    g.dispose();
    expect(tf.memory().numBytes).toBe(before);
    x.dispose();
  });

  it('leaves gradients exact', () => {
    const x = tf.tensor1d([0.3, -1.2, 2.0]);
    const g = tf.grad(chain)(x);
    // d/dx sin^(n)(x) = prod over the chain of cos(previous value), computed in plain JS.
    const expected = [0.3, -1.2, 2.0].map((v) => {
      let value = v;
      let derivative = 1;
      for (let i = 0; i < DEPTH; i++) {
        derivative *= Math.cos(value);
        value = Math.sin(value);
      }
      return derivative;
    });
    const got = g.arraySync() as number[];
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    tf.dispose([x, g]);
  });

  it('does not dispose a dy the caller passed, nor tensors an identity gradient hands back', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const dy = tf.tensor1d([1, 10, 100]);
    const f = customOp<tf.Tensor>(([input]) => ({ value: tf.mul(input!, 2), gradFunc: (d) => [d] }));
    const g = tf.grad((input: tf.Tensor) => tf.sin(f(input) as tf.Tensor))(x, dy);
    expect(dy.isDisposed).toBe(false);
    expect(dy.arraySync()).toEqual([1, 10, 100]);
    const expected = [1, 2, 3].map((v, i) => Math.cos(2 * v) * [1, 10, 100][i]!);
    (g.arraySync() as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    tf.dispose([x, dy, g]);
  });
});

describe('releaseEarly on a Qwen3 training step', () => {
  it('gives bit-identical LoRA gradients and a lower peak than tfjs alone', async () => {
    const model = Qwen3Model.random(microConfig({ num_hidden_layers: 2 }), { seed: 5 });
    const adapters = LoraAdapters.attach(model, {
      r: 4,
      alpha: 8,
      dropout: 0,
      targetModules: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
    });
    // B starts at zero; give it values so that every gradient path carries signal.
    for (const v of adapters.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', v.size));
    const input = tf.tensor2d([[1, 5, 7, 3, 9, 4, 11, 2]], undefined, 'int32');
    const target = tf.tensor2d([[5, 7, 3, 9, 4, 11, 2, 6]], undefined, 'int32');
    const step = async () => {
      const before = tf.memory().numBytes;
      let grads: tf.NamedTensorMap = {};
      const info = await tf.profile(() => {
        const result = tf.variableGrads(
          () => tf.neg(tf.mean(tokenLogprobs(model.forward(input, { training: true }).logits, target))) as tf.Scalar,
          adapters.variables(),
        );
        result.value.dispose();
        grads = result.grads;
      });
      return { grads, peak: info.peakBytes - before };
    };
    const early = await step();
    const previous = setReleaseEarly(false);
    const late = await step();
    setReleaseEarly(previous);
    expect(Object.keys(early.grads)).toHaveLength(adapters.variables().length);
    for (const name of Object.keys(early.grads)) {
      expect(early.grads[name]!.dataSync()).toEqual(late.grads[name]!.dataSync());
    }
    expect(early.peak).toBeLessThan(late.peak);
    tf.dispose([early.grads, late.grads, input, target]);
    model.dispose();
  });
});
