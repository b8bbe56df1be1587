import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chartSeries,
  downsample,
  readExtremeRollouts,
  readStepStats,
  writeRunReport,
} from '../../core/src/report/run-report.js';

const RUN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'run');
let tmp: string;
let html: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'medrl-run-report-'));
  const { file } = await writeRunReport(RUN, { out: path.join(tmp, 'report.html'), samples: 3 });
  html = await readFile(file, 'utf8');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('reading a run', () => {
  it('reads numeric stats per step and ignores the rest', async () => {
    const steps = await readStepStats(path.join(RUN, 'metrics.jsonl'));
    expect(steps).toHaveLength(20);
    expect(steps[0]!.step).toBe(1);
    expect(steps[19]!.stats['env/reward_mean']).toBeCloseTo(0.8, 12);
    expect(steps[0]!.stats).not.toHaveProperty('note');
    expect(steps[0]!.stats).not.toHaveProperty('step');
  });

  it('accepts {step, stats: {...}} lines and orders by step', async () => {
    const file = path.join(tmp, 'nested.jsonl');
    await writeFile(
      file,
      '{"step": 2, "stats": {"objective/kl": 0.2}}\n\n{"step": 1, "stats": {"objective/kl": 0.1}}\n',
    );
    expect(await readStepStats(file)).toEqual([
      { step: 1, stats: { 'objective/kl': 0.1 } },
      { step: 2, stats: { 'objective/kl': 0.2 } },
    ]);
  });

  it('names file, line and field of a bad line', async () => {
    const file = path.join(tmp, 'bad.jsonl');
    await writeFile(file, '{"step": 1}\n{"step": "two"}\n');
    await expect(readStepStats(file)).rejects.toThrow(`${file}:2: field "step" must be a number`);
    await writeFile(file, '{"step": 1, "prompt": "p", "completion": "c", "total": 1}\nnot json\n{"step": 2}\n');
    await expect(readExtremeRollouts(file, 2)).rejects.toThrow(`${file}:2: invalid JSON`);
    await writeFile(file, '{"step": 1, "prompt": 3, "completion": "c", "total": 1}\n');
    await expect(readExtremeRollouts(file, 2)).rejects.toThrow(`${file}:1: field "prompt" must be a string`);
  });

  it('skips a torn last line only, and says so', async () => {
    const file = path.join(tmp, 'torn.jsonl');
    await writeFile(file, '{"step": 1, "objective/kl": 0.1}\n{"step": 2, "objective/k');
    const torn: string[] = [];
    expect(await readStepStats(file, (where) => torn.push(where))).toEqual([
      { step: 1, stats: { 'objective/kl': 0.1 } },
    ]);
    expect(torn).toEqual([`${file}:2`]);
    await expect(readStepStats(file)).rejects.toThrow(`${file}:2: invalid JSON`);
  });

  it('keeps the k best and worst rollouts by total, skipping unscored ones', async () => {
    const { best, worst, count, scored } = await readExtremeRollouts(path.join(RUN, 'rollouts.jsonl'), 3);
    expect(count).toBe(80);
    expect(scored).toBe(79);
    expect(best.map((r) => r.total)).toEqual([0.95, 0.9, 0.9]);
    expect(best[0]!.step).toBe(5);
    expect(worst.map((r) => r.total)).toEqual([-0.95, -0.9, -0.9]);
    expect(worst[0]!.gate).toBe('rules/safety.raw lt 0');
    // ties keep file order
    expect(best[1]!.step).toBeLessThanOrEqual(best[2]!.step);
  });

  it('finds the series of each chart family by TRL name', async () => {
    const series = chartSeries(await readStepStats(path.join(RUN, 'metrics.jsonl')));
    expect(series.total).toBe('env/reward_mean');
    expect(series.reward.map((s) => s.label)).toEqual([
      'total (env/reward_mean)',
      'rules/format',
      'rules/safety',
      'judge',
    ]);
    expect(series.kl.map((s) => s.name)).toEqual(['objective/kl']);
    expect(series.klCoef.map((s) => s.name)).toEqual(['objective/kl_coef']);
    expect(series.loss.map((s) => s.name)).toEqual(['ppo/loss/policy', 'ppo/loss/value', 'ppo/loss/total']);
    expect(series.length.map((s) => s.name)).toEqual(['tokens/responses_len_mean']);
    expect(series.safety.map((s) => s.name)).toEqual(['safety/score', 'safety/baseline', 'safety/best']);
  });

  it('averages long series into buckets', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, value: i }));
    expect(downsample(points, 5)).toEqual([
      { step: 1.5, value: 0.5 },
      { step: 3.5, value: 2.5 },
      { step: 5.5, value: 4.5 },
      { step: 7.5, value: 6.5 },
      { step: 9.5, value: 8.5 },
    ]);
    expect(downsample(points, 20)).toEqual(points);
  });
});

describe('run report.html', () => {
  it('has one inline SVG per chart family, each with its title', () => {
    expect(html.match(/<svg/g)).toHaveLength(6);
    for (const title of [
      'Reward over steps',
      'KL divergence',
      'KL coefficient',
      'Losses',
      'Response length',
      'Safety gate',
    ]) {
      expect(html).toContain(`data-chart="${title}"`);
      expect(html).toMatch(new RegExp(`<text[^>]*>${title}</text>`));
    }
  });

  it('shows the summary numbers', () => {
    expect(html).toContain('<div class="card-value">20</div><div class="card-label">Steps</div>');
    expect(html).toContain('<div class="card-value">0.800</div><div class="card-label">Final reward</div>');
    expect(html).toContain('<div class="card-value">0.2000</div><div class="card-label">Final KL</div>');
    expect(html).toContain('<div class="card-value">0.1600</div><div class="card-label">Final KL coefficient</div>');
  });

  it('lists the best and worst samples with their breakdowns', () => {
    expect(html).toContain('best #1 · step 5 · total 0.950');
    expect(html).toContain('worst #1 · step 6 · total -0.950');
    expect(html).toContain('gate: rules/safety.raw lt 0');
    expect(html).toContain('<code>safety/urgent-referral</code>');
  });

  it('escapes text from the data', () => {
    expect(html).not.toContain("<script>alert('x')</script>");
    expect(html).toContain('&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; friends');
  });

  it('loads nothing from outside the file', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('writes report.html into the run directory by default, atomically', async () => {
    const run = path.join(tmp, 'run-copy');
    await import('node:fs/promises').then((fs) => fs.cp(RUN, run, { recursive: true }));
    const result = await writeRunReport(run);
    expect(result).toEqual({ file: path.join(run, 'report.html'), steps: 20, rollouts: 80, warnings: [] });
    expect((await readdir(run)).sort()).toEqual(['metrics.jsonl', 'report.html', 'rollouts.jsonl']);
  });

  it('names what is missing in an empty directory', async () => {
    await expect(writeRunReport(tmp + '/nothing')).rejects.toThrow(/neither metrics.jsonl nor rollouts.jsonl found/);
  });
});
