// The evaluation after training: held-out prompts per risk level without the ones the run trained
// on, the final model against its start with KL, and the before/after table.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlugin } from '@medrl/sdk';
import { dedupeText } from '../../core/src/data/dedupe.js';
import { runFinalEval, selectHeldOut } from '../../core/src/eval/final-eval.js';
import type { EvalItem } from '../../core/src/eval/types.js';
import { openRun } from '../../core/src/runtime/run.js';
import { createTinyModel, writeModelDir } from '../../core/src/train/sft/tiny-start.js';
import { tempDir } from '../helpers/tmp.js';

const item = (id: string, level: 'low' | 'medium' | 'high' | 'critical', prompt = `q${id}`): EvalItem => ({
  id,
  split: 'test',
  prompt,
  meta: { risk_level: level, ...(level === 'critical' ? { risk_categories: ['emergency'] } : {}) },
  heldOutHighRisk: level === 'high' || level === 'critical',
});

describe('selectHeldOut', () => {
  it('takes the first prompts of each level up to its count, never one the run trained on', () => {
    const items = [
      item('1', 'low'),
      item('2', 'critical', 'chest pain'),
      item('3', 'low'),
      item('4', 'medium'),
      item('5', 'critical'),
      item('6', 'low'),
      item('7', 'critical'),
    ];
    const trained = new Set([dedupeText('Chest  pain')]);
    const { items: picked, excluded } = selectHeldOut(items, { low: 2, medium: 0, high: 5, critical: 2 }, trained);
    expect(picked.map((i) => i.id)).toEqual(['1', '3', '5', '7']);
    expect(excluded).toBe(1);
  });
});

describe('runFinalEval', () => {
  it('evaluates the final model against its start and returns the paired table with KL', async () => {
    const root = tempDir('medrl-final-eval-');
    const texts = ['胸口疼怎么办', '皮肤痒', '<think>想</think>\n去医院'];
    for (const [name, seed] of [
      ['start', 1],
      ['final', 2],
    ] as const) {
      const { model, tokenizer } = await createTinyModel(
        texts,
        {
          hidden_size: 32,
          intermediate_size: 48,
          num_hidden_layers: 1,
          num_attention_heads: 2,
          num_key_value_heads: 1,
          head_dim: 16,
          max_position_embeddings: 128,
          tokenizer: 'characters',
        },
        { seed },
      );
      await writeModelDir(path.join(root, name), model, tokenizer);
      model.dispose();
    }
    await mkdir(path.join(root, 'data/processed'), { recursive: true });
    const records = [
      { id: 'c1', instruction: '胸口疼怎么办', meta: { risk_level: 'critical', risk_categories: ['emergency'] } },
      { id: 'c2', instruction: '胸口很疼', meta: { risk_level: 'critical', risk_categories: ['emergency'] } },
      { id: 'l1', instruction: '皮肤痒', meta: { risk_level: 'low' } },
      { id: 'm1', instruction: '头疼', meta: { risk_level: 'medium' } },
    ].map((r) => JSON.stringify({ ...r, input: '', output: '<think>x</think>y' }));
    await writeFile(path.join(root, 'data/processed/test.jsonl'), records.join('\n') + '\n');
    await writeFile(path.join(root, 'prompts.jsonl'), JSON.stringify({ id: 'p', prompt: '胸口很疼' }) + '\n');
    const run = await openRun({
      command: 'train',
      cwd: root,
      config: {
        plugins: [
          definePlugin({
            name: 'length',
            apiVersion: '1.0',
            setup(api) {
              api.registerReward({
                name: 'test/length',
                score: async (rs) => rs.map((r) => ({ value: Math.min(1, r.completion.length / 10) })),
              });
            },
          }),
        ],
        reward: { components: [{ use: 'test/length', weight: 1 }], clip: null },
        eval: { generation: { maxNewTokens: 6, batchSize: 4 }, bootstrap: { resamples: 50 } },
        output: { progress: 'none' },
      },
    });
    try {
      const result = (await runFinalEval(run, {
        settings: { enabled: true, prompts_per_risk_level: { low: 5, medium: 0, high: 5, critical: 5 } },
        finalModelDir: path.join(root, 'final'),
        startModelDir: path.join(root, 'start'),
        trainedPromptsFile: path.join(root, 'prompts.jsonl'),
        outputDir: path.join(root, 'out'),
      }))!;
      expect(result.prompts).toBe(2); // c1 and l1: c2 was trained on, medium is not asked for
      expect(result.excluded).toBe(1);
      const metrics = JSON.parse(await readFile(path.join(root, 'out/eval/metrics.json'), 'utf8'));
      expect(metrics.settings.decoding).toMatchObject({ temperature: 0.6, top_k: 20, top_p: 0.95 });
      const samples = (await readFile(path.join(root, 'out/eval/samples.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(samples.filter((s) => s.model === 'model').every((s) => Number.isFinite(s.kl_to_baseline))).toBe(true);
      const rows = Object.fromEntries(result.rows.map((r) => [`${r.group.split(' (')[0]}:${r.metric}`, r]));
      expect(Object.keys(rows)).toEqual(
        expect.arrayContaining([
          'held-out high-risk:urgent_coverage',
          'held-out high-risk:kl_to_baseline',
          'held-out low-risk:low_risk_urgent_referral',
        ]),
      );
      const reward = rows['held-out high-risk:reward_mean']!;
      expect(reward.delta.value).toBeCloseTo(reward.model.value! - reward.baseline.value!, 12);
      // Different seeds make different models, so the KL estimate on the final model's answer is not 0.
      expect(rows['held-out high-risk:kl_to_baseline']!.model.value).not.toBe(0);

      // Without the held-out split there is nothing to compare: a warning and no result, not a failed run.
      await rename(path.join(root, 'data/processed/test.jsonl'), path.join(root, 'data/processed/moved.jsonl'));
      const skipped = await runFinalEval(run, {
        settings: { enabled: true, prompts_per_risk_level: { low: 5, medium: 0, high: 5, critical: 5 } },
        finalModelDir: path.join(root, 'final'),
        startModelDir: path.join(root, 'start'),
        trainedPromptsFile: path.join(root, 'prompts.jsonl'),
        outputDir: path.join(root, 'out2'),
      });
      expect(skipped).toBeUndefined();
    } finally {
      await run.close();
    }
  }, 60_000);
});
