import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSplits } from '../../core/src/eval/dataset.js';
import { buildEvalMetrics, scoreAnswers } from '../../core/src/eval/evaluate.js';
import { distinctN } from '../../core/src/eval/metrics.js';
import { answerText } from '../../core/src/eval/safety-checks.js';
import { FixtureAnswers } from '../../core/src/eval/generator.js';
import type { EvalItem, ScoredSample } from '../../core/src/eval/types.js';
import { deltaDirection, formatMetric, renderEvalReport } from '../../core/src/report/eval-report.js';
import { escapeHtml, formatSigned } from '../../core/src/report/html.js';
import { FIXTURES, PROCESSED, evalSettings, fakeScorer } from '../eval/helpers.js';

const settings = evalSettings({ splits: ['test', 'red_team', 'gold_set'] });
const urgency = { categories: settings.urgentCategories, levels: settings.urgentLevels };
let items: EvalItem[];
let model: ScoredSample[];
let baseline: ScoredSample[];

async function scored(file: string, name: string, withScorer = true): Promise<ScoredSample[]> {
  const completions = await (await FixtureAnswers.fromFile(path.join(FIXTURES, file))).generate(items);
  return scoreAnswers(items, completions, name, {
    scorer: withScorer ? fakeScorer() : undefined,
    batchSize: 8,
    urgency,
  });
}

async function report(options: { baseline: boolean; scorer: boolean; shown?: number }): Promise<string> {
  const samples = options.scorer ? model : await scored('answers-model.jsonl', 'model', false);
  const metrics = buildEvalMetrics({
    samples,
    baselineSamples: options.baseline ? baseline : undefined,
    components: options.scorer ? ['rules/safety', 'judge'] : [],
    settings,
    modelLabel: 'models/rl/<final>',
    baselineLabel: options.baseline ? 'models/lora/final_lora' : undefined,
    createdAt: new Date('2026-01-02T03:04:05Z'),
  });
  return renderEvalReport({
    metrics,
    samples,
    baselineSamples: options.baseline ? baseline : undefined,
    samplesShown: options.shown ?? 2,
  });
}

const chartTitles = (html: string): string[] =>
  [...html.matchAll(/<figure class="chart" data-chart="([^"]*)"/g)].map((m) => m[1]!);

beforeAll(async () => {
  items = await readSplits(PROCESSED, settings.splits, {
    highRiskLevels: settings.highRiskLevels,
    heldOutSplit: 'test',
  });
  model = await scored('answers-model.jsonl', 'model');
  baseline = await scored('answers-baseline.jsonl', 'baseline');
});

describe('eval report.html with a baseline', () => {
  let html: string;
  beforeAll(async () => {
    html = await report({ baseline: true, scorer: true });
  });

  it('has the six charts, each an inline SVG with its title', () => {
    expect(html.match(/<svg/g)).toHaveLength(6);
    expect(chartTitles(html)).toEqual([
      'Safety metrics and reward by split',
      'Safety metrics and reward by risk level',
      'Safety metrics and reward by risk category',
      'Safety metrics and reward by specialty',
      'Reward components by split',
      'Model − baseline',
    ]);
    for (const title of chartTitles(html)) expect(html).toMatch(new RegExp(`<text[^>]*>${title}</text>`));
  });

  it('shows the hand-computed headline numbers in the cards', () => {
    const cards = [
      ...html.matchAll(/<div class="card-value">([^<]*)<\/div><div class="card-label">([^<]*)<\/div>/g),
    ].map((m) => [m[2], m[1]]);
    expect(cards).toEqual([
      ['Think coverage', '62.5%'],
      ['Urgent coverage', '66.7%'],
      ['Risky prescription rate', '25.0%'],
      ['Format coverage', '62.5%'], // the same 5 of 8 answers have a closed think block and an answer
      ['Low-risk urgent referral', '0.0%'],
      ['Stuffing rate', '0.0%'], // the fake scorer reports no stuffing rule
      // distinct-2 of the model's answers (distinctN is checked by hand in test/eval/metrics.test.ts).
      [
        'Distinct-2',
        formatMetric(
          'distinct_2',
          distinctN(
            model.map((m) => answerText(m.completion)),
            2,
          ),
        ),
      ],
      ['Mean reward', '0.600'],
    ]);
    expect(html).toContain('Δ vs baseline +33.3 pt'); // urgent coverage 2/3 vs 1/3
    expect(html).toContain('Δ vs baseline +12.5 pt'); // risky prescriptions 2/8 vs 1/8
  });

  it('tabulates groups with values, intervals, baseline and deltas', () => {
    // held-out high-risk part of test: think 2/3, urgent 1/2, risky 1/3, reward (0.9 + 0.1 - 0.5) / 3
    const heldOut = html.slice(html.indexOf('id="held-out"'), html.indexOf('id="splits"'));
    for (const expected of ['66.7%', '50.0%', '33.3%', '0.167', 'baseline 0.600', 'Δ −0.433'])
      expect(heldOut).toContain(expected);
    expect(html).toContain('<td>test high-risk (held out)</td>');
    for (const level of ['low', 'medium', 'high', 'critical']) expect(html).toContain(`<td>${level}</td>`);
    expect(html).toContain('<td>suicide_self_harm</td>');
    expect(html).toContain('<td>pediatrics</td>');
  });

  it('shows the worst and best answers with breakdown, critique (escaped) and the baseline answer', () => {
    expect(html).toContain('Lowest reward (2)');
    expect(html).toContain('test/t4 — reward -0.500');
    expect(html).toContain('critique of &lt;test/t4&gt; &amp; more');
    expect(html).not.toContain('critique of <test/t4>');
    expect(html).toContain('Baseline answer (reward 0.800)');
    expect(html).toContain('<span class="badge bad">urgent care missed</span>');
  });

  it('escapes labels from the data and loads nothing from outside', () => {
    expect(html).toContain('models/rl/&lt;final&gt;');
    expect(html).not.toContain('models/rl/<final>');
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(/i);
  });
});

describe('eval report.html without baseline or reward', () => {
  it('drops the baseline chart and series', async () => {
    const html = await report({ baseline: false, scorer: true });
    expect(chartTitles(html)).not.toContain('Model − baseline');
    expect(html.match(/<svg/g)).toHaveLength(5);
    expect(html).not.toContain('>baseline<');
    expect(html).not.toContain('Δ');
  });

  it('says there are no reward components, and shows no reward column', async () => {
    const html = await report({ baseline: false, scorer: false, shown: 0 });
    expect(html).toContain('No reward components were configured');
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html).not.toContain('Mean reward</th>');
    expect(html).not.toContain('id="samples"');
  });
});

describe('formatting', () => {
  it.each([
    ['think_coverage', 0.625, '62.5%'],
    ['reward_mean', 0.6, '0.600'],
    ['reward/judge/mean', null, '—'],
  ] as const)('formatMetric(%s, %s) = %s', (name, value, expected) => {
    expect(formatMetric(name, value)).toBe(expected);
  });

  it('signs differences and treats float noise as zero', () => {
    const fmt = (v: number) => v.toFixed(3);
    expect(formatSigned(0.25, fmt)).toBe('+0.250');
    expect(formatSigned(-0.25, fmt)).toBe('−0.250');
    expect(formatSigned(-1e-17, fmt)).toBe('0.000');
  });

  it('colours a difference by the metric direction', () => {
    const e = (value: number) => ({ value, lo: value, hi: value, n: 1 });
    expect(deltaDirection({ better: 'higher' }, e(0.1))).toBe('better');
    expect(deltaDirection({ better: 'lower' }, e(0.1))).toBe('worse');
    expect(deltaDirection({ better: 'lower' }, e(-0.1))).toBe('better');
    expect(deltaDirection({ better: 'higher' }, e(0))).toBe('no change');
  });

  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
