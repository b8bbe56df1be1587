// `medrl generate` end to end, in-process: a tiny checkpoint + tokenizer written to disk, then the command.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import type { PluginContext } from '@medrl/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHfModelWriter } from '../../plugins/checkpoint-hf/src/index.js';
import Generate from '../../core/src/commands/generate.js';
import { activeBackend } from '../../core/src/engine/backend.js';
import { generate } from '../../core/src/engine/generate.js';
import { loadQwen3 } from '../../core/src/engine/loader.js';
import { Qwen3Model } from '../../core/src/engine/qwen3/model.js';
import { buildTinyTokenizer } from '../../core/src/engine/tiny-tokenizer.js';
import { Tokenizer, saveTokenizerFiles } from '../../core/src/engine/tokenizer.js';
import { microConfig, useWasm } from './helpers.js';

const CORE_ROOT = path.join(import.meta.dirname, '..', '..', 'core');
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const ctx = {
  logger: silent,
  metrics: { increment() {}, gauge() {}, snapshot: () => ({}) },
  rootDir: '.',
  command: 'test',
} as PluginContext;
let dir: string;
let modelDir: string;
let tokenizer: Tokenizer;

beforeAll(async () => {
  await useWasm();
  dir = await mkdtemp(path.join(tmpdir(), 'medrl-generate-'));
  modelDir = path.join(dir, 'model');
  await mkdir(modelDir);
  const files = buildTinyTokenizer(['胸痛 chest pain 发热 fever']);
  tokenizer = new Tokenizer(files, modelDir);
  const model = Qwen3Model.random(microConfig({ vocab_size: tokenizer.vocabSize }), { seed: 4 });
  await createHfModelWriter('F32').write(
    { kind: 'full', step: 0, tensors: model.exportTensors(), config: model.hfConfig() },
    modelDir,
    ctx,
  );
  await saveTokenizerFiles(modelDir, files);
  model.dispose();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('medrl generate', () => {
  it('prints JSON results equal to the library call (chat template applied)', async () => {
    // oclif prints through console.log.
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      out.push(args.map(String).join(' '));
    });
    let returned: unknown;
    try {
      returned = await Generate.run(
        [
          '--model-path',
          modelDir,
          '--prompt',
          'chest pain',
          '--max-new-tokens',
          '5',
          '--seed',
          '3',
          '--temperature',
          '0',
          '--json',
        ],
        CORE_ROOT,
      );
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(out.join(''))).toEqual(returned);
    const printed = returned as { results: { tokenIds: number[]; text: string; logprobs: number[] }[] };
    const model = await loadQwen3(modelDir);
    const prompt = tokenizer.applyChatTemplate([{ role: 'user', content: 'chest pain' }], {
      addGenerationPrompt: true,
    });
    const [expected] = await generate(model, tokenizer, [prompt], { maxNewTokens: 5, temperature: 0 });
    model.dispose();
    expect(printed.results).toHaveLength(1);
    expect(printed.results[0]!.tokenIds).toEqual(expected!.tokenIds);
    expect(printed.results[0]!.text).toBe(expected!.text);
    expect(printed.results[0]!.logprobs).toHaveLength(expected!.tokenIds.length);
  });

  // Real Qwen3 checkpoints pad the embedding past the tokenizer's ids (151936 rows, 151669 ids); a
  // sampled id without a token decodes to nothing instead of crashing the tokenizers library.
  it('generates with a config vocab_size larger than the tokenizer', async () => {
    const padded = path.join(dir, 'padded');
    await mkdir(padded);
    const model = Qwen3Model.random(microConfig({ vocab_size: tokenizer.vocabSize + 2000 }), { seed: 5 });
    await createHfModelWriter('F32').write(
      { kind: 'full', step: 0, tensors: model.exportTensors(), config: model.hfConfig() },
      padded,
      ctx,
    );
    await saveTokenizerFiles(padded, tokenizer.files);
    model.dispose();
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    let returned: { results: { tokenIds: number[]; text: string }[] };
    try {
      returned = (await Generate.run(
        ['--model-path', padded, '--prompt', 'fever', '--max-new-tokens', '8', '--temperature', '1', '--json'],
        CORE_ROOT,
      )) as typeof returned;
    } finally {
      spy.mockRestore();
    }
    const [result] = returned.results;
    expect(result!.tokenIds.some((id) => id >= tokenizer.vocabSize)).toBe(true);
    const known = result!.tokenIds.filter((id) => id < tokenizer.vocabSize && !tokenizer.eosTokenIds.includes(id));
    expect(result!.text).toBe(tokenizer.decode(known));
  });

  it('runs the model on --threads threads (engine.threads), with the same tokens', async () => {
    const config = path.join(dir, 'medrl.config.json');
    await writeFile(config, JSON.stringify({ engine: { backend: 'wasm' } }));
    const args = ['--config', config, '--model-path', modelDir, '--prompt', 'chest pain', '--max-new-tokens', '5'];
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const auto = (await Generate.run([...args, '--temperature', '0', '--json'], CORE_ROOT)) as {
        results: { tokenIds: number[] }[];
      };
      expect(activeBackend()).toMatchObject({ backend: 'wasm', threads: Math.min(os.availableParallelism(), 8) });
      const one = (await Generate.run([...args, '--temperature', '0', '--threads', '1', '--json'], CORE_ROOT)) as {
        results: { tokenIds: number[] }[];
      };
      expect(activeBackend()).toMatchObject({ backend: 'wasm', threads: 1 });
      expect(one.results[0]!.tokenIds).toEqual(auto.results[0]!.tokenIds);
      await expect(Generate.run([...args, '--threads', '0'], CORE_ROOT)).rejects.toThrow(/--threads/);
    } finally {
      spy.mockRestore();
    }
  });

  it('fails naming the directory when the model is missing', async () => {
    await expect(Generate.run(['--model-path', path.join(dir, 'missing'), '--prompt', 'x'], CORE_ROOT)).rejects.toThrow(
      /missing/,
    );
  });
});
