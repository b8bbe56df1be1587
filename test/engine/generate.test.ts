// Generation: KV cache vs recomputation, seeded sampling, EOS stop, logprobs, batching, hygiene.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, kthLargest, sampleToken } from '../../core/engine/src/generate.js';
import { tokenLogprobs } from '../../core/engine/src/logprobs.js';
import { Qwen3Model } from '../../core/engine/src/qwen3/model.js';
import { EngineRng } from '../../core/engine/src/rng.js';
import { microConfig, tinyTokenizer, useWasm } from './helpers.js';

beforeAll(useWasm);

const tokenizer = tinyTokenizer();
const prompts = ['chest pain', '胸痛 fever?', 'x'];

function model(seed = 1): Qwen3Model {
  return Qwen3Model.random(microConfig({ vocab_size: tokenizer.vocabSize }), { seed });
}

describe('generate', () => {
  it('gives the same greedy tokens and logprobs with and without the KV cache', async () => {
    const m = model();
    const cached = await generate(m, tokenizer, prompts, { temperature: 0, maxNewTokens: 12, stopTokenIds: [] });
    const uncached = await generate(m, tokenizer, prompts, {
      temperature: 0,
      maxNewTokens: 12,
      stopTokenIds: [],
      useCache: false,
    });
    expect(cached.map((r) => r.tokenIds)).toEqual(uncached.map((r) => r.tokenIds));
    cached.forEach((r, i) => r.logprobs.forEach((lp, j) => expect(lp).toBeCloseTo(uncached[i]!.logprobs[j]!, 4)));
    expect(cached.every((r) => r.tokenIds.length === 12 && r.finishReason === 'length')).toBe(true);
    m.dispose();
  });

  it('generates for a prompt in a batch what it generates for it alone (left padding)', async () => {
    const m = model(2);
    const batched = await generate(m, tokenizer, prompts, { temperature: 0, maxNewTokens: 8, stopTokenIds: [] });
    for (const [i, prompt] of prompts.entries()) {
      const [alone] = await generate(m, tokenizer, [prompt], { temperature: 0, maxNewTokens: 8, stopTokenIds: [] });
      expect(batched[i]!.tokenIds).toEqual(alone!.tokenIds);
    }
    m.dispose();
  });

  it('is reproducible under a seed, differs across seeds, and resumes from a saved sampler state', async () => {
    const m = model(3);
    const options = { temperature: 1.2, topK: 50, topP: 0.95, maxNewTokens: 16, stopTokenIds: [] };
    const a = await generate(m, tokenizer, prompts, { ...options, seed: 11 });
    const b = await generate(m, tokenizer, prompts, { ...options, seed: 11 });
    const c = await generate(m, tokenizer, prompts, { ...options, seed: 12 });
    expect(a.map((r) => r.tokenIds)).toEqual(b.map((r) => r.tokenIds));
    expect(a.map((r) => r.tokenIds)).not.toEqual(c.map((r) => r.tokenIds));

    const rng = EngineRng.fromSeed(5);
    await generate(m, tokenizer, prompts, { ...options, rng });
    const saved = rng.state();
    const next = await generate(m, tokenizer, prompts, { ...options, rng });
    const resumed = await generate(m, tokenizer, prompts, { ...options, rng: EngineRng.fromState(saved) });
    expect(resumed.map((r) => r.tokenIds)).toEqual(next.map((r) => r.tokenIds));
    m.dispose();
  });

  it('reports logprobs equal to the model’s log softmax(logits / temperature) of the chosen tokens', async () => {
    const m = model(4);
    const temperature = 0.7;
    const [result] = await generate(m, tokenizer, ['chest'], {
      temperature,
      maxNewTokens: 6,
      seed: 3,
      stopTokenIds: [],
    });
    const all = [...result!.promptIds, ...result!.tokenIds];
    const input = tf.tensor2d([all.slice(0, -1)], undefined, 'int32');
    const targets = tf.tensor2d([all.slice(1)], undefined, 'int32');
    const logits = m.forward(input).logits;
    const lp = tf.tidy(() => tokenLogprobs(tf.div(logits, temperature) as tf.Tensor3D, targets).arraySync()[0]!);
    const p = result!.promptIds.length - 1;
    result!.logprobs.forEach((value, i) => expect(value).toBeCloseTo(lp[p + i]!, 4));
    tf.dispose([input, targets, logits]);
    m.dispose();
  });

  it('stops a row at a stop token, keeps it in tokenIds and out of text', async () => {
    const m = model(5);
    const [free] = await generate(m, tokenizer, ['chest'], { temperature: 0, maxNewTokens: 6, stopTokenIds: [] });
    const stopId = free!.tokenIds[2]!;
    const firstStop = free!.tokenIds.indexOf(stopId);
    const [stopped, other] = await generate(m, tokenizer, ['chest', 'x'], {
      temperature: 0,
      maxNewTokens: 6,
      stopTokenIds: [stopId],
    });
    expect(stopped!.tokenIds).toEqual(free!.tokenIds.slice(0, firstStop + 1));
    expect(stopped!.finishReason).toBe('stop');
    expect(stopped!.text).toBe(tokenizer.decode(free!.tokenIds.slice(0, firstStop)));
    expect(other!.tokenIds.length).toBeGreaterThan(0);
    m.dispose();
  });

  it('reports each row the moment it finishes, with its final result, and lets I/O run meanwhile', async () => {
    const m = model(5);
    const free = await generate(m, tokenizer, prompts, { temperature: 0, maxNewTokens: 10, stopTokenIds: [] });
    // Row 0 stops at its third token; the others (unless they meet that token) run to the limit.
    const stopId = free[0]!.tokenIds[2]!;
    const stopAt = free.map((r) => r.tokenIds.indexOf(stopId));
    let steps = 0;
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 0);
    const done: { row: number; step: number; ticks: number; tokens: number[]; finish: string }[] = [];
    const results = await generate(m, tokenizer, prompts, {
      temperature: 0,
      maxNewTokens: 10,
      stopTokenIds: [stopId],
      onStep: (s) => (steps = s),
      onRowDone: (row, r) =>
        done.push({ row, step: steps + 1, ticks, tokens: [...r.tokenIds], finish: r.finishReason }),
    });
    clearInterval(ticker);
    expect(done.map((d) => d.row).sort()).toEqual([0, 1, 2]);
    for (const d of done) {
      const expected = stopAt[d.row]! >= 0 ? stopAt[d.row]! + 1 : 10;
      expect(d.step, `row ${d.row}`).toBe(expected); // reported at its own last step, not the batch's
      expect(d.tokens).toEqual(results[d.row]!.tokenIds);
      expect(d.finish).toBe(results[d.row]!.finishReason);
    }
    expect(done[0]!.row).toBe(0);
    expect(done[0]!.step).toBe(3);
    // Timers fired between the first row's end and the last one's: the event loop was not starved.
    expect(done.at(-1)!.ticks).toBeGreaterThan(done[0]!.ticks);
    m.dispose();
  });

  it('leaks no tensors', async () => {
    const m = model(6);
    await generate(m, tokenizer, prompts, { maxNewTokens: 3 }); // warm-up creates the tied-head cache
    const before = tf.memory().numTensors;
    await generate(m, tokenizer, prompts, { maxNewTokens: 10, seed: 1 });
    await generate(m, tokenizer, prompts, { maxNewTokens: 10, useCache: false });
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it.each([
    [{ temperature: -1 }, /temperature/],
    [{ topK: 1.5 }, /topK/],
    [{ topP: 0 }, /topP/],
    [{ maxNewTokens: 0 }, /maxNewTokens/],
  ])('rejects %j', async (options, message) => {
    const m = model();
    await expect(generate(m, tokenizer, ['x'], options)).rejects.toThrow(message);
    await expect(generate(m, tokenizer, [[1, 99999]])).rejects.toThrow(/token id 99999/);
    m.dispose();
  });
});

describe('Qwen3Model.withInferenceWeights', () => {
  it('gives the logits of the training layout, holds one transposed copy per matrix on wasm (none elsewhere), and frees them', async () => {
    const m = model(4);
    const ids = tf.tensor2d([[3, 1, 4, 1, 5]], undefined, 'int32');
    const plain = m.forward(ids).logits;
    const matrices = [...m.params.values()].filter((v) => v.rank === 2).length;
    const before = tf.memory().numTensors;
    let inside = 0;
    const fast = await m.withInferenceWeights(async () => {
      inside = tf.memory().numTensors - before;
      return m.forward(ids).logits;
    });
    // Native backends multiply by W^T through the matmul's flag: copies would only cost memory.
    expect(inside).toBe(tf.getBackend() === 'wasm' ? matrices : 0);
    expect(tf.memory().numTensors).toBe(before + 1); // the returned logits
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(plain, fast))).dataSync()[0]!)).toBeLessThan(1e-5);
    tf.dispose([ids, plain, fast]);
    m.dispose();
  });
});

describe('sampleToken', () => {
  const logits = Float32Array.from([0, 2, 1, -1, 3]);

  it('takes the argmax when greedy', () => {
    expect(sampleToken(logits, { temperature: 0 }, EngineRng.fromSeed(1)).id).toBe(4);
  });

  it.each([
    [{ topK: 2 }, [1, 4]],
    [{ topP: 0.5 }, [4]],
    [{ topP: 0.8 }, [1, 4]],
    [{ topK: 3, topP: 0.99 }, [1, 2, 4]],
  ])('draws only from the allowed set for %j', (options, allowed) => {
    const rng = EngineRng.fromSeed(3);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) seen.add(sampleToken(logits, { temperature: 1, ...options }, rng).id);
    expect([...seen].sort()).toEqual(allowed);
  });

  it('matches the softmax frequencies at temperature 1', () => {
    const rng = EngineRng.fromSeed(4);
    const counts = new Array<number>(5).fill(0);
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleToken(logits, {}, rng).id]!++;
    const z = [...logits].reduce((s, x) => s + Math.exp(x), 0);
    counts.forEach((c, i) => expect(c / n).toBeCloseTo(Math.exp(logits[i]!) / z, 1));
  });

  it('returns the log-probability under the tempered softmax', () => {
    const { id, logprob } = sampleToken(logits, { temperature: 0.5 }, EngineRng.fromSeed(9));
    const z = [...logits].reduce((s, x) => s + Math.exp(x / 0.5), 0);
    expect(logprob).toBeCloseTo(logits[id]! / 0.5 - Math.log(z), 6);
  });
});

describe('kthLargest (top-k threshold)', () => {
  it('equals reading index v - k of an ascending sort, repeats counted', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(random() * 300);
      // Quarter steps make many exact repeats, the case a heap gets wrong most easily.
      const values = Float64Array.from({ length: n }, () => Math.floor(random() * 20) / 4);
      const k = 1 + Math.floor(random() * n);
      expect(kthLargest(values, k)).toBe(Float64Array.from(values).sort()[n - k]);
    }
  });
});
