// runPrepareRl: oversampling, dedupe by prompt, the high-risk ratio, target size, order, determinism.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RiskLevel, Sample } from '@medrl/sdk';
import { runPrepareRl, type RlPrompt } from '../../../core/cli/src/data/index.js';
import { tempDir, writeTree } from '../../helpers/tmp.js';

function sample(id: string, risk: RiskLevel, question = `question ${id}`): Sample {
  return {
    id,
    instruction: question,
    input: '',
    output: `<think>\nwhy ${id}\n</think>\n\nanswer ${id}`,
    meta: { source: 'x.jsonl:1', specialty: 'general', risk_level: risk, risk_categories: risk === 'critical' ? ['emergency'] : [], complexity: 'simple', lang: 'en', is_deidentified: false, quality: 0.9 },
  };
}

const jsonl = (samples: Sample[]) => samples.map((s) => JSON.stringify(s)).join('\n') + '\n';

/** train: 10 critical (all in red_team), 10 high, 80 low; gold: 5 low + 1 critical (also red); duplicate prompt. */
function processed(): string {
  const critical = Array.from({ length: 10 }, (_, i) => sample(`c${i}`, 'critical'));
  const high = Array.from({ length: 10 }, (_, i) => sample(`h${i}`, 'high'));
  const low = Array.from({ length: 80 }, (_, i) => sample(`l${String(i).padStart(2, '0')}`, 'low'));
  const samePrompt = sample('dup', 'low', 'question l00');
  return writeTree(tempDir(), {
    'train.jsonl': jsonl([...critical, ...high, ...low, samePrompt]),
    'red_team.jsonl': jsonl(critical),
    'gold_set.jsonl': jsonl([...low.slice(0, 5), critical[0]]),
  });
}

const read = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RlPrompt);

describe('runPrepareRl', () => {
  it('oversamples red_team k times, adds gold once, fills from train towards the high-risk ratio', async () => {
    const dir = processed();
    const out = path.join(dir, 'rl/prompts.jsonl');
    const stats = await runPrepareRl({ processedDir: dir, out, oversampleK: 3, highRiskRatio: 0.5, targetSize: 60 });
    const prompts = read(out);
    expect(prompts.length).toBe(60);
    expect(stats.byPool).toEqual({ red_team: 30, gold_set: 5, train: 25 });
    // 30 critical copies already exceed 0.5 * 60, so every train prompt is low; the 10 high ones are skipped.
    expect(stats.byRiskLevel).toEqual({ critical: 30, high: 0, medium: 0, low: 30 });
    expect(stats.duplicatesSkipped).toBe(1); // gold's critical record is already in red_team
    const copies = prompts.filter((p) => p.id.startsWith('c0'));
    expect(copies.map((p) => p.id).sort()).toEqual(['c0', 'c0#2', 'c0#3']);
    expect(copies[0].meta).toMatchObject({ pool: 'red_team', reference: 'answer c0', risk_level: 'critical' });
    // Prompts are unique apart from the red-team copies.
    const texts = prompts.filter((p) => p.meta.pool !== 'red_team').map((p) => p.prompt);
    expect(new Set(texts).size).toBe(texts.length);
    expect(texts.filter((t) => t === 'question l00').length).toBeLessThanOrEqual(1);
    // risk_first: all critical before the rest.
    expect(prompts.slice(0, 30).every((p) => p.meta.risk_level === 'critical')).toBe(true);
  });

  it('takes high-risk train records when the ratio asks for more', async () => {
    const dir = processed();
    const stats = await runPrepareRl({ processedDir: dir, out: path.join(dir, 'o.jsonl'), oversampleK: 1, highRiskRatio: 0.5, targetSize: 40 });
    // 10 critical + 5 gold; 20 high-risk wanted, 10 more available: all 10 high, then 15 low.
    expect(stats.byRiskLevel).toEqual({ critical: 10, high: 10, medium: 0, low: 20 });
    expect(stats.highRiskShare).toBe(0.5);
  });

  it('caps at the target: every red-team prompt once, then gold, then further copies', async () => {
    const dir = processed();
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const out = path.join(dir, 'o.jsonl');
    const stats = await runPrepareRl({ processedDir: dir, out, oversampleK: 3, targetSize: 17, logger });
    expect(stats.byPool).toEqual({ red_team: 12, gold_set: 5, train: 0 });
    const ids = read(out).map((p) => p.id);
    expect(ids.filter((id) => /^c\d$/.test(id)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`));
    expect(ids.filter((id) => id.endsWith('#2'))).toHaveLength(2);
    expect(warnings.join()).toMatch(/hold 35 prompts, more than the target of 17/);
  });

  it('with k = 0 leaves red-team records to train sampling', async () => {
    const dir = processed();
    const stats = await runPrepareRl({ processedDir: dir, out: path.join(dir, 'o.jsonl'), oversampleK: 0, highRiskRatio: 1, targetSize: 30 });
    expect(stats.byPool).toEqual({ red_team: 0, gold_set: 6, train: 24 });
    expect(stats.byRiskLevel.critical + stats.byRiskLevel.high).toBe(20); // gold's c0 and all 19 other high-risk train records
  });

  it('stops at the pools when the target is larger than the data', async () => {
    const dir = processed();
    const stats = await runPrepareRl({ processedDir: dir, out: path.join(dir, 'o.jsonl'), oversampleK: 2, targetSize: 10_000 });
    expect(stats.total).toBe(20 + 5 + 10 + 75); // copies, gold, then the rest of train (duplicate prompt skipped)
  });

  it('is deterministic under the seed and shuffles differently with another', async () => {
    const dir = processed();
    const run = async (name: string, seed: number) => {
      await runPrepareRl({ processedDir: dir, out: path.join(dir, name), seed, targetSize: 50 });
      return readFileSync(path.join(dir, name), 'utf8');
    };
    const a = await run('a.jsonl', 1);
    expect(await run('b.jsonl', 1)).toBe(a);
    expect(await run('c.jsonl', 2)).not.toBe(a);
  });

  it('says to run prepare first when the processed files are missing', async () => {
    await expect(runPrepareRl({ processedDir: tempDir(), out: path.join(tempDir(), 'x.jsonl') })).rejects.toThrow(
      /red_team\.jsonl does not exist: run `medrl prepare` first/,
    );
  });

  it('names a malformed processed line', async () => {
    const dir = processed();
    writeTree(dir, { 'gold_set.jsonl': '{"id": "x"}\n' });
    await expect(runPrepareRl({ processedDir: dir, out: path.join(dir, 'x.jsonl') })).rejects.toThrow(/gold_set\.jsonl:1: not a prepared record/);
  });
});
