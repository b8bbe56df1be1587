/**
 * report.html of `medrl eval`: summary cards, per-group bars with intervals (Wilson / bootstrap), tables,
 * baseline differences, and the answers worth reading (worst and best by reward, missed urgent
 * referrals, risky prescriptions), each with its reward breakdown and the judge's critique.
 */
import type { Estimate } from '../eval/bootstrap.js';
import { CORE_METRICS, type Dimension, type GroupMetrics } from '../eval/metrics.js';
import type { EvalMetrics, MetricInfo, ScoredSample } from '../eval/types.js';
import { deltaChart, intervalBarChart, renderChart, type DeltaRow, type IntervalRow } from './charts.js';
import {
  card,
  escapeHtml,
  formatNumber,
  formatPercent,
  formatSigned,
  page,
  table,
  text,
  textBlock,
  type Cell,
} from './html.js';
import { breakdownTable } from './breakdown.js';

/** Shares of answers (percentages), as the metric definitions mark them. */
const RATE_METRICS = new Set(CORE_METRICS.filter((m) => m.proportion).map((m) => m.name));
const CORE_NAMES = CORE_METRICS.map((m) => m.name);

/** Formats a metric's value: rates as percentages, rewards with three decimals. */
export function formatMetric(name: string, value: number | null | undefined): string {
  return RATE_METRICS.has(name) ? formatPercent(value) : formatNumber(value);
}

export function formatDelta(name: string, value: number | null | undefined): string {
  return RATE_METRICS.has(name)
    ? formatSigned(value, (v) => `${(v * 100).toFixed(1)} pt`)
    : formatSigned(value, (v) => v.toFixed(3));
}

/** better / worse / no change, from the sign of a difference and the metric's good direction. */
export function deltaDirection(info: Pick<MetricInfo, 'better'>, delta: Estimate): 'better' | 'worse' | 'no change' {
  if (delta.value === null || delta.value === 0) return 'no change';
  const up = delta.value > 0;
  return up === (info.better === 'higher') ? 'better' : 'worse';
}

/** Whether the interval of a difference excludes zero. */
function significant(delta: Estimate): boolean {
  return delta.lo !== null && delta.hi !== null && (delta.lo > 0 || delta.hi < 0);
}

const DIMENSION_TITLES: Record<Dimension, string> = {
  overall: 'All prompts',
  split: 'Split',
  held_out_high_risk: 'Held-out high-risk',
  risk_level: 'Risk level',
  risk_category: 'Risk category',
  specialty: 'Specialty',
};

function groupLabel(group: GroupMetrics): string {
  if (group.dimension === 'overall') return 'all prompts';
  return group.key;
}

function metricCell(info: MetricInfo, group: GroupMetrics): Cell {
  const estimate = group.model[info.name];
  if (!estimate || estimate.value === null) return { html: '—', title: 'no sample in this group has a value' };
  const interval = `[${formatMetric(info.name, estimate.lo)}, ${formatMetric(info.name, estimate.hi)}] n=${estimate.n}`;
  let html = `<b>${escapeHtml(formatMetric(info.name, estimate.value))}</b><span class="ci">${escapeHtml(interval)}</span>`;
  const base = group.baseline?.[info.name];
  const delta = group.delta?.[info.name];
  if (base && delta) {
    const direction = deltaDirection(info, delta);
    const cls = significant(delta) ? (direction === 'better' ? 'good' : direction === 'worse' ? 'bad' : '') : '';
    html +=
      `<span class="ci">baseline ${escapeHtml(formatMetric(info.name, base.value))}</span>` +
      `<span class="ci ${cls}">Δ ${escapeHtml(formatDelta(info.name, delta.value))} [${escapeHtml(formatDelta(info.name, delta.lo))}, ${escapeHtml(formatDelta(info.name, delta.hi))}]</span>`;
  }
  return { html };
}

/** A table of groups × metrics with values, intervals and (with a baseline) differences. */
export function groupTable(
  groups: readonly GroupMetrics[],
  metrics: readonly MetricInfo[],
  firstHeader: string,
): string {
  const shown = metrics.filter((m) =>
    groups.some((g) => g.model[m.name]?.value !== null && g.model[m.name] !== undefined),
  );
  return table(
    [firstHeader, 'n', ...shown.map((m) => m.label)],
    groups.map((g) => [text(groupLabel(g)), text(g.n), ...shown.map((m) => metricCell(m, g))]),
  );
}

function intervalRows(
  groups: readonly GroupMetrics[],
  metrics: readonly MetricInfo[],
  hasBaseline: boolean,
): IntervalRow[] {
  const rows: IntervalRow[] = [];
  for (const group of groups) {
    for (const metric of metrics) {
      const series: [string, Estimate | undefined][] = [['model', group.model[metric.name]]];
      if (hasBaseline) series.push(['baseline', group.baseline?.[metric.name]]);
      for (const [name, estimate] of series) {
        if (!estimate || estimate.value === null) continue;
        rows.push({
          axisHint: RATE_METRICS.has(metric.name) ? 1 : 0,
          group: groupLabel(group),
          metric: metric.label,
          series: name,
          value: estimate.value,
          lo: estimate.lo,
          hi: estimate.hi,
          n: estimate.n,
        });
      }
    }
  }
  return rows;
}

async function groupChart(
  title: string,
  groups: readonly GroupMetrics[],
  metrics: readonly MetricInfo[],
  report: EvalMetrics,
): Promise<string> {
  const hasBaseline = report.baseline !== undefined;
  const rows = intervalRows(groups, metrics, hasBaseline);
  if (rows.length === 0) return '';
  const used = metrics.filter((m) => rows.some((r) => r.metric === m.label));
  const { confidence, resamples } = report.settings.bootstrap;
  return renderChart(
    intervalBarChart({
      title,
      caption: `Bars: mean; whiskers: ${Math.round(confidence * 100)}% intervals, Wilson score for shares of answers (coverage, rates), percentile bootstrap (${resamples} resamples) for mean scores.`,
      rows,
      groupOrder: groups.map(groupLabel),
      metricOrder: used.map((m) => m.label),
      seriesOrder: hasBaseline ? ['model', 'baseline'] : ['model'],
    }),
  );
}

function deltaRows(groups: readonly GroupMetrics[], metrics: readonly MetricInfo[]): DeltaRow[] {
  const rows: DeltaRow[] = [];
  for (const group of groups) {
    for (const metric of metrics) {
      const delta = group.delta?.[metric.name];
      if (!delta || delta.value === null || delta.lo === null || delta.hi === null) continue;
      rows.push({
        group: groupLabel(group),
        metric: metric.label,
        value: delta.value,
        lo: delta.lo,
        hi: delta.hi,
        direction: deltaDirection(metric, delta),
      });
    }
  }
  return rows;
}

function flagBadges(sample: ScoredSample): string {
  const badges: string[] = [];
  badges.push(
    sample.flags.has_think ? '<span class="badge good">think</span>' : '<span class="badge bad">no think</span>',
  );
  if (sample.flags.needs_urgent_care) {
    badges.push(
      sample.flags.refers_to_urgent_care
        ? '<span class="badge good">urgent care referred</span>'
        : '<span class="badge bad">urgent care missed</span>',
    );
  }
  if (sample.flags.risky_prescription) badges.push('<span class="badge bad">risky prescription</span>');
  if (sample.held_out_high_risk) badges.push('<span class="badge">held-out high-risk</span>');
  return badges.join('');
}

/** One answer with its prompt, checks, breakdown and critique (and the baseline's answer). */
export function sampleDetails(sample: ScoredSample, baseline?: ScoredSample, open = false): string {
  const meta = [sample.split, sample.meta.risk_level, ...(sample.meta.risk_categories ?? []), sample.meta.specialty]
    .filter((x) => typeof x === 'string' && x !== '')
    .join(' · ');
  const total = sample.reward ? formatNumber(sample.reward.total) : '—';
  const parts = [
    `<summary>${escapeHtml(`${sample.split}/${sample.id}`)} — reward ${escapeHtml(total)} <span class="muted">${escapeHtml(meta)}</span></summary>`,
    `<p>${flagBadges(sample)}</p>`,
    '<h3>Prompt</h3>',
    textBlock(sample.prompt),
    '<h3>Answer</h3>',
    textBlock(sample.completion),
  ];
  if (sample.reward) parts.push('<h3>Reward breakdown</h3>', breakdownTable(sample.reward));
  if (sample.critique) parts.push('<h3>Judge critique</h3>', textBlock(sample.critique));
  if (baseline) {
    const baseTotal = baseline.reward ? formatNumber(baseline.reward.total) : '—';
    parts.push(
      `<h3>Baseline answer (reward ${escapeHtml(baseTotal)})</h3>`,
      `<p>${flagBadges(baseline)}</p>`,
      textBlock(baseline.completion),
    );
  }
  return `<details class="sample"${open ? ' open' : ''}>${parts.join('\n')}</details>`;
}

function byTotal(samples: readonly ScoredSample[]): ScoredSample[] {
  return samples
    .filter((s) => s.reward?.total !== null && s.reward?.total !== undefined)
    .sort((a, b) => a.reward!.total! - b.reward!.total! || a.split.localeCompare(b.split) || a.id.localeCompare(b.id));
}

function sampleSections(
  samples: readonly ScoredSample[],
  baselineSamples: readonly ScoredSample[] | undefined,
  shown: number,
): string {
  if (shown === 0) return '';
  const baseline = new Map((baselineSamples ?? []).map((s) => [`${s.split}\u0000${s.id}`, s]));
  const list = (title: string, picked: readonly ScoredSample[], empty: string): string =>
    `<h3>${escapeHtml(title)}</h3>` +
    (picked.length === 0
      ? `<p class="muted">${escapeHtml(empty)}</p>`
      : picked.map((s) => sampleDetails(s, baseline.get(`${s.split}\u0000${s.id}`))).join('\n'));
  const sorted = byTotal(samples);
  return [
    '<h2 id="samples">Answers</h2>',
    list(`Lowest reward (${Math.min(shown, sorted.length)})`, sorted.slice(0, shown), 'No answer has a total reward.'),
    list(
      `Highest reward (${Math.min(shown, sorted.length)})`,
      sorted.slice(-shown).reverse(),
      'No answer has a total reward.',
    ),
    list(
      'Urgent care missed',
      samples.filter((s) => s.flags.needs_urgent_care && !s.flags.refers_to_urgent_care).slice(0, shown),
      'Every prompt that needs urgent care got a referral.',
    ),
    list(
      'Risky prescriptions',
      samples.filter((s) => s.flags.risky_prescription).slice(0, shown),
      'No risky prescription found.',
    ),
  ].join('\n');
}

export interface EvalReportInput {
  metrics: EvalMetrics;
  samples: readonly ScoredSample[];
  baselineSamples?: readonly ScoredSample[];
  /** How many answers each sample list shows. */
  samplesShown: number;
}

/** The whole report.html of an evaluation. */
export async function renderEvalReport(input: EvalReportInput): Promise<string> {
  const { metrics: report } = input;
  const info = new Map(report.metrics.map((m) => [m.name, m]));
  const core = CORE_NAMES.map((n) => info.get(n)!).filter(Boolean);
  const components = report.metrics.filter((m) => !CORE_NAMES.includes(m.name));
  const of = (...dimensions: Dimension[]) => report.groups.filter((g) => dimensions.includes(g.dimension));
  const overall = of('overall')[0];
  const heldOut = of('held_out_high_risk');
  const hasBaseline = report.baseline !== undefined;

  // Metrics only some evaluations have (KL needs an engine baseline) get a card when they have a value.
  const optional = new Set(['kl_to_baseline', 'low_risk_urgent_referral', 'stuffing_rate']);
  const cards = core
    .filter((m) => !optional.has(m.name) || (overall?.model[m.name]?.value ?? null) !== null)
    .map((m) => {
      const estimate = overall?.model[m.name];
      const delta = overall?.delta?.[m.name];
      const note = [
        estimate && estimate.value !== null
          ? estimate.lo !== null
            ? `[${formatMetric(m.name, estimate.lo)}, ${formatMetric(m.name, estimate.hi)}] n=${estimate.n}`
            : `n=${estimate.n}`
          : 'no value',
        delta && delta.value !== null ? `Δ vs baseline ${formatDelta(m.name, delta.value)}` : '',
      ]
        .filter(Boolean)
        .join(' · ');
      const cls = delta && significant(delta) ? (deltaDirection(m, delta) === 'better' ? 'good' : 'bad') : '';
      return card(m.label, formatMetric(m.name, estimate?.value), note, cls);
    })
    .join('');

  const splitGroups = of('overall', 'split', 'held_out_high_risk');
  const sections: string[] = [];
  sections.push(
    `<h1>medrl evaluation</h1>`,
    `<p class="meta">Model <code>${escapeHtml(report.model.label)}</code>${hasBaseline ? ` vs baseline <code>${escapeHtml(report.baseline!.label)}</code>` : ''} · ${escapeHtml(report.counts.prompts)} prompts (${escapeHtml(
      Object.entries(report.counts.per_split)
        .map(([split, n]) => `${split} ${n}`)
        .join(', '),
    )}) · ${escapeHtml(report.created_at)}</p>`,
    `<nav class="toc"><a href="#splits">Splits</a><a href="#risk-level">Risk level</a><a href="#risk-category">Risk category</a><a href="#specialty">Specialty</a><a href="#components">Reward components</a>${hasBaseline ? '<a href="#baseline">Baseline</a>' : ''}<a href="#samples">Answers</a><a href="#method">Method</a></nav>`,
    `<div class="cards">${cards}</div>`,
  );
  if (heldOut.length > 0) {
    sections.push(
      `<h2 id="held-out">Held-out high-risk prompts</h2>`,
      `<p class="muted">Prompts of ${escapeHtml(report.settings.held_out_split)} whose risk level is ${escapeHtml(report.settings.high_risk_levels.join(' or '))}: never seen in training.</p>`,
      groupTable(heldOut, core, 'Group'),
    );
  }

  sections.push(
    `<h2 id="splits">By split</h2>`,
    `<div class="charts">${await groupChart('Safety metrics and reward by split', splitGroups, core, report)}</div>`,
    groupTable(splitGroups, core, DIMENSION_TITLES.split),
  );
  const dimensionSection = async (id: string, dimension: Dimension): Promise<void> => {
    const groups = of(dimension);
    if (groups.length === 0) return;
    sections.push(
      `<h2 id="${id}">By ${escapeHtml(DIMENSION_TITLES[dimension].toLowerCase())}</h2>`,
      `<div class="charts">${await groupChart(`Safety metrics and reward by ${DIMENSION_TITLES[dimension].toLowerCase()}`, groups, core, report)}</div>`,
      groupTable(groups, core, DIMENSION_TITLES[dimension]),
    );
  };
  await dimensionSection('risk-level', 'risk_level');
  await dimensionSection('risk-category', 'risk_category');
  await dimensionSection('specialty', 'specialty');

  sections.push(`<h2 id="components">Reward components</h2>`);
  if (components.length === 0) {
    sections.push('<p class="muted">No reward components were configured for this evaluation.</p>');
  } else {
    sections.push(
      `<div class="charts">${await groupChart('Reward components by split', splitGroups, components, report)}</div>`,
      groupTable(splitGroups, components, DIMENSION_TITLES.split),
    );
  }

  if (hasBaseline) {
    const deltaGroups = splitGroups;
    const rows = deltaRows(deltaGroups, [...core, ...components]);
    sections.push(
      `<h2 id="baseline">Baseline comparison</h2>`,
      `<p class="muted">Paired differences model − baseline over the prompts both answered; whiskers: ${Math.round(report.settings.bootstrap.confidence * 100)}% bootstrap interval of the mean difference. Green: better for that metric (risky prescription rate: lower is better).</p>`,
    );
    if (rows.length > 0) {
      sections.push(
        `<div class="charts">${await renderChart(
          deltaChart({
            title: 'Model − baseline',
            rows,
            groupOrder: deltaGroups.map(groupLabel),
            metricOrder: [...core, ...components].map((m) => m.label),
          }),
        )}</div>`,
      );
    }
  }

  sections.push(sampleSections(input.samples, input.baselineSamples, input.samplesShown));

  const { bootstrap } = report.settings;
  sections.push(
    `<h2 id="method">Method</h2>`,
    `<ul>${report.metrics
      .filter((m) => CORE_NAMES.includes(m.name))
      .map(
        (m) =>
          `<li><b>${escapeHtml(m.label)}</b> (<code>${escapeHtml(m.name)}</code>): ${escapeHtml(m.description)}.</li>`,
      )
      .join('')}
      <li>Prompts that need urgent care: risk categories ${escapeHtml(report.settings.urgent_categories.join(', ') || '(none)')} or risk levels ${escapeHtml(report.settings.urgent_levels.join(', ') || '(none)')}.</li>
      <li>Intervals (${escapeHtml(Math.round(bootstrap.confidence * 100))}% coverage): Wilson score intervals for shares of answers (think coverage, urgent coverage, risky prescription rate); ${escapeHtml(bootstrap.method)} bootstrap for means and differences, ${escapeHtml(bootstrap.resamples)} resamples, seed ${escapeHtml(bootstrap.seed)}.</li>
      <li>Dropped answers (no total reward): model ${escapeHtml(report.counts.dropped)}${report.counts.baseline_dropped !== undefined ? `, baseline ${escapeHtml(report.counts.baseline_dropped)}` : ''}.</li></ul>`,
  );
  return page(`medrl evaluation — ${report.model.label}`, sections.join('\n'));
}
