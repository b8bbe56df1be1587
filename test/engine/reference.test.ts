// The TypeScript Qwen3 forward pass against an independent PyTorch implementation
// (tools/qwen3_reference.py wrote the checkpoints and the expected logits; CI only compares).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, beforeAll } from 'vitest';
import { generate } from '../../core/engine/src/generate.js';
import { loadQwen3 } from '../../core/engine/src/loader.js';
import { useWasm } from './helpers.js';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'engine');

interface ReferenceCase {
  dir: string;
  input_ids: number[][];
  attention_mask: number[][];
  logits: number[][][];
  greedy: { prompt: number[]; continuation: number[] };
}

const reference = JSON.parse(readFileSync(path.join(FIXTURES, 'qwen3-reference.json'), 'utf8')) as {
  cases: ReferenceCase[];
};

/** Token ids are used as is: a tokenizer that only knows EOS and padding. */
const idTokenizer = {
  encode: () => [],
  decode: (ids: readonly number[]) => ids.join(' '),
  eosTokenIds: [],
  padTokenId: 0,
};

beforeAll(useWasm);

describe.each(reference.cases)('Qwen3 checkpoint $dir vs the PyTorch reference', (c) => {
  it('has the same logits within 1e-4 at every real (non-padding) position', async () => {
    const model = await loadQwen3(path.join(FIXTURES, c.dir));
    const ids = tf.tensor2d(c.input_ids, undefined, 'int32');
    const mask = tf.tensor2d(c.attention_mask, undefined, 'int32');
    const { logits } = model.forward(ids, { attentionMask: mask });
    const actual = (await logits.array()) as number[][][];
    tf.dispose([ids, mask, logits]);
    model.dispose();
    let worst = 0;
    let compared = 0;
    c.logits.forEach((seq, b) =>
      seq.forEach((row, t) => {
        if (c.attention_mask[b]![t] === 0) return;
        row.forEach((expected, v) => {
          worst = Math.max(worst, Math.abs(actual[b]![t]![v]! - expected));
          compared++;
        });
      }),
    );
    expect(compared).toBeGreaterThan(1000);
    expect(worst).toBeLessThan(1e-4);
  });

  it('continues greedily with the same tokens, with and without the KV cache', async () => {
    const model = await loadQwen3(path.join(FIXTURES, c.dir));
    const n = c.greedy.continuation.length;
    for (const useCache of [true, false]) {
      const [result] = await generate(model, idTokenizer, [c.greedy.prompt], {
        temperature: 0,
        maxNewTokens: n,
        useCache,
      });
      expect(result!.tokenIds).toEqual(c.greedy.continuation);
    }
    model.dispose();
  });
});
