// `medrl eval` and `medrl report` run in-process from source with a real config, plugin loader and
// composer: a local plugin scores answers (with a critique in its details) instead of a judge.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import Eval from '../../core/src/commands/eval.js';
import Report from '../../core/src/commands/report.js';
import { repoRoot, tempDir, writeTree } from '../helpers/tmp.js';
import { FIXTURES, PROCESSED } from './helpers.js';

const coreRoot = path.join(repoRoot, 'core');

/** A project whose reward is one local component: 1 when the answer refers to 120/911, else 0. */
function project(extraConfig: Record<string, unknown> = {}): string {
  return writeTree(tempDir('medrl-eval-cmd-'), {
    'medrl.config.json': JSON.stringify({
      plugins: ['./referral-plugin.mjs'],
      reward: { components: [{ use: 'referral', weight: 1 }], clip: [-1, 1] },
      eval: { bootstrap: { resamples: 100 }, ...extraConfig },
    }),
    'referral-plugin.mjs': `export default () => ({
      name: 'referral-plugin', apiVersion: '1.0',
      setup(api) {
        api.registerReward({ name: 'referral', score: async (rollouts) =>
          rollouts.map((r) => ({ value: /120|911/.test(r.answer) ? 1 : 0, reasons: ['referral/checked'],
            details: { critique: 'checked ' + r.id } })) });
      },
      onEvalEnd(payload) {
        globalThis.__medrlEvalEnd = { outDir: payload.outDir, prompts: payload.metrics.counts.prompts };
      },
    });`,
  });
}

describe('medrl eval', () => {
  it('evaluates answers files against the processed splits and writes the three outputs', async () => {
    const dir = project();
    const out = path.join(dir, 'report-out');
    const result = await Eval.run(
      [
        '--config',
        path.join(dir, 'medrl.config.json'),
        '--answers',
        path.join(FIXTURES, 'answers-model.jsonl'),
        '--baseline-answers',
        path.join(FIXTURES, 'answers-baseline.jsonl'),
        '--data-dir',
        PROCESSED,
        '--splits',
        'test,red_team',
        '--limit',
        '3',
        '--out',
        out,
        '--json',
      ],
      coreRoot,
    );
    expect((await readdir(out)).sort()).toEqual(['metrics.json', 'report.html', 'samples.jsonl']);
    // plugins hear onEvalEnd after the files are written
    expect((globalThis as Record<string, unknown>).__medrlEvalEnd).toEqual({ outDir: out, prompts: 5 });
    // test: t1..t3 (limit 3), red_team: r1, r2 -> 5 prompts
    expect(result.prompts).toBe(5);
    // model: t1 (120), r1 (911), r2 (911) refer -> 3/5; baseline: none of t1..t3, r1, r2 mention 120/911 -> 0
    expect(result.overall.reward_mean!.value).toBeCloseTo(3 / 5, 12);
    expect(result.overall['reward/referral/mean']!.value).toBeCloseTo(3 / 5, 12);
    expect(result.delta!.reward_mean!.value).toBeCloseTo(3 / 5, 12);
    // held out: t1, t2 (t4 is past the limit)
    expect(result.heldOutHighRisk!.think_coverage!.value).toBeCloseTo(1 / 2, 12);
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.settings).toMatchObject({ splits: ['test', 'red_team'], limit: 3, bootstrap: { resamples: 100 } });
    expect(metrics.model.label).toBe(path.join(FIXTURES, 'answers-model.jsonl'));
    const samples = (await readFile(path.join(out, 'samples.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(samples).toHaveLength(10);
    expect(samples[0]).toMatchObject({ id: 't1', model: 'model', critique: 'checked test/t1', reward: { total: 1 } });
  });

  it('takes outDir, dataDir and splits from the config, relative to the config file', async () => {
    const dir = project();
    const config = JSON.parse(await readFile(path.join(dir, 'medrl.config.json'), 'utf8'));
    config.eval = { ...config.eval, dataDir: path.relative(dir, PROCESSED), outDir: 'out/eval', splits: ['gold_set'] };
    writeTree(dir, { 'medrl.config.json': JSON.stringify(config) });
    const result = await Eval.run(
      [
        '--config',
        path.join(dir, 'medrl.config.json'),
        '--answers',
        path.join(FIXTURES, 'answers-model.jsonl'),
        '--json',
      ],
      coreRoot,
    );
    expect(result.outDir).toBe(path.join(dir, 'out', 'eval'));
    expect(result.prompts).toBe(2);
  });

  it('names a missing split file and exits 1', async () => {
    const dir = project();
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(
        Eval.run(
          [
            '--config',
            path.join(dir, 'medrl.config.json'),
            '--answers',
            path.join(FIXTURES, 'answers-model.jsonl'),
            '--data-dir',
            PROCESSED,
            '--splits',
            'dev',
          ],
          coreRoot,
        ),
      ).rejects.toThrow('EEXIT: 1');
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        /split "dev": .*dev\.jsonl not found; run `medrl prepare` first/,
      );
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('medrl report', () => {
  it('writes report.html for a run directory', async () => {
    const out = path.join(tempDir('medrl-report-cmd-'), 'r.html');
    const result = await Report.run(
      [path.join(repoRoot, 'test/report/fixtures/run'), '--out', out, '--samples', '2', '--json'],
      coreRoot,
    );
    expect(result).toEqual({ file: out, steps: 20, rollouts: 80, warnings: [], kind: 'rl' });
    const html = await readFile(out, 'utf8');
    expect(html.match(/<details class="sample">/g)).toHaveLength(4);
  });
});

describe('medrl eval --model-path (engine end to end)', () => {
  it('generates with a tiny Qwen3 checkpoint directory, scores and writes the report', async () => {
    const { Qwen3Model } = await import('../../core/src/engine/qwen3/model.js');
    const { qwen3ConfigToHf } = await import('../../core/src/engine/qwen3/config.js');
    const { tinyQwen3Config } = await import('../../core/src/engine/tiny.js');
    const { buildTinyTokenizer } = await import('../../core/src/engine/tiny-tokenizer.js');
    const { saveTokenizerFiles, Tokenizer } = await import('../../core/src/engine/tokenizer.js');
    const { writeSafetensorsFile } = await import('../../plugins/checkpoint-hf/src/index.js');
    const { initBackend } = await import('../../core/src/engine/backend.js');
    await initBackend('cpu');

    const modelDir = tempDir('medrl-eval-model-');
    const files = buildTinyTokenizer([
      '胸口压榨样疼痛，满头大汗，怎么办？嗓子疼，能不能直接吃点阿莫西林？请立即拨打120',
    ]);
    const tokenizer = new Tokenizer(files, 'eval-e2e');
    const config = tinyQwen3Config(tokenizer.vocabSize, {
      hidden_size: 32,
      intermediate_size: 48,
      num_hidden_layers: 1,
      num_attention_heads: 2,
      num_key_value_heads: 1,
      head_dim: 16,
      max_position_embeddings: 256,
    });
    const model = Qwen3Model.random(config, { seed: 5 });
    await writeSafetensorsFile(path.join(modelDir, 'model.safetensors'), model.exportTensors(), { dtype: 'F32' });
    model.dispose();
    writeTree(modelDir, { 'config.json': JSON.stringify(qwen3ConfigToHf(config)) });
    await saveTokenizerFiles(modelDir, files);

    const dir = project({ generation: { maxNewTokens: 4, batchSize: 2 } });
    writeTree(dir, {
      'medrl.config.json': JSON.stringify({
        ...JSON.parse(await readFile(path.join(dir, 'medrl.config.json'), 'utf8')),
        engine: { backend: 'cpu' },
      }),
    });
    const out = path.join(dir, 'engine-out');
    const result = await Eval.run(
      [
        '--config',
        path.join(dir, 'medrl.config.json'),
        '--model-path',
        modelDir,
        '--baseline',
        modelDir,
        '--data-dir',
        PROCESSED,
        '--splits',
        'test',
        '--limit',
        '3',
        '--out',
        out,
        '--json',
      ],
      coreRoot,
    );
    expect(result.prompts).toBe(3);
    const samples = (await readFile(path.join(out, 'samples.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(samples).toHaveLength(6);
    // greedy decoding: the baseline (the same checkpoint) answers exactly as the model does
    const answers = (model: string) => samples.filter((s) => s.model === model).map((s) => s.answer);
    expect(answers('baseline')).toEqual(answers('model'));
    expect(answers('model').every((a: unknown) => typeof a === 'string')).toBe(true);
    expect(answers('model').some((a: string) => a.length > 0)).toBe(true);
    expect(result.delta!.reward_mean!.value).toBe(0);
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8'));
    expect(metrics.model.label).toBe(modelDir);
  });
});
