import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { formatStat } from '../../core/src/report/html.js';
import type { LineChartData } from '../../core/src/report/interactive.js';
import {
  chartSeries,
  downsample,
  readExtremeRollouts,
  readStepStats,
  renderRunReport,
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

/** The chart data block of a report. */
function chartData(page: string): { charts: LineChartData[] } {
  const json = /<script type="application\/json" id="medrl-chart-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
  return JSON.parse(json) as { charts: LineChartData[] };
}

describe('run report.html', () => {
  it('has one interactive chart per chart family, each with its title and data', () => {
    const { charts } = chartData(html);
    expect(charts.map((c) => c.title)).toEqual([
      'Reward over steps',
      'KL divergence',
      'KL coefficient',
      'Losses',
      'Response length',
      'Safety gate',
    ]);
    for (const chart of charts) {
      expect(html).toContain(`data-chart="${chart.title}"`);
      expect(chart.x).toHaveLength(chart.id === 'safety' ? 4 : 20); // the gate runs every 5 steps
      for (const s of chart.series) expect(s.y).toHaveLength(chart.x.length);
    }
    const reward = charts[0]!;
    expect(reward.series.map((s) => s.label)).toEqual([
      'total (env/reward_mean)',
      'rules/format',
      'rules/safety',
      'judge',
    ]);
    expect(reward.series[0]!.y.at(-1)).toBeCloseTo(0.8, 12);
  });

  it('emphasises the total reward: dark, thicker, apart from the components\u2019 colours', () => {
    const [total, ...components] = chartData(html).charts[0]!.series;
    expect(total).toMatchObject({ emphasis: true, color: '#1f2328' });
    for (const c of components) {
      expect(c.emphasis).toBeUndefined();
      expect(c.color).not.toBe('#1f2328');
    }
    expect(new Set(components.map((c) => c.color)).size).toBe(components.length);
  });

  it('draws the safety gate\u2019s three lines so that coinciding ones stay visible, with a padded axis', () => {
    const safety = chartData(html).charts.find((c) => c.id === 'safety')!;
    const look = Object.fromEntries(safety.series.map((s) => [s.stat, { dash: s.dash, points: s.points ?? false }]));
    expect(look).toEqual({
      'safety/score': { dash: undefined, points: true },
      'safety/baseline': { dash: [7, 4], points: true },
      'safety/best': { dash: [2, 3], points: true },
    });
    expect(safety.notes!.join(' ')).toMatch(/lie on top of each other/);
    // A constant series still gets a y range around it (the client pads min == max).
    expect(html).toContain('if (min === max) { var pad = Math.max(Math.abs(min) * 0.1, 0.05)');
  });

  it('prints small stats such as ppo/learning_rate in exponent form, not as 0.0000', () => {
    expect(html).toMatch(
      /<td>ppo\/learning_rate<\/td><td>20<\/td><td>1\.41e-5<\/td><td>1\.41e-5<\/td><td>1\.41e-5<\/td><td>1\.41e-5<\/td>/,
    );
    expect(formatStat(1.41e-5)).toBe('1.41e-5');
    expect(formatStat(0.2)).toBe('0.2000');
    expect(formatStat(-0.00042)).toBe('-4.20e-4');
    expect(formatStat(2_500_000)).toBe('2.50e6');
    expect(formatStat(0)).toBe('0.0000');
  });

  it('counts training steps, not logged lines (a step-0 line is the safety baseline)', async () => {
    const steps = [0, 1, 2, 3].map((step) => ({
      step,
      stats: { 'safety/score': 0.5, ...(step > 0 ? { 'env/reward_mean': step } : {}) },
    }));
    const page = await renderRunReport({ runDir: '/r', steps, best: [], worst: [], rolloutCount: 12 });
    expect(page).toContain('3 training steps (plus the safety baseline at step 0) · 12 rollouts');
  });

  it('explains a negative objective/kl where the KL chart shows it', async () => {
    const steps = [0.02, -0.01, -0.03, 0.01].map((kl, i) => ({ step: i + 1, stats: { 'objective/kl': kl } }));
    const page = await renderRunReport({ runDir: '/r', steps, best: [], worst: [], rolloutCount: 0 });
    const kl = chartData(page).charts.find((c) => c.id === 'kl')!;
    expect(kl.notes![0]).toMatch(
      /^objective\/kl is negative at 2 of 4 steps\. .*kl_penalty "abs" or "mse" cannot go below 0/,
    );
    expect(chartData(html).charts.find((c) => c.id === 'kl')!.notes).toEqual([]);
  });

  it('shows the summary numbers', () => {
    expect(html).toContain('20 training steps · 80 rollouts');
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

  it('loads nothing from outside the file and runs only its own inline scripts', () => {
    expect(html).not.toMatch(/<link|<img|src=|url\(/i);
    const csp = /content="(default-src 'none';[^"]*)"/.exec(html)![1]!;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2); // uPlot and the chart code
    const hashes = scripts.map((js) => `'sha256-${createHash('sha256').update(js).digest('base64')}'`);
    expect(csp).toBe(`default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${hashes.join(' ')}`);
  });

  it('writes report.html into the run directory by default, atomically', async () => {
    const run = path.join(tmp, 'run-copy');
    await import('node:fs/promises').then((fs) => fs.cp(RUN, run, { recursive: true }));
    const result = await writeRunReport(run);
    expect(result).toEqual({ file: path.join(run, 'report.html'), steps: 20, rollouts: 80, warnings: [], kind: 'rl' });
    expect((await readdir(run)).sort()).toEqual(['metrics.jsonl', 'report.html', 'rollouts.jsonl']);
  });

  it('shows the final eval as a before/after table when <run>/eval/metrics.json exists', async () => {
    const run = path.join(tmp, 'run-with-eval');
    const fs = await import('node:fs/promises');
    await fs.cp(RUN, run, { recursive: true });
    await fs.mkdir(path.join(run, 'eval'));
    const est = (value: number, lo: number, hi: number) => ({ value, lo, hi, n: 64 });
    const metrics = {
      created_at: '2026-12-04T00:00:00Z',
      model: { label: 'final' },
      baseline: { label: 'start' },
      settings: { bootstrap: { resamples: 1000, confidence: 0.9, seed: 42, method: 'percentile' } },
      metrics: [
        { name: 'urgent_coverage', label: 'Urgent coverage', better: 'higher', description: '' },
        { name: 'low_risk_urgent_referral', label: 'Low-risk urgent referral', better: 'lower', description: '' },
      ],
      components: [],
      counts: { per_split: { test: 128 }, prompts: 128, dropped: 0 },
      groups: [
        {
          dimension: 'held_out_high_risk',
          key: 'all',
          n: 64,
          model: { urgent_coverage: est(0.9, 0.85, 0.95) },
          baseline: { urgent_coverage: est(0.55, 0.45, 0.65) },
          delta: { urgent_coverage: est(0.35, 0.25, 0.45) },
        },
        {
          dimension: 'risk_level',
          key: 'low',
          n: 64,
          model: { low_risk_urgent_referral: est(0.3, 0.2, 0.4) },
          baseline: { low_risk_urgent_referral: est(0.2, 0.1, 0.3) },
          delta: { low_risk_urgent_referral: est(0.1, 0.02, 0.18) },
        },
      ],
    };
    await writeFile(path.join(run, 'eval', 'metrics.json'), JSON.stringify(metrics));
    const page = await readFile((await writeRunReport(run)).file, 'utf8');
    const section = page.slice(page.indexOf('id="before-after"'), page.indexOf('id="curves"'));
    expect(section).toContain('128 held-out prompts');
    expect(section).toContain('90% CI');
    expect(section).toContain('href="eval/report.html"');
    // Urgent coverage rose (good, green); low-risk referral rose too (bad, red): both intervals exclude 0.
    expect(section).toMatch(
      /Urgent coverage<\/td><td>55\.0%<\/td><td>90\.0%<\/td><td class="good">\+35\.0 pt<\/td><td>\[\+25\.0 pt, \+45\.0 pt\]/,
    );
    expect(section).toMatch(/Low-risk urgent referral<\/td><td>20\.0%<\/td><td>30\.0%<\/td><td class="bad">\+10\.0 pt/);
    expect(html).not.toContain('id="before-after"'); // no eval folder: no section
  });

  it('names what is missing in an empty directory', async () => {
    await expect(writeRunReport(tmp + '/nothing')).rejects.toThrow(
      /none of metrics.jsonl, rollouts.jsonl \(medrl train\) or sft_metrics.jsonl \(medrl sft\) found/,
    );
  });
});
