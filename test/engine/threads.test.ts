// Threads on the wasm backend: 1 thread is tfjs's single-threaded SIMD build (medrl's behaviour
// before threads), more is its threaded-SIMD build; both must compute the same numbers bit for bit
// (matmul, a training step with LoRA and Adam, batched sampling), and a threaded process must exit.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { activeBackend, initBackend } from '../../core/src/engine/backend.js';
import { generate } from '../../core/src/engine/generate.js';
import { tokenLogprobs } from '../../core/src/engine/logprobs.js';
import { LoraAdapters } from '../../core/src/engine/lora.js';
import { Qwen3Model } from '../../core/src/engine/qwen3/model.js';
import { microConfig, tinyTokenizer } from './helpers.js';

const tokenizer = tinyTokenizer();
// Wide enough that XNNPACK splits every projection into tiles for both threads.
const config = microConfig({
  vocab_size: tokenizer.vocabSize,
  hidden_size: 128,
  intermediate_size: 384,
  head_dim: 32,
  initializer_range: 0.1,
});

interface Outcome {
  product: number[];
  loss: number;
  grads: Record<string, number[]>;
  updated: number[];
  greedy: number[][];
  sampled: number[][];
  logprobs: number[][];
}

/** Everything a run computes, read back to plain arrays so that the backend can restart after. */
async function compute(threads: number): Promise<Outcome> {
  const info = await initBackend({ backend: 'wasm', threads });
  expect(info.threads).toBe(threads);
  const product = tf.tidy(() =>
    tf.matMul(tf.randomNormal([96, 256], 0, 1, 'float32', 1), tf.randomNormal([256, 320], 0, 1, 'float32', 2)),
  );
  const model = Qwen3Model.random(config, { seed: 4 });
  const lora = LoraAdapters.attach(model, { r: 4, alpha: 8, dropout: 0, targetModules: ['q', 'v', 'up', 'down'] });
  // LoRA B starts at zero; a non-zero B makes the adapters' gradients flow through every path.
  tf.tidy(() => {
    for (const v of lora.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.05, 'float32', v.size));
  });
  const rows = Array.from({ length: 4 }, (_, b) => Array.from({ length: 33 }, (_, i) => (b * 7 + i * 5) % 300));
  const input = tf.tensor2d(
    rows.map((r) => r.slice(0, -1)),
    undefined,
    'int32',
  );
  const target = tf.tensor2d(
    rows.map((r) => r.slice(1)),
    undefined,
    'int32',
  );
  const variables = [...lora.variables(), ...model.trainableVariables().slice(0, 3)];
  const { value, grads } = tf.variableGrads(
    () => tf.neg(tf.mean(tokenLogprobs(model.forward(input, { training: true }).logits, target))) as tf.Scalar,
    variables,
  );
  const optimizer = tf.train.adam(1e-2);
  optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
  const outcome: Omit<Outcome, 'greedy' | 'sampled' | 'logprobs'> = {
    product: Array.from(product.dataSync()),
    loss: value.dataSync()[0]!,
    // Variable names carry a per-process counter (lora_1/..., lora_2/...): key by module.
    grads: Object.fromEntries(
      Object.entries(grads).map(([k, g]) => [k.replace(/^lora_\d+\//, ''), Array.from(g.dataSync())]),
    ),
    updated: variables.flatMap((v) => Array.from(v.dataSync())),
  };
  const prompts = ['chest pain', '胸痛 fever?', 'x'];
  const greedy = await generate(model, tokenizer, prompts, { temperature: 0, maxNewTokens: 10, stopTokenIds: [] });
  const sampled = await generate(model, tokenizer, prompts, {
    temperature: 1,
    topK: 40,
    topP: 0.9,
    maxNewTokens: 10,
    seed: 3,
    stopTokenIds: [],
  });
  tf.dispose([product, input, target, value, ...Object.values(grads)]);
  optimizer.dispose();
  lora.detach();
  model.dispose();
  // Nothing may stay behind: the next run restarts the backend.
  expect(tf.engine().registry.wasm!.numDataIds()).toBe(0);
  return {
    ...outcome,
    greedy: greedy.map((r) => r.tokenIds),
    sampled: sampled.map((r) => r.tokenIds),
    logprobs: [...greedy, ...sampled].map((r) => r.logprobs),
  };
}

afterAll(async () => {
  // Leave the default (every core) for whatever runs next in this process.
  if (tf.engine().registry.wasm?.numDataIds() === 0) await initBackend('wasm');
});

describe('wasm threads', () => {
  it('runs 1 thread on the single-threaded build and 2 on the threaded one, bit-identical results', async () => {
    const one = await compute(1);
    const wasmOne = tf.engine().registry.wasm as unknown as { wasm: { PThread?: unknown } };
    expect(wasmOne.wasm.PThread).toBeUndefined();
    expect(activeBackend()?.threads).toBe(1);

    const two = await compute(2);
    const wasmTwo = tf.engine().registry.wasm as unknown as {
      wasm: { PThread: { runningWorkers: unknown[]; unusedWorkers: unknown[] } };
    };
    // One pool thread besides the calling thread; the spare workers were ended.
    expect(wasmTwo.wasm.PThread.runningWorkers).toHaveLength(1);
    expect(wasmTwo.wasm.PThread.unusedWorkers).toHaveLength(0);

    expect(Object.keys(two.grads).length).toBeGreaterThan(8);
    expect(two.product).toEqual(one.product);
    expect(two.loss).toBe(one.loss);
    expect(two.grads).toEqual(one.grads);
    expect(two.updated).toEqual(one.updated);
    expect(two.greedy).toEqual(one.greedy);
    expect(two.sampled).toEqual(one.sampled);
    expect(two.logprobs).toEqual(one.logprobs);
    // The comparison can fail: a different seed changes the sample.
    expect(two.sampled).not.toEqual(two.greedy);
  });

  it('refuses to restart with another thread count while tensors exist', async () => {
    await initBackend({ backend: 'wasm', threads: 2 });
    const held = tf.ones([3]);
    try {
      await expect(initBackend({ backend: 'wasm', threads: 1 })).rejects.toThrow(
        /engine\.threads: the wasm backend runs 2 thread\(s\) and holds \d+ tensor\(s\); 1 thread\(s\) need a restart/,
      );
      // The same count is a no-op.
      expect((await initBackend({ backend: 'wasm', threads: 2 })).threads).toBe(2);
    } finally {
      held.dispose();
    }
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects engine.threads = %s', async (threads) => {
    await expect(initBackend({ backend: 'wasm', threads })).rejects.toThrow(
      /engine\.threads: expected "auto" or a whole number >= 1/,
    );
  });

  it('lets a threaded process exit on its own (the pool does not hold the event loop)', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const script = [
      "import * as tf from '@tensorflow/tfjs';",
      "import { initBackend } from './core/src/engine/backend.ts';",
      "const info = await initBackend({ backend: 'wasm', threads: 2 });",
      'const v = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync()[0];',
      'console.log(JSON.stringify({ threads: info.threads, v }));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim().split('\n').pop()!)).toEqual({ threads: 2, v: 64 });
  });
});
