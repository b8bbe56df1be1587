/**
 * report.html of a training run (`medrl report <run-dir>`), from the run's metrics.jsonl (one line
 * of TRL-named stats per step) and rollouts.jsonl ({step, prompt, completion, total, components}):
 * total reward and each component, KL and its coefficient, losses and response length over the
 * steps, then the best and worst samples with their breakdowns. Both files are streamed, so long
 * runs need memory only for the per-step stats and the k best and worst rollouts.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { readFile } from 'node:fs/promises';
import { deltaTable, formatDelta, type DeltaRow } from '../eval/delta-table.js';
import type { EvalMetrics } from '../eval/types.js';
import { MedrlError } from '../errors.js';
import { writeFileAtomic, pathExists } from '../io/atomic.js';
import { RUNS_DIR, listRuns, readRunInfo, type RunInfo } from '../train/run-dir.js';
import { breakdownTable, type LooseComponent } from './breakdown.js';
import { SERIES_COLORS } from './charts.js';
import { card, escapeHtml, formatNumber, formatStat, page, table, text, textBlock } from './html.js';
import { alignSeries, chartAssets, chartControls, chartFigure, type LineChartData } from './interactive.js';

/** The stats of one optimization step. */
export interface StepStats {
  step: number;
  stats: Record<string, number>;
}

/** One scored rollout of the run. */
export interface RunRollout {
  step: number;
  prompt: string;
  completion: string;
  total: number | null;
  components: Record<string, LooseComponent>;
  gate?: string;
  meta?: Record<string, unknown>;
}

/**
 * The JSON objects of a JSONL file with their `file:line`. The trainer appends whole lines, so only
 * the last line can be torn (a crash, or a run still writing): an unparsable last line is skipped
 * and reported through `onTornTail`; an unparsable line followed by others is an error.
 */
async function* jsonLines(
  file: string,
  onTornTail?: (where: string) => void,
): AsyncGenerator<{ value: Record<string, unknown>; where: string }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  let pending: MedrlError | undefined;
  let pendingWhere = '';
  for await (const raw of lines) {
    number++;
    const line = number === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    if (pending) throw pending;
    const where = `${file}:${number}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      pending = new MedrlError(`${where}: invalid JSON (${(error as Error).message})`);
      pendingWhere = where;
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new MedrlError(`${where}: expected a JSON object`);
    yield { value: value as Record<string, unknown>, where };
  }
  if (pending) {
    if (!onTornTail) throw pending;
    onTornTail(pendingWhere);
  }
}

/**
 * Reads metrics.jsonl. A line is `{step, <stat>: number, ...}` or `{step, stats: {...}}`;
 * non-numeric fields (timestamps, names) are ignored; a line without `step` takes its order.
 */
export async function readStepStats(file: string, onTornTail?: (where: string) => void): Promise<StepStats[]> {
  const steps: StepStats[] = [];
  for await (const { value, where } of jsonLines(file, onTornTail)) {
    const step = value.step ?? steps.length + 1;
    if (typeof step !== 'number' || !Number.isFinite(step))
      throw new MedrlError(`${where}: field "step" must be a number`);
    const source =
      typeof value.stats === 'object' && value.stats !== null ? { ...value, ...(value.stats as object) } : value;
    const stats: Record<string, number> = {};
    for (const [key, stat] of Object.entries(source)) {
      if (key !== 'step' && typeof stat === 'number' && Number.isFinite(stat)) stats[key] = stat;
    }
    steps.push({ step, stats });
  }
  return steps.sort((a, b) => a.step - b.step);
}

function parseRollout(line: Record<string, unknown>, where: string): RunRollout {
  // `medrl train` nests the composer's breakdown under `reward`; flat lines carry total/components themselves.
  const nested =
    typeof line.reward === 'object' && line.reward !== null ? (line.reward as Record<string, unknown>) : {};
  const value: Record<string, unknown> = { ...line, ...nested, id: line.id };
  const field = (name: string, ok: boolean, expected: string): void => {
    if (!ok) throw new MedrlError(`${where}: field "${name}" must be ${expected}`);
  };
  field('step', typeof value.step === 'number', 'a number');
  field('prompt', typeof value.prompt === 'string', 'a string');
  field('completion', typeof value.completion === 'string', 'a string');
  field(
    'total',
    value.total === null || (typeof value.total === 'number' && Number.isFinite(value.total)),
    'a number or null',
  );
  const components = value.components ?? {};
  field('components', typeof components === 'object' && components !== null && !Array.isArray(components), 'an object');
  return {
    step: value.step as number,
    prompt: value.prompt as string,
    completion: value.completion as string,
    total: value.total as number | null,
    components: components as Record<string, LooseComponent>,
    ...(typeof value.gate === 'string' ? { gate: value.gate } : {}),
    ...(typeof value.meta === 'object' && value.meta !== null ? { meta: value.meta as Record<string, unknown> } : {}),
  };
}

/** The k highest and k lowest rollouts by total (ties: the earlier step first), and how many were read. */
export async function readExtremeRollouts(
  file: string,
  k: number,
  onTornTail?: (where: string) => void,
): Promise<{ best: RunRollout[]; worst: RunRollout[]; count: number; scored: number }> {
  const best: RunRollout[] = [];
  const worst: RunRollout[] = [];
  let count = 0;
  let scored = 0;
  const keep = (list: RunRollout[], rollout: RunRollout, better: (a: RunRollout, b: RunRollout) => boolean): void => {
    if (k === 0) return;
    if (list.length === k && !better(rollout, list[list.length - 1]!)) return;
    let index = list.findIndex((other) => better(rollout, other));
    if (index === -1) index = list.length;
    list.splice(index, 0, rollout);
    if (list.length > k) list.pop();
  };
  for await (const { value, where } of jsonLines(file, onTornTail)) {
    const rollout = parseRollout(value, where);
    count++;
    if (rollout.total === null) continue;
    scored++;
    keep(best, rollout, (a, b) => a.total! > b.total!);
    keep(worst, rollout, (a, b) => a.total! < b.total!);
  }
  return { best, worst, count, scored };
}

/** Averages points into at most `max` buckets of consecutive steps, so long runs stay light SVGs. */
export function downsample(
  points: readonly { step: number; value: number }[],
  max: number,
): { step: number; value: number }[] {
  if (points.length <= max) return [...points];
  const size = Math.ceil(points.length / max);
  const out: { step: number; value: number }[] = [];
  for (let start = 0; start < points.length; start += size) {
    const bucket = points.slice(start, start + size);
    out.push({
      step: bucket.reduce((s, p) => s + p.step, 0) / bucket.length,
      value: bucket.reduce((s, p) => s + p.value, 0) / bucket.length,
    });
  }
  return out;
}

/** Stat names, in the order found, that match a test. */
function statNames(steps: readonly StepStats[], test: (name: string) => boolean): string[] {
  const names = new Set<string>();
  for (const { stats } of steps) for (const name of Object.keys(stats)) if (test(name)) names.add(name);
  return [...names];
}

/** The series of the four chart families, named as TRL (PPO and GRPO) and medrl's trainers name them. */
export function chartSeries(steps: readonly StepStats[]): Record<
  'reward' | 'kl' | 'klCoef' | 'loss' | 'length' | 'safety',
  { name: string; label: string }[]
> & {
  total?: string;
} {
  const totals = ['env/reward_mean', 'reward', 'reward_mean', 'rewards/mean'].filter((n) =>
    steps.some((s) => n in s.stats),
  );
  const componentPattern = /^rewards?\/(.+)\/mean$/;
  const components = statNames(steps, (n) => componentPattern.test(n) && !totals.includes(n));
  return {
    ...(totals.length > 0 ? { total: totals[0] } : {}),
    reward: [
      ...totals.slice(0, 1).map((name) => ({ name, label: `total (${name})` })),
      ...components.map((name) => ({ name, label: componentPattern.exec(name)![1]! })),
    ],
    kl: ['objective/kl', 'kl']
      .filter((n) => steps.some((s) => n in s.stats))
      .slice(0, 1)
      .map((name) => ({ name, label: name })),
    klCoef: ['objective/kl_coef', 'kl_coef', 'beta']
      .filter((n) => steps.some((s) => n in s.stats))
      .slice(0, 1)
      .map((name) => ({ name, label: name })),
    loss: statNames(steps, (n) => /(^|\/)loss(\/|$)/.test(n)).map((name) => ({ name, label: name })),
    length: statNames(steps, (n) => /(response|completion)/i.test(n) && /len/i.test(n)).map((name) => ({
      name,
      label: name,
    })),
    // The trainers' safety gate (core/src/train/safety-gate.ts), logged every eval_steps.
    safety: ['safety/score', 'safety/baseline', 'safety/best']
      .filter((n) => steps.some((s) => n in s.stats))
      .map((name) => ({ name, label: name })),
  };
}

const DASHES = [undefined, [7, 4], [2, 3], [9, 3, 2, 3], [4, 4]];
/** Dark and heavy: the total reward stands out from its components' colours. */
const TOTAL_COLOR = '#1f2328';

/** One run shown in a report: the latest (the directory itself) or an earlier one overlaid. */
export interface ReportRun {
  name: string;
  steps: readonly StepStats[];
}

/** A stat to draw, with its label and look. */
interface StatLine {
  name: string;
  label: string;
  color?: string;
  emphasis?: boolean;
  dash?: number[];
  points?: boolean;
  smooth?: boolean;
}

/** Builds one interactive chart: every stat of `lines` for every run (runs after the first dashed). */
function buildChart(
  id: string,
  title: string,
  yLabel: string,
  runs: readonly ReportRun[],
  lines: readonly StatLine[],
  maxPoints: number,
  notes: string[] = [],
): LineChartData | undefined {
  const picked: { run: ReportRun; line: StatLine; logged: number; points: { step: number; value: number }[] }[] = [];
  for (const run of runs) {
    for (const line of lines) {
      const raw = run.steps
        .filter((s) => line.name in s.stats)
        .map((s) => ({ step: s.step, value: s.stats[line.name]! }));
      if (raw.length > 0) picked.push({ run, line, logged: raw.length, points: downsample(raw, maxPoints) });
    }
  }
  if (picked.length === 0) return undefined;
  const sampled = picked.some((p) => p.points.length < p.logged);
  const { x, y } = alignSeries(picked.map((p) => p.points));
  const many = runs.length > 1;
  return {
    id,
    title,
    yLabel,
    caption: `${[...new Set(picked.map((p) => p.line.name))].join(', ')}${sampled ? ` (averaged into at most ${maxPoints} points per line)` : ''}`,
    notes,
    x,
    series: picked.map((p, i) => {
      const runIndex = runs.indexOf(p.run);
      return {
        label: many ? `${p.run.name} · ${p.line.label}` : p.line.label,
        run: p.run.name,
        stat: p.line.name,
        color: p.line.color ?? SERIES_COLORS[lines.indexOf(p.line) % SERIES_COLORS.length]!,
        ...(p.line.emphasis ? { emphasis: true } : {}),
        ...((p.line.dash ?? DASHES[runIndex % DASHES.length])
          ? { dash: p.line.dash ?? DASHES[runIndex % DASHES.length] }
          : {}),
        ...(p.line.points || p.points.length <= 60 ? { points: true } : {}),
        smooth: p.line.smooth ?? true,
        y: y[i]!,
      };
    }),
  };
}

/** Why objective/kl can be negative, shown when it is. */
function negativeKlNote(steps: readonly StepStats[]): string | undefined {
  const values = steps.filter((s) => 'objective/kl' in s.stats).map((s) => s.stats['objective/kl']!);
  const negative = values.filter((v) => v < 0).length;
  if (negative === 0) return undefined;
  return (
    `objective/kl is negative at ${negative} of ${values.length} steps. It is the mean over the sampled tokens of ` +
    'log π(token) − log π_ref(token) (kl_penalty "kl", as in TRL): an estimate whose average is ≥ 0 only when the tokens ' +
    'are sampled from the policy itself. Small batches make single steps noisy, and sampling that differs from the policy ' +
    '(temperature ≠ 1, top-k/top-p, a forced end of sequence) biases it; kl_penalty "abs" or "mse" cannot go below 0. ' +
    'See docs/training.md, "Reading the stats".'
  );
}

/** The charts of a PPO/GRPO run (and of earlier runs overlaid). */
function rlCharts(runs: readonly ReportRun[], maxPoints: number): { charts: LineChartData[]; missing: string[] } {
  const all = runs.flatMap((r) => r.steps);
  const series = chartSeries(all);
  const charts: LineChartData[] = [];
  const missing: string[] = [];
  const add = (chart: LineChartData | undefined, what: string) => (chart ? charts.push(chart) : missing.push(what));
  const reward: StatLine[] = series.reward.map((s, i) =>
    i === 0 && series.total === s.name
      ? { ...s, color: TOTAL_COLOR, emphasis: true }
      : { ...s, color: SERIES_COLORS[(i - (series.total ? 1 : 0)) % SERIES_COLORS.length] },
  );
  add(
    buildChart('reward', 'Reward over steps', 'mean reward', runs, reward, maxPoints),
    'reward (env/reward_mean, reward/<component>/mean)',
  );
  const klNote = negativeKlNote(runs[0]?.steps ?? []);
  add(buildChart('kl', 'KL divergence', 'KL', runs, series.kl, maxPoints, klNote ? [klNote] : []), 'KL (objective/kl)');
  add(
    buildChart(
      'kl-coef',
      'KL coefficient',
      'β',
      runs,
      series.klCoef.map((s) => ({ ...s, smooth: false })),
      maxPoints,
    ),
    'KL coefficient (objective/kl_coef)',
  );
  add(buildChart('loss', 'Losses', 'loss', runs, series.loss, maxPoints), 'losses (ppo/loss/*)');
  add(
    buildChart('length', 'Response length', 'tokens', runs, series.length, maxPoints),
    'response length (tokens/responses_len_*)',
  );
  // The safety gate (core/src/train/safety-gate.ts), logged every eval_steps: the score with a dot per
  // evaluation, the baseline (step 0) dashed and the best so far dotted, so lines that coincide stay visible.
  const safetyLook: Record<string, Partial<StatLine>> = {
    'safety/score': { color: SERIES_COLORS[0], points: true, smooth: false },
    'safety/baseline': { color: '#59636e', dash: [7, 4], smooth: false },
    'safety/best': { color: SERIES_COLORS[2], dash: [2, 3], smooth: false },
  };
  if (series.safety.length > 0) {
    add(
      buildChart(
        'safety',
        'Safety gate',
        'safety score',
        runs,
        series.safety.map((s) => ({ ...s, ...safetyLook[s.name] })),
        maxPoints,
        [
          'score: the gate prompts\u2019 mean score at each evaluation; baseline: the score before training (step 0); best: the best score so far. Where they are equal the lines lie on top of each other.',
        ],
      ),
      'safety gate (safety/score)',
    );
  }
  return { charts, missing };
}

/** The charts of an SFT run: training and eval loss, learning rate, gradient norm. */
function sftCharts(runs: readonly ReportRun[], maxPoints: number): { charts: LineChartData[]; missing: string[] } {
  const charts: LineChartData[] = [];
  const missing: string[] = [];
  const add = (chart: LineChartData | undefined, what: string) => (chart ? charts.push(chart) : missing.push(what));
  add(
    buildChart(
      'loss',
      'Loss',
      'loss (per target token)',
      runs,
      [
        { name: 'loss', label: 'train loss (mean since the previous row)', color: TOTAL_COLOR, emphasis: true },
        { name: 'eval_loss', label: 'eval loss', color: SERIES_COLORS[1], points: true, smooth: false },
      ],
      maxPoints,
    ),
    'loss',
  );
  add(
    buildChart(
      'lr',
      'Learning rate',
      'learning rate',
      runs,
      [{ name: 'learning_rate', label: 'learning_rate', smooth: false }],
      maxPoints,
    ),
    'learning_rate',
  );
  add(
    buildChart(
      'grad-norm',
      'Gradient norm',
      'L2 norm before clipping',
      runs,
      [{ name: 'grad_norm', label: 'grad_norm' }],
      maxPoints,
    ),
    'grad_norm',
  );
  return { charts, missing };
}

function rolloutDetails(rollout: RunRollout, rank: string): string {
  const meta = rollout.meta
    ? ['risk_level', 'specialty', 'lang']
        .map((key) => rollout.meta![key])
        .filter((v) => typeof v === 'string')
        .join(' · ')
    : '';
  return `<details class="sample"><summary>${escapeHtml(`${rank} · step ${rollout.step} · total ${formatNumber(rollout.total)}`)} <span class="muted">${escapeHtml(meta)}</span></summary>
<h3>Prompt</h3>${textBlock(rollout.prompt)}
<h3>Completion</h3>${textBlock(rollout.completion)}
<h3>Reward breakdown</h3>${breakdownTable({ total: rollout.total, gate: rollout.gate, components: rollout.components })}
</details>`;
}

export interface RunReportInput {
  runDir: string;
  /** `rl` (metrics.jsonl, rollouts.jsonl) or `sft` (sft_metrics.jsonl). Default rl. */
  kind?: 'rl' | 'sft';
  steps: readonly StepStats[];
  best: readonly RunRollout[];
  worst: readonly RunRollout[];
  rolloutCount: number;
  /** The run's run.json, when there is one. */
  info?: RunInfo;
  /** Earlier runs overlaid on the charts. */
  compare?: readonly ReportRun[];
  /** Most points per line (longer series are averaged in buckets). Default 1500. */
  maxPoints?: number;
  /** Notes shown at the top (e.g. a skipped torn last line). */
  warnings?: readonly string[];
  /** Reload the page every this many seconds (a run still writing). */
  refreshSeconds?: number;
  /** The final evaluation's before/after rows (`<runDir>/eval/metrics.json`), when it ran. */
  beforeAfter?: BeforeAfter;
}

/** The final eval of a run: start model vs final model on held-out prompts. */
export interface BeforeAfter {
  rows: readonly DeltaRow[];
  confidence: number;
  prompts: number;
  /** Link to the evaluation's own report, relative to the run report. */
  href: string;
}

/** Reads `<runDir>/eval/metrics.json` (written by the final eval) as before/after rows. */
export async function readBeforeAfter(runDir: string): Promise<BeforeAfter | undefined> {
  const file = path.join(runDir, 'eval', 'metrics.json');
  if (!(await pathExists(file))) return undefined;
  let metrics: EvalMetrics;
  try {
    metrics = JSON.parse(await readFile(file, 'utf8')) as EvalMetrics;
  } catch (error) {
    throw new MedrlError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!metrics.baseline || !Array.isArray(metrics.groups)) return undefined;
  return {
    rows: deltaTable({ metrics }),
    confidence: metrics.settings?.bootstrap?.confidence ?? 0.95,
    prompts: metrics.counts?.prompts ?? 0,
    href: 'eval/report.html',
  };
}

/** The before/after table: one row per metric, the delta coloured by whether it went the good way. */
function beforeAfterSection(ba: BeforeAfter): string {
  const level = `${Math.round(ba.confidence * 100)}%`;
  const rows = ba.rows.map((r) => {
    const d = r.delta.value;
    const excludesZero = r.delta.lo !== null && r.delta.hi !== null && (r.delta.lo > 0 || r.delta.hi < 0);
    const good = d !== null && (r.better === 'higher' ? d > 0 : d < 0);
    const ci =
      r.delta.lo !== null && r.delta.hi !== null
        ? `[${formatDelta(r.metric, r.delta.lo, true)}, ${formatDelta(r.metric, r.delta.hi, true)}]`
        : '';
    const isKl = r.metric === 'kl_to_baseline';
    return [
      text(r.group),
      text(r.label),
      text(isKl ? '' : formatDelta(r.metric, r.baseline.value)),
      text(formatDelta(r.metric, r.model.value)),
      text(isKl ? '' : formatDelta(r.metric, d, true), excludesZero ? (good ? 'good' : 'bad') : undefined),
      text(ci),
    ];
  });
  return [
    '<h2 id="before-after">Before / after</h2>',
    `<p class="meta">The start model and the final model answer the same ${ba.prompts} held-out prompts (never trained on); paired deltas with ${level} bootstrap intervals, coloured when the interval excludes zero. Details: <a href="${escapeHtml(ba.href)}">${escapeHtml(ba.href)}</a>.</p>`,
    rows.length === 0
      ? '<p class="muted">The evaluation has no before/after rows.</p>'
      : table(['prompts', 'metric', 'start', 'final', 'Δ', `${level} CI`], rows),
  ].join('\n');
}

/** The whole report.html of a training run. */
export async function renderRunReport(input: RunReportInput): Promise<string> {
  const { steps } = input;
  const kind = input.kind ?? 'rl';
  const maxPoints = input.maxPoints ?? 1500;
  const name = input.info?.name ?? 'latest';
  const runs: ReportRun[] = [{ name, steps }, ...(input.compare ?? [])];
  const series = chartSeries(steps);
  const lastOf = (stat: string | undefined): number | null => {
    if (!stat) return null;
    for (let i = steps.length - 1; i >= 0; i--) if (stat in steps[i]!.stats) return steps[i]!.stats[stat]!;
    return null;
  };
  const { charts, missing } = kind === 'sft' ? sftCharts(runs, maxPoints) : rlCharts(runs, maxPoints);
  const assets = chartAssets(charts);

  // Training steps: the last step logged (a step-0 line is the safety gate's baseline, not a step).
  const lastStep = steps.length > 0 ? steps[steps.length - 1]!.step : 0;
  const baseline = steps.some((s) => s.step === 0);
  const planned = input.info ? ` of ${input.info.total_steps} planned` : '';
  const status = input.info
    ? ` · ${input.info.status}${input.info.status === 'running' ? ' (this page reloads itself)' : ''}`
    : '';
  const stepsText =
    kind === 'sft'
      ? `${lastStep} optimizer steps${planned} · ${steps.length} logged rows`
      : `${lastStep} training steps${planned}${baseline ? ' (plus the safety baseline at step 0)' : ''} · ${input.rolloutCount} rollouts`;

  const totalName = series.total;
  const totals = totalName ? steps.filter((s) => totalName in s.stats).map((s) => s.stats[totalName]!) : [];
  const cards =
    kind === 'sft'
      ? [
          card('Steps', String(lastStep), input.info ? `of ${input.info.total_steps}` : 'last logged step'),
          card('Final train loss', formatNumber(lastOf('loss'), 4), 'mean over the steps of the last logged row'),
          card('Final eval loss', formatNumber(lastOf('eval_loss'), 4), 'per target token on the eval set'),
          card('Learning rate', formatStat(lastOf('learning_rate')), 'at the last logged step'),
        ]
      : [
          card('Steps', String(lastStep), input.info ? `of ${input.info.total_steps}` : 'last logged step'),
          card('Final reward', formatNumber(lastOf(totalName)), totalName ?? 'no total reward logged'),
          card('Best reward', formatNumber(totals.length > 0 ? Math.max(...totals) : null), 'highest per-step mean'),
          card('Final KL', formatNumber(lastOf(series.kl[0]?.name), 4), series.kl[0]?.name ?? 'no KL logged'),
          card(
            'Final KL coefficient',
            formatNumber(lastOf(series.klCoef[0]?.name), 4),
            series.klCoef[0]?.name ?? 'no coefficient logged',
          ),
        ];

  const statRows = statNames(steps, () => true)
    .sort()
    .map((stat) => {
      const values = steps.filter((s) => stat in s.stats).map((s) => s.stats[stat]!);
      return [
        text(stat),
        text(values.length),
        text(formatStat(values[0]!)),
        text(formatStat(values[values.length - 1]!)),
        text(formatStat(Math.min(...values))),
        text(formatStat(Math.max(...values))),
      ];
    });

  const compared = input.compare ?? [];
  const body = [
    `<h1>medrl ${kind === 'sft' ? 'SFT' : 'training'} run${input.info ? ` “${escapeHtml(input.info.name)}”` : ''}</h1>`,
    `<p class="meta">Run <code>${escapeHtml(input.runDir)}</code> · ${escapeHtml(stepsText)}${escapeHtml(status)}</p>`,
    compared.length > 0
      ? `<p class="meta">Overlaid: ${compared.map((r) => `<code>${escapeHtml(r.name)}</code>`).join(', ')} (dashed lines)</p>`
      : '',
    `<nav class="toc">${input.beforeAfter ? '<a href="#before-after">Before / after</a>' : ''}<a href="#curves">Curves</a>${kind === 'rl' ? '<a href="#samples">Samples</a>' : ''}<a href="#stats">All stats</a></nav>`,
    ...(input.warnings ?? []).map((w) => `<p class="bad">${escapeHtml(w)}</p>`),
    `<div class="cards">${cards.join('')}</div>`,
    input.beforeAfter ? beforeAfterSection(input.beforeAfter) : '',
    '<h2 id="curves">Curves</h2>',
    steps.length === 0 && compared.length === 0
      ? `<p class="muted">${kind === 'sft' ? 'sft_metrics.jsonl' : 'metrics.jsonl'} has no steps yet.</p>`
      : `${chartControls(runs.map((r) => r.name))}<noscript><p class="bad">The charts need JavaScript (inline in this file; nothing is loaded from outside).</p></noscript><div class="charts">${charts.map(chartFigure).join('\n')}</div>`,
    missing.length > 0 && steps.length > 0
      ? `<p class="muted">Not in the metrics file: ${escapeHtml(missing.join('; '))}.</p>`
      : '',
    ...(kind === 'rl'
      ? [
          '<h2 id="samples">Samples</h2>',
          `<h3>Best ${input.best.length}</h3>`,
          input.best.length === 0
            ? '<p class="muted">No scored rollout.</p>'
            : input.best.map((r, i) => rolloutDetails(r, `best #${i + 1}`)).join('\n'),
          `<h3>Worst ${input.worst.length}</h3>`,
          input.worst.length === 0
            ? '<p class="muted">No scored rollout.</p>'
            : input.worst.map((r, i) => rolloutDetails(r, `worst #${i + 1}`)).join('\n'),
        ]
      : []),
    '<h2 id="stats">All stats</h2>',
    statRows.length === 0
      ? '<p class="muted">No stats.</p>'
      : table(['stat', 'rows', 'first', 'last', 'min', 'max'], statRows),
    assets.html,
  ].join('\n');
  return page(`medrl run — ${input.info?.name ?? path.basename(path.resolve(input.runDir))}`, body, {
    css: assets.css,
    scriptHashes: assets.scriptHashes,
    ...(input.refreshSeconds ? { refreshSeconds: input.refreshSeconds } : {}),
  });
}

export interface RunReportOptions {
  /** Output file; default `<runDir>/report.html`. */
  out?: string;
  /** Best and worst samples shown. Default 5. */
  samples?: number;
  maxPoints?: number;
  /**
   * Runs to overlay: names under `<runDir>/runs/`, other run directories, or `all` (every run
   * under runs/).
   */
  compare?: readonly string[];
  /** Reload the page every this many seconds while the run's status is `running`. */
  refreshSeconds?: number;
}

/** The metrics file of a run directory and what kind of run wrote it. */
async function metricsOf(runDir: string): Promise<{ kind: 'rl' | 'sft'; file: string } | undefined> {
  for (const [kind, name] of [
    ['rl', 'metrics.jsonl'],
    ['sft', 'sft_metrics.jsonl'],
  ] as const) {
    const file = path.join(runDir, name);
    if (await pathExists(file)) return { kind, file };
  }
  if (await pathExists(path.join(runDir, 'rollouts.jsonl')))
    return { kind: 'rl', file: path.join(runDir, 'metrics.jsonl') };
  return undefined;
}

/** The runs named by `compare`, read. */
async function comparedRuns(
  runDir: string,
  compare: readonly string[],
  torn: (where: string) => void,
): Promise<ReportRun[]> {
  const dirs: string[] = [];
  for (const entry of compare) {
    if (entry === 'all') {
      dirs.push(...(await listRuns(runDir)).map((r) => r.dir));
      continue;
    }
    const named = path.join(runDir, RUNS_DIR, entry);
    if (await pathExists(named)) dirs.push(named);
    else if (await pathExists(entry)) dirs.push(path.resolve(entry));
    else {
      const known = (await listRuns(runDir)).map((r) => r.name);
      throw new MedrlError(
        `--compare ${entry}: neither ${named} nor ${path.resolve(entry)} exists${known.length > 0 ? ` (runs: ${known.join(', ')})` : ''}`,
      );
    }
  }
  const out: ReportRun[] = [];
  for (const dir of [...new Set(dirs)]) {
    const found = await metricsOf(dir);
    if (!found || !(await pathExists(found.file))) continue;
    const info = await readRunInfo(dir);
    out.push({ name: info?.name ?? path.basename(dir), steps: await readStepStats(found.file, torn) });
  }
  return out;
}

/** Reads a run directory and writes its report.html atomically; returns the file written. */
export async function writeRunReport(
  runDir: string,
  options: RunReportOptions = {},
): Promise<{ file: string; steps: number; rollouts: number; warnings: string[]; kind: 'rl' | 'sft'; status?: string }> {
  const found = await metricsOf(runDir);
  if (!found) {
    throw new MedrlError(
      `${runDir}: none of metrics.jsonl, rollouts.jsonl (medrl train) or sft_metrics.jsonl (medrl sft) found; pass the output directory of \`medrl train\` or \`medrl sft\``,
    );
  }
  const rolloutsFile = path.join(runDir, 'rollouts.jsonl');
  const [hasMetrics, hasRollouts] = await Promise.all([pathExists(found.file), pathExists(rolloutsFile)]);
  const warnings: string[] = [];
  const torn = (where: string): void => {
    warnings.push(`${where}: skipped an incomplete last line (a run still writing, or one that crashed mid-line)`);
  };
  const steps = hasMetrics ? await readStepStats(found.file, torn) : [];
  const extremes =
    found.kind === 'rl' && hasRollouts
      ? await readExtremeRollouts(rolloutsFile, options.samples ?? 5, torn)
      : { best: [], worst: [], count: 0, scored: 0 };
  const info = await readRunInfo(runDir);
  const compare = await comparedRuns(runDir, options.compare ?? [], torn);
  const beforeAfter = found.kind === 'rl' ? await readBeforeAfter(runDir) : undefined;
  const html = await renderRunReport({
    ...(beforeAfter ? { beforeAfter } : {}),
    runDir,
    kind: found.kind,
    steps,
    best: extremes.best,
    worst: extremes.worst,
    rolloutCount: extremes.count,
    maxPoints: options.maxPoints,
    warnings,
    ...(info ? { info } : {}),
    compare,
    ...(options.refreshSeconds && info?.status === 'running' ? { refreshSeconds: options.refreshSeconds } : {}),
  });
  const file = options.out ?? path.join(runDir, 'report.html');
  await writeFileAtomic(file, html);
  return {
    file,
    steps: steps.length,
    rollouts: extremes.count,
    warnings,
    kind: found.kind,
    ...(info ? { status: info.status } : {}),
  };
}
