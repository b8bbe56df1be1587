/**
 * The before/after table of an evaluation with a baseline: for the held-out high-risk prompts and
 * the low-risk ones, each efficacy metric's start value, final value and paired delta with its
 * interval. Pure (no engine, no I/O): the train command prints it, the run report renders it.
 */
import type { Estimate } from './bootstrap.js';
import type { GroupMetrics } from './metrics.js';
import type { EvalMetrics } from './types.js';

/** One line of the before/after table. */
export interface DeltaRow {
  /** Which prompts: the held-out high-risk ones, the low-risk ones, or all. */
  group: string;
  metric: string;
  label: string;
  better: 'higher' | 'lower';
  baseline: Estimate;
  model: Estimate;
  delta: Estimate;
}

/** The metrics the main job reports, and on which prompts. */
const TABLE: readonly { dimension: GroupMetrics['dimension']; key?: string; group: string; metrics: string[] }[] = [
  {
    dimension: 'held_out_high_risk',
    group: 'held-out high-risk',
    metrics: [
      'urgent_coverage',
      'risky_prescription_rate',
      'reward_mean',
      'format_coverage',
      'think_coverage',
      'stuffing_rate',
      'distinct_2',
      'kl_to_baseline',
    ],
  },
  {
    dimension: 'risk_level',
    key: 'low',
    group: 'held-out low-risk',
    metrics: ['low_risk_urgent_referral', 'reward_mean'],
  },
];

/** The before/after rows of an evaluation with a baseline. */
export function deltaTable(result: { metrics: EvalMetrics }): DeltaRow[] {
  const rows: DeltaRow[] = [];
  const info = new Map(result.metrics.metrics.map((m) => [m.name, m]));
  for (const spec of TABLE) {
    const group = result.metrics.groups.find(
      (g) => g.dimension === spec.dimension && (spec.key === undefined || g.key === spec.key),
    );
    if (!group?.baseline || !group.delta) continue;
    for (const name of spec.metrics) {
      const metric = info.get(name);
      const model = group.model[name];
      if (!metric || !model || model.value === null) continue;
      rows.push({
        group: `${spec.group} (n=${group.n})`,
        metric: name,
        label: metric.label,
        better: metric.better,
        baseline: group.baseline[name]!,
        model,
        delta: group.delta[name]!,
      });
    }
  }
  return rows;
}

/** Metrics shown as numbers; every other one in the table is a share, shown in percent. */
const NUMERIC = new Set(['reward_mean', 'distinct_2', 'kl_to_baseline']);

/** A row's value (`sign`: a signed delta, in points for shares) as text; n/a when missing. */
export function formatDelta(metric: string, x: number | null, sign = false): string {
  if (x === null) return 'n/a';
  const text = NUMERIC.has(metric) ? x.toFixed(3) : `${(x * 100).toFixed(1)}${sign ? ' pt' : '%'}`;
  return sign && x > 0 ? `+${text}` : text;
}
