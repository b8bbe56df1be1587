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
import { MedrlError } from '../errors.js';
import { writeFileAtomic, pathExists } from '../io/atomic.js';
import { breakdownTable, type LooseComponent } from './breakdown.js';
import { lineChart, renderChart, type SeriesPoint } from './charts.js';
import { card, escapeHtml, formatNumber, page, table, text, textBlock } from './html.js';

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

/** Points for a line chart, downsampled per series. */
function seriesPoints(
  steps: readonly StepStats[],
  series: readonly { name: string; label: string }[],
  maxPoints: number,
): SeriesPoint[] {
  return series.flatMap(({ name, label }) =>
    downsample(
      steps.filter((s) => name in s.stats).map((s) => ({ step: s.step, value: s.stats[name]! })),
      maxPoints,
    ).map((p) => ({ ...p, series: label })),
  );
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
  steps: readonly StepStats[];
  best: readonly RunRollout[];
  worst: readonly RunRollout[];
  rolloutCount: number;
  /** Most points per line (longer series are averaged in buckets). Default 1500. */
  maxPoints?: number;
  /** Notes shown at the top (e.g. a skipped torn last line). */
  warnings?: readonly string[];
}

/** The whole report.html of a training run. */
export async function renderRunReport(input: RunReportInput): Promise<string> {
  const { steps } = input;
  const maxPoints = input.maxPoints ?? 1500;
  const series = chartSeries(steps);
  const last = steps[steps.length - 1];
  const lastOf = (name: string | undefined): number | null => {
    if (!name) return null;
    for (let i = steps.length - 1; i >= 0; i--) if (name in steps[i]!.stats) return steps[i]!.stats[name]!;
    return null;
  };
  const totalName = series.total;
  const maxTotal = totalName
    ? Math.max(...steps.filter((s) => totalName in s.stats).map((s) => s.stats[totalName]!))
    : null;

  const charts: string[] = [];
  const missing: string[] = [];
  const add = async (
    title: string,
    list: { name: string; label: string }[],
    what: string,
    yTitle?: string,
  ): Promise<void> => {
    if (list.length === 0) {
      missing.push(what);
      return;
    }
    const points = seriesPoints(steps, list, maxPoints);
    const sampled = points.length < list.reduce((n, s) => n + steps.filter((st) => s.name in st.stats).length, 0);
    charts.push(
      await renderChart(
        lineChart({
          title,
          caption: `${list.map((s) => s.name).join(', ')}${sampled ? ` (averaged into at most ${maxPoints} points per line)` : ''}`,
          points,
          seriesOrder: list.map((s) => s.label),
          yTitle,
        }),
      ),
    );
  };
  await add('Reward over steps', series.reward, 'reward (env/reward_mean, reward/<component>/mean)', 'mean reward');
  await add('KL divergence', series.kl, 'KL (objective/kl)', 'KL');
  await add('KL coefficient', series.klCoef, 'KL coefficient (objective/kl_coef)', 'β');
  await add('Losses', series.loss, 'losses (ppo/loss/*)', 'loss');
  await add('Response length', series.length, 'response length (tokens/responses_len_*)', 'tokens');
  if (series.safety.length > 0) await add('Safety gate', series.safety, 'safety gate (safety/score)', 'safety score');

  const statRows = statNames(steps, () => true)
    .sort()
    .map((name) => {
      const values = steps.filter((s) => name in s.stats).map((s) => s.stats[name]!);
      return [
        text(name),
        text(values.length),
        text(formatNumber(values[0]!, 4)),
        text(formatNumber(values[values.length - 1]!, 4)),
        text(formatNumber(Math.min(...values), 4)),
        text(formatNumber(Math.max(...values), 4)),
      ];
    });

  const body = [
    '<h1>medrl training run</h1>',
    `<p class="meta">Run <code>${escapeHtml(input.runDir)}</code> · ${escapeHtml(steps.length)} logged steps · ${escapeHtml(input.rolloutCount)} rollouts</p>`,
    '<nav class="toc"><a href="#curves">Curves</a><a href="#samples">Samples</a><a href="#stats">All stats</a></nav>',
    ...(input.warnings ?? []).map((w) => `<p class="bad">${escapeHtml(w)}</p>`),
    `<div class="cards">${[
      card('Steps', last ? String(last.step) : '—', 'last logged step'),
      card('Final reward', formatNumber(lastOf(totalName)), totalName ?? 'no total reward logged'),
      card('Best reward', formatNumber(maxTotal), 'highest per-step mean'),
      card('Final KL', formatNumber(lastOf(series.kl[0]?.name), 4), series.kl[0]?.name ?? 'no KL logged'),
      card(
        'Final KL coefficient',
        formatNumber(lastOf(series.klCoef[0]?.name), 4),
        series.klCoef[0]?.name ?? 'no coefficient logged',
      ),
    ].join('')}</div>`,
    '<h2 id="curves">Curves</h2>',
    steps.length === 0
      ? '<p class="muted">metrics.jsonl has no steps yet.</p>'
      : `<div class="charts">${charts.join('\n')}</div>`,
    missing.length > 0 && steps.length > 0
      ? `<p class="muted">Not in metrics.jsonl: ${escapeHtml(missing.join('; '))}.</p>`
      : '',
    '<h2 id="samples">Samples</h2>',
    `<h3>Best ${input.best.length}</h3>`,
    input.best.length === 0
      ? '<p class="muted">No scored rollout.</p>'
      : input.best.map((r, i) => rolloutDetails(r, `best #${i + 1}`)).join('\n'),
    `<h3>Worst ${input.worst.length}</h3>`,
    input.worst.length === 0
      ? '<p class="muted">No scored rollout.</p>'
      : input.worst.map((r, i) => rolloutDetails(r, `worst #${i + 1}`)).join('\n'),
    '<h2 id="stats">All stats</h2>',
    statRows.length === 0
      ? '<p class="muted">No stats.</p>'
      : table(['stat', 'steps', 'first', 'last', 'min', 'max'], statRows),
  ].join('\n');
  return page(`medrl run — ${path.basename(path.resolve(input.runDir))}`, body);
}

export interface RunReportOptions {
  /** Output file; default `<runDir>/report.html`. */
  out?: string;
  /** Best and worst samples shown. Default 5. */
  samples?: number;
  maxPoints?: number;
}

/** Reads a run directory and writes its report.html atomically; returns the file written. */
export async function writeRunReport(
  runDir: string,
  options: RunReportOptions = {},
): Promise<{ file: string; steps: number; rollouts: number; warnings: string[] }> {
  const metricsFile = path.join(runDir, 'metrics.jsonl');
  const rolloutsFile = path.join(runDir, 'rollouts.jsonl');
  const [hasMetrics, hasRollouts] = await Promise.all([pathExists(metricsFile), pathExists(rolloutsFile)]);
  if (!hasMetrics && !hasRollouts) {
    throw new MedrlError(
      `${runDir}: neither metrics.jsonl nor rollouts.jsonl found; pass the output directory of \`medrl train\``,
    );
  }
  const warnings: string[] = [];
  const torn = (where: string): void => {
    warnings.push(`${where}: skipped an incomplete last line (a run still writing, or one that crashed mid-line)`);
  };
  const steps = hasMetrics ? await readStepStats(metricsFile, torn) : [];
  const extremes = hasRollouts
    ? await readExtremeRollouts(rolloutsFile, options.samples ?? 5, torn)
    : { best: [], worst: [], count: 0, scored: 0 };
  const html = await renderRunReport({
    runDir,
    steps,
    best: extremes.best,
    worst: extremes.worst,
    rolloutCount: extremes.count,
    maxPoints: options.maxPoints,
    warnings,
  });
  const file = options.out ?? path.join(runDir, 'report.html');
  await writeFileAtomic(file, html);
  return { file, steps: steps.length, rollouts: extremes.count, warnings };
}
