// The report of an SFT run, earlier runs overlaid with --compare, and --watch re-rendering while a
// run writes (the page reloads itself only while the run is running).
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LineChartData } from '../../core/src/report/interactive.js';
import { writeRunReport } from '../../core/src/report/run-report.js';
import { watchRunReport } from '../../core/src/report/watch.js';
import { tempDir, writeTree } from '../helpers/tmp.js';

function chartData(page: string): LineChartData[] {
  const json = /<script type="application\/json" id="medrl-chart-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
  return (JSON.parse(json) as { charts: LineChartData[] }).charts;
}

const runJson = (name: string, status: string, step: number, total = 4) =>
  JSON.stringify({
    format: 'medrl-run',
    version: 1,
    name,
    algo: 'ppo',
    status,
    step,
    total_steps: total,
    started_at: '',
    updated_at: '',
  });

const rlRows = (rewards: number[]) =>
  rewards.map((r, i) => JSON.stringify({ step: i + 1, 'env/reward_mean': r, 'objective/kl': 0.01 * i })).join('\n') +
  '\n';

describe('SFT report', () => {
  it('charts loss and eval loss, learning rate and gradient norm from sft_metrics.jsonl', async () => {
    const dir = writeTree(tempDir(), {
      'sft_metrics.jsonl':
        [10, 20, 24]
          .map((step, i) =>
            JSON.stringify({
              step,
              loss: 5 - i,
              learning_rate: 2e-5 * (1 - step / 24),
              grad_norm: 1.5,
              epoch: step / 12,
              ...(step % 12 === 0 ? { eval_loss: 4 - i } : {}),
            }),
          )
          .join('\n') + '\n',
      'run.json': JSON.stringify({
        format: 'medrl-run',
        version: 1,
        name: 'sft-a',
        algo: 'sft',
        status: 'finished',
        step: 24,
        total_steps: 24,
        started_at: '',
        updated_at: '',
      }),
    });
    const result = await writeRunReport(dir);
    expect(result).toMatchObject({ kind: 'sft', steps: 3, rollouts: 0, status: 'finished' });
    const html = await readFile(result.file, 'utf8');
    expect(html).toContain('<h1>medrl SFT run “sft-a”</h1>');
    expect(html).toContain('24 optimizer steps of 24 planned · 3 logged rows · finished');
    expect(html).not.toContain('id="samples"');
    const charts = chartData(html);
    expect(charts.map((c) => c.title)).toEqual(['Loss', 'Learning rate', 'Gradient norm']);
    expect(charts[0]!.series.map((s) => [s.stat, s.y])).toEqual([
      ['loss', [5, 4, 3]],
      ['eval_loss', [null, null, 2]],
    ]);
    expect(html).toMatch(/<td>learning_rate<\/td><td>3<\/td><td>1\.17e-5<\/td><td>0\.0000<\/td>/);
    expect(html).not.toContain('http-equiv="refresh"');
  });
});

describe('overlaying runs (--compare)', () => {
  it('adds earlier runs by name, by path or all of them, dashed and labelled with the run name', async () => {
    const dir = writeTree(tempDir(), {
      'metrics.jsonl': rlRows([0.1, 0.2, 0.3]),
      'run.json': runJson('third', 'finished', 3, 3),
      'runs/first/metrics.jsonl': rlRows([0.0, 0.05]),
      'runs/first/run.json': runJson('first', 'finished', 2, 2),
      'runs/second/metrics.jsonl': rlRows([0.2, 0.1, 0.0, -0.1]),
    });
    const all = chartData(await readFile((await writeRunReport(dir, { compare: ['all'] })).file, 'utf8'));
    const reward = all[0]!;
    expect(reward.series.map((s) => [s.label, s.dash ?? null])).toEqual([
      ['third · total (env/reward_mean)', null],
      ['first · total (env/reward_mean)', [7, 4]],
      ['second · total (env/reward_mean)', [2, 3]],
    ]);
    expect(reward.x).toEqual([1, 2, 3, 4]);
    expect(reward.series[1]!.y).toEqual([0, 0.05, null, null]);
    const html = await readFile(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Overlaid: <code>first</code>, <code>second</code>');
    expect(html).toContain('<input type="checkbox" data-run="second" checked>');

    const one = chartData(
      await readFile((await writeRunReport(dir, { compare: [path.join(dir, 'runs/second')] })).file, 'utf8'),
    );
    expect(one[0]!.series.map((s) => s.run)).toEqual(['third', 'second']);
    await expect(writeRunReport(dir, { compare: ['fourth'] })).rejects.toThrow(
      /--compare fourth: neither .*runs\/fourth nor .* exists \(runs: first, second\)/,
    );
  });
});

describe('medrl report --watch', () => {
  it('re-renders on every change, reloads the page while running, and stops when the run ends', async () => {
    const dir = writeTree(tempDir(), { 'metrics.jsonl': rlRows([0.1]), 'run.json': runJson('live', 'running', 1) });
    const renders: number[] = [];
    const file = path.join(dir, 'report.html');
    let html = '';
    const done = watchRunReport(dir, {
      intervalSeconds: 0.05,
      onRender: (r) => renders.push(r.steps),
    });
    await expect.poll(() => renders.length, { timeout: 5000 }).toBe(1);
    html = await readFile(file, 'utf8');
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
    expect(html).toContain('running (this page reloads itself)');

    await appendFile(path.join(dir, 'metrics.jsonl'), rlRows([0.1, 0.2]).split('\n')[1] + '\n');
    await expect.poll(() => renders.at(-1), { timeout: 5000 }).toBe(2);
    await writeFile(path.join(dir, 'run.json'), runJson('live', 'finished', 2));
    expect(await done).toBeGreaterThanOrEqual(3);
    html = await readFile(file, 'utf8');
    expect(html).not.toContain('http-equiv="refresh"');
    expect(chartData(html)[0]!.series[0]!.y).toEqual([0.1, 0.2]);
  });

  it('stops on Ctrl-C (its signal) with a last render that does not reload itself', async () => {
    const dir = writeTree(tempDir(), { 'metrics.jsonl': rlRows([0.1]), 'run.json': runJson('live', 'running', 1) });
    const controller = new AbortController();
    const done = watchRunReport(dir, { intervalSeconds: 0.05, signal: controller.signal });
    await expect
      .poll(async () => (await readFile(path.join(dir, 'report.html'), 'utf8').catch(() => '')).length, {
        timeout: 5000,
      })
      .toBeGreaterThan(0);
    controller.abort();
    await done;
    expect(await readFile(path.join(dir, 'report.html'), 'utf8')).not.toContain('http-equiv="refresh"');
  });
});
