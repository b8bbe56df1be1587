// The engine-backed answer generator on a random tiny Qwen3 with the tiny character tokenizer:
// prompts go through the chat template, answers come back one per request, in order, repeatably.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../core/src/engine/backend.js';
import { Qwen3Model } from '../../core/src/engine/qwen3/model.js';
import { tinyQwen3Config } from '../../core/src/engine/tiny.js';
import { buildTinyTokenizer } from '../../core/src/engine/tiny-tokenizer.js';
import { Tokenizer } from '../../core/src/engine/tokenizer.js';
import { EngineAnswerGenerator, loadEngineGenerator } from '../../core/src/eval/engine-generator.js';
import { generate } from '../../core/src/engine/generate.js';
import { EngineRng } from '../../core/src/engine/rng.js';

const sampling = { maxNewTokens: 6, temperature: 0.8, topK: 20, topP: 0.95, seed: 7 };
const requests = [
  { id: 'a', split: 'test', prompt: '胸痛怎么办？' },
  { id: 'b', split: 'test', prompt: 'fever 发热' },
  { id: 'c', split: 'gold_set', prompt: 'chest pain' },
];

let tokenizer: Tokenizer;
const model = (): Qwen3Model =>
  Qwen3Model.random(
    tinyQwen3Config(tokenizer.vocabSize, {
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      head_dim: 16,
      max_position_embeddings: 128,
    }),
    { seed: 3 },
  );

let tmp: string;
beforeAll(async () => {
  await initBackend('cpu');
  tokenizer = new Tokenizer(buildTinyTokenizer(['胸痛怎么办 发热 fever chest pain']), 'eval-test-tiny');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'medrl-eval-engine-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('EngineAnswerGenerator', () => {
  it('renders each prompt as a user turn of the chat template with the generation prompt', () => {
    const generator = new EngineAnswerGenerator('tiny', model(), tokenizer, sampling);
    const rendered = generator.renderPrompt('胸痛怎么办？');
    expect(rendered).toContain('<|im_start|>user\n胸痛怎么办？<|im_end|>');
    expect(rendered.endsWith('<|im_start|>assistant\n')).toBe(true);
  });

  it('answers every request, in order, and the same seed gives the same answers', async () => {
    const first = new EngineAnswerGenerator('tiny', model(), tokenizer, sampling);
    const second = new EngineAnswerGenerator('tiny', model(), tokenizer, sampling);
    const a = await first.generate(requests);
    const b = await second.generate(requests);
    expect(a).toHaveLength(3);
    expect(a.every((text) => typeof text === 'string')).toBe(true);
    expect(a).toEqual(b);
    await first.close();
    await second.close();
  });

  it('scores its answers: sequenceLogprobs equals the sum of the logprobs sampling reported', async () => {
    const m = model();
    const generator = new EngineAnswerGenerator('tiny', m, tokenizer, sampling);
    const direct = await generate(
      m,
      tokenizer,
      requests.map((r) => generator.renderPrompt(r.prompt)),
      {
        ...sampling,
        rng: EngineRng.fromSeed(sampling.seed),
      },
    );
    await generator.generate(requests);
    expect(generator.answers.map((a) => a.tokenIds)).toEqual(direct.map((r) => r.tokenIds));
    const sums = await generator.sequenceLogprobs(generator.answers);
    direct.forEach((r, i) =>
      expect(sums[i]).toBeCloseTo(
        r.logprobs.reduce((a, b) => a + b, 0),
        3,
      ),
    );
    expect(generator.decoding).toEqual({
      max_new_tokens: sampling.maxNewTokens,
      temperature: 0.8,
      top_k: 20,
      top_p: 0.95,
      seed: 7,
      chat_template: true,
    });
    await generator.close();
  });

  it('stops when the evaluation is cancelled', async () => {
    const generator = new EngineAnswerGenerator('tiny', model(), tokenizer, sampling);
    await expect(generator.generate(requests, AbortSignal.abort())).rejects.toThrow(/cancelled/);
    await generator.close();
  });
});

describe('loadEngineGenerator', () => {
  it('names a missing model directory', async () => {
    await expect(loadEngineGenerator(path.join(tmp, 'nope'), { sampling, backend: 'cpu' })).rejects.toThrow(
      `--model-path ${path.join(tmp, 'nope')}: directory not found`,
    );
  });

  it('asks for the base model of an adapter directory it cannot find', async () => {
    const adapter = path.join(tmp, 'adapter');
    await mkdir(adapter, { recursive: true });
    await writeFile(
      path.join(adapter, 'adapter_config.json'),
      JSON.stringify({ peft_type: 'LORA', base_model_name_or_path: 'Qwen/Qwen3-0.6B' }),
    );
    await expect(loadEngineGenerator(adapter, { sampling, backend: 'cpu' })).rejects.toThrow(
      /holds LoRA adapters; their base model "Qwen\/Qwen3-0.6B" is not a local directory \(looked for .*\): pass --base-model <dir>/,
    );
  });
});
