// Every written checkpoint loads on its own: after SFT with LoRA and PPO with LoRA, a step_N
// adapter directory (what `medrl eval --model-path .../step_N` loads, with model.path set) gives
// the trained policy's logits, also from a moved folder; paths in adapter configs are relative;
// model directories carry bos/eos/pad ids and a generation_config.json with Qwen3's stop tokens.
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelDir } from '../../core/src/engine/policy.js';
import type { Qwen3Model } from '../../core/src/engine/qwen3/model.js';
import { loadEngineGenerator } from '../../core/src/eval/engine-generator.js';
import type { Run } from '../../core/src/runtime/run.js';
import { loadCheckpoint } from '../../core/src/train/checkpoint-state.js';
import { Policy, loadStartModel } from '../../core/src/train/policy.js';
import { PIPELINE_LORA, sftLoraThenPpo, type TinySetup } from './helpers.js';

const LORA = { ...PIPELINE_LORA, targetModules: [...PIPELINE_LORA.targetModules] };
let setup: TinySetup;
let run: Run;
let ids: tf.Tensor2D;

/** Logits of the fixed probe sequence. */
function logitsOf(model: Qwen3Model): Float32Array {
  return tf.tidy(() => model.forward(ids).logits.dataSync() as Float32Array);
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const root = () => setup.root;
const stepDir = () => path.join(root(), 'rl/checkpoints/step_2');

beforeAll(async () => {
  ({ setup, run } = await sftLoraThenPpo(3));
  ids = tf.tensor2d([Array.from({ length: 24 }, (_, i) => 5 + ((i * 37) % 300))], [1, 24], 'int32');
}, 240_000);

afterAll(async () => {
  ids?.dispose();
  await run?.close();
});

describe('checkpoints after SFT-LoRA then PPO-LoRA', () => {
  it('write relative adapter bases: step_N on the merged start model, SFT final_lora and step_N on model.path', async () => {
    const step = JSON.parse(await readFile(path.join(stepDir(), 'adapter_config.json'), 'utf8'));
    expect(step.base_model_name_or_path).toBe('../start_model');
    const sft = JSON.parse(await readFile(path.join(root(), 'models/lora/final_lora/adapter_config.json'), 'utf8'));
    expect(sft.base_model_name_or_path).toBe('../../start');
    // SFT's intermediate checkpoints name the base relative to their own folder.
    const sftStep = path.join(root(), 'models/lora/checkpoints/step_4/adapter_config.json');
    expect(JSON.parse(await readFile(sftStep, 'utf8')).base_model_name_or_path).toBe('../../../start');
  });

  it('step_N as eval loads it (model.path set) gives the trained policy, not base + PPO adapters', async () => {
    // The trained policy, rebuilt independently: SFT merged into the base, PPO adapters from the trainer state.
    const start = await loadStartModel(path.join(root(), 'models/lora/final_lora'), path.join(root(), 'models/start'));
    const policy = Policy.create(start.model, start.tokenizer, { ...LORA }, 0);
    policy.loadTrainable((await loadCheckpoint(stepDir())).params, stepDir());
    const trained = logitsOf(policy.model);
    policy.dispose();

    const evalLoaded = await loadModelDir(stepDir(), { fallbackBase: path.join(root(), 'models/start') });
    expect(evalLoaded.base).toBe(path.join(root(), 'rl/checkpoints/start_model'));
    const viaEval = logitsOf(evalLoaded.model);
    evalLoaded.adapters?.detach();
    evalLoaded.model.dispose();
    expect(maxDiff(viaEval, trained)).toBeLessThan(1e-4);

    // What eval loaded before: the PPO adapters on model.path, without the SFT change.
    const wrong = await loadModelDir(stepDir(), { baseModel: path.join(root(), 'models/start') });
    const withoutSft = logitsOf(wrong.model);
    wrong.adapters?.detach();
    wrong.model.dispose();
    expect(maxDiff(withoutSft, trained)).toBeGreaterThan(1e-2);

    // final_rl_model (adapters merged at the same step) agrees too.
    const final = await loadModelDir(path.join(root(), 'rl/checkpoints/final_rl_model'));
    expect(maxDiff(logitsOf(final.model), trained)).toBeLessThan(1e-4);
    final.model.dispose();

    const generator = await loadEngineGenerator(stepDir(), {
      backend: 'wasm',
      fallbackBase: path.join(root(), 'models/start'),
      sampling: { maxNewTokens: 2, temperature: 0, topK: 0, topP: 1, seed: 0 },
    });
    expect(generator.label).toContain('start_model');
    await generator.close();
  }, 60_000);

  it('loads step_N from a moved checkpoints folder without model.path', async () => {
    const moved = await mkdtemp(path.join(tmpdir(), 'medrl-moved-'));
    await cp(path.join(root(), 'rl/checkpoints'), path.join(moved, 'ckpts'), { recursive: true });
    const a = await loadModelDir(path.join(moved, 'ckpts/step_2'));
    const b = await loadModelDir(stepDir());
    expect(a.base).toBe(path.join(moved, 'ckpts/start_model'));
    expect(maxDiff(logitsOf(a.model), logitsOf(b.model))).toBe(0);
    for (const l of [a, b]) {
      l.adapters?.detach();
      l.model.dispose();
    }
  }, 60_000);

  it('model directories declare bos/eos/pad and generation_config.json stops at <|im_end|>', async () => {
    const { tokenizer, model } = await loadModelDir(path.join(root(), 'models/start'));
    model.dispose();
    const imEnd = tokenizer.specialTokenIds.imEnd!;
    const endOfText = tokenizer.specialTokenIds.endOfText!;
    for (const dir of ['rl/checkpoints/final_rl_model', 'rl/checkpoints/start_model']) {
      const config = JSON.parse(await readFile(path.join(root(), dir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({ bos_token_id: endOfText, eos_token_id: imEnd, pad_token_id: endOfText });
      const generation = JSON.parse(await readFile(path.join(root(), dir, 'generation_config.json'), 'utf8'));
      expect(generation).toEqual({
        bos_token_id: endOfText,
        eos_token_id: [imEnd, endOfText],
        pad_token_id: endOfText,
      });
    }
  });
});
