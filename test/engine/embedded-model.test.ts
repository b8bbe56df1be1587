// The shipped embedded model (core/assets/medrl-qwen3-tiny): complete, small, and answering twenty
// held-out prompts fluently, in the question's language, on topic. The prompts are the first of each
// language and risk level of `medrl prepare`'s test split, which the model never trained on
// (copied into the fixture so the test needs no prepared data).
import 'reflect-metadata';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { embeddedModelDir } from '../../core/src/engine/embedded.js';
import { generate, type GenerationResult } from '../../core/src/engine/generate.js';
import { loadModelDir } from '../../core/src/engine/policy.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

interface Probe {
  lang: 'zh' | 'en';
  prompt: string;
  /** Any of these in the answer counts as on topic. */
  topic: string[];
}

const dir = embeddedModelDir();
const probes = (await readFile(path.join(import.meta.dirname, '../fixtures/embedded-model/prompts.jsonl'), 'utf8'))
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Probe);

/** The answer after a closed think block, or undefined when the block is missing or never closed. */
function afterThink(text: string): string | undefined {
  const match = /^\s*<think>([\s\S]*?)<\/think>([\s\S]*)$/.exec(text);
  return match ? match[2]!.trim() : undefined;
}

/** The most times one token 4-gram occurs: a repetition loop repeats one n-gram many times. */
function maxNgramRepeats(ids: readonly number[], n = 4): number {
  const counts = new Map<string, number>();
  let most = 0;
  for (let i = 0; i + n <= ids.length; i++) {
    const key = ids.slice(i, i + n).join(',');
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    most = Math.max(most, c);
  }
  return most;
}

const cjkShare = (text: string) => {
  const letters = [...text].filter((ch) => /[\p{Script=Han}A-Za-z]/u.test(ch));
  return letters.filter((ch) => /\p{Script=Han}/u.test(ch)).length / Math.max(letters.length, 1);
};

describe('the embedded model', () => {
  it('ships config, weights, tokenizer and a model card, under 50 MB', async () => {
    const files = await readdir(dir);
    expect(files).toEqual(
      expect.arrayContaining([
        'README.md',
        'config.json',
        'model.safetensors',
        'tokenizer.json',
        'tokenizer_config.json',
        'loss.svg',
      ]),
    );
    let bytes = 0;
    for (const f of files) bytes += (await stat(path.join(dir, f))).size;
    expect(bytes).toBeLessThan(50 * 1024 * 1024);
    const card = await readFile(path.join(dir, 'README.md'), 'utf8');
    expect(card).toContain('npm run model:train');
    expect(card).toMatch(/## Sample answers/);
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.model_type).toBe('qwen3');
  });

  let results: GenerationResult[] = [];
  beforeAll(async () => {
    const { model, tokenizer } = await loadModelDir(dir);
    const params = model.numParams;
    expect(params).toBeGreaterThan(3e6);
    expect(params).toBeLessThan(15e6);
    // Qwen3's recommended decoding for thinking mode, as `medrl eval` uses it.
    results = await generate(
      model,
      tokenizer,
      probes.map((p) =>
        tokenizer.applyChatTemplate([{ role: 'user', content: p.prompt }], { addGenerationPrompt: true }),
      ),
      { temperature: 0.6, topK: 20, topP: 0.95, maxNewTokens: 320, seed: 0 },
    );
    model.dispose();
  }, 300_000);

  it('closes its think block, answers after it, stops by itself and never loops', () => {
    for (const [i, r] of results.entries()) {
      const answer = afterThink(r.text);
      expect(answer, `prompt ${i}: ${r.text}`).toBeDefined();
      expect(answer!.length, `prompt ${i}`).toBeGreaterThan(20);
      expect(r.finishReason, `prompt ${i}: ${r.text}`).toBe('stop');
      expect(maxNgramRepeats(r.tokenIds), `prompt ${i}: ${r.text}`).toBeLessThanOrEqual(4);
    }
  });

  it("answers in the question's language", () => {
    for (const [i, r] of results.entries()) {
      const share = cjkShare(afterThink(r.text) ?? '');
      if (probes[i]!.lang === 'zh') expect(share, `prompt ${i}: ${r.text}`).toBeGreaterThan(0.8);
      else expect(share, `prompt ${i}: ${r.text}`).toBeLessThan(0.05);
    }
  });

  it('answers on topic: a term of the question in at least 18 of 20 answers', () => {
    const onTopic = results.filter((r, i) => {
      const text = r.text.toLowerCase();
      return probes[i]!.topic.some((t) => text.includes(t.toLowerCase()));
    });
    expect(onTopic.length).toBeGreaterThanOrEqual(18);
  });
});
