/**
 * `runPrepareRl`: RL training prompts from the outputs of `medrl prepare`. The red_team pool is
 * repeated `oversampleK` times, the gold_set pool is added once, and train records are sampled until
 * the output holds `targetSize` prompts, choosing high and critical ones so that their share of the
 * whole output approaches `highRiskRatio`. `targetSize` is a hard cap: when red-team copies and gold
 * alone exceed it, every red-team prompt is kept once before gold and before further copies. Prompts are deduplicated by their text (instruction and
 * input): a prompt already taken from an earlier pool is skipped; only the explicit red-team copies
 * repeat. Every choice is seeded, so the same inputs and seed give the same file.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Logger, RiskLevel, Sample, SampleMeta } from '@medrl/sdk';
import { dataSchema, type DataConfig, type DataConfigInput, readLineBatches } from '@medrl/core';
import { splitThink } from './clean.js';
import { RISK_ORDER } from './classify.js';
import { dedupeText } from './dedupe.js';
import { DataError } from './errors.js';
import { writeFileAtomic } from '@medrl/sdk/io';
import { createRng, shuffleInPlace } from './rng.js';

export type RlPool = 'red_team' | 'gold_set' | 'train';

/** One line of training_prompts.jsonl. */
export interface RlPrompt {
  /** The sample id; red-team copies after the first get `#2`, `#3`, ... */
  id: string;
  /** The user's question: instruction, then input (context) after a blank line when there is one. */
  prompt: string;
  meta: SampleMeta & {
    /** The prepared answer without its reasoning, for reference-based rewards. */
    reference: string;
    pool: RlPool;
    /** 1..k for red-team copies. */
    copy?: number;
    source?: string;
    complexity?: string;
  };
}

export interface PrepareRlOptions {
  /** The `data` config section; missing fields take their defaults. */
  data?: DataConfigInput;
  /** Directory with train.jsonl, gold_set.jsonl and red_team.jsonl. Overrides `data.processedDir`. */
  processedDir?: string;
  /** Output file. Overrides `data.rl.out`. */
  out?: string;
  seed?: number;
  oversampleK?: number;
  highRiskRatio?: number;
  targetSize?: number;
  /** Base of relative paths. Default: the working directory. */
  cwd?: string;
  logger?: Logger;
}

export interface PrepareRlStats {
  out: string;
  total: number;
  /** Prompts per pool (red_team counts every copy). */
  byPool: Record<RlPool, number>;
  byRiskLevel: Record<RiskLevel, number>;
  byCategory: Record<string, number>;
  /** Share of high and critical prompts in the output. */
  highRiskShare: number;
  /** Prompts skipped because an earlier pool already had the same prompt text. */
  duplicatesSkipped: number;
  seed: number;
}

const HIGH_RANK = RISK_ORDER.indexOf('high');

function promptOf(sample: Sample): string {
  return sample.input ? `${sample.instruction}\n\n${sample.input}` : sample.instruction;
}

function toPrompt(sample: Sample, pool: RlPool, copy?: number): RlPrompt {
  const { quality: _quality, format: _format, is_deidentified: _deid, ...meta } = sample.meta;
  return {
    id: copy !== undefined && copy > 1 ? `${sample.id}#${copy}` : sample.id,
    prompt: promptOf(sample),
    meta: { ...meta, reference: splitThink(sample.output).answer.trim(), pool, ...(copy ? { copy } : {}) },
  };
}

function isHighRisk(meta: SampleMeta): boolean {
  return RISK_ORDER.indexOf(meta.risk_level ?? 'low') >= HIGH_RANK;
}

/** Reads a prepared JSONL file; a malformed line is an error naming the file and line. */
async function readSamples(file: string, onSample: (sample: Sample) => void): Promise<void> {
  try {
    await access(file);
  } catch {
    throw new DataError(`${file} does not exist: run \`medrl prepare\` first (or set --processed)`);
  }
  for await (const batch of readLineBatches(file, Number.MAX_SAFE_INTEGER)) {
    for (const line of batch) {
      const text = line.bytes.toString('utf8').trim();
      if (text === '') continue;
      let sample: Sample;
      try {
        sample = JSON.parse(text) as Sample;
      } catch (error) {
        throw new DataError(`${file}:${line.number}: invalid JSON: ${(error as Error).message}`);
      }
      if (typeof sample?.id !== 'string' || typeof sample.instruction !== 'string' || typeof sample.meta !== 'object') {
        throw new DataError(`${file}:${line.number}: not a prepared record (needs id, instruction, output, meta)`);
      }
      onSample(sample);
    }
  }
}

export function resolvePrepareRlConfig(options: PrepareRlOptions): {
  config: DataConfig;
  processedDir: string;
  out: string;
} {
  const parsed = dataSchema.safeParse(options.data ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `data.${issue.path.join('.')}: ${issue.message}`);
    throw new DataError(`invalid data config:\n  - ${issues.join('\n  - ')}`);
  }
  const base = parsed.data;
  const rl = {
    ...base.rl,
    oversampleK: options.oversampleK ?? base.rl.oversampleK,
    highRiskRatio: options.highRiskRatio ?? base.rl.highRiskRatio,
    targetSize: options.targetSize ?? base.rl.targetSize,
  };
  const checked = dataSchema.shape.rl.safeParse(rl);
  if (!checked.success) {
    throw new DataError(`invalid prepare-rl option: ${checked.error.issues.map((i) => `${i.path}: ${i.message}`)}`);
  }
  const config: DataConfig = { ...base, seed: options.seed ?? base.seed, rl: checked.data };
  const cwd = options.cwd ?? process.cwd();
  return {
    config,
    processedDir: path.resolve(cwd, options.processedDir ?? config.processedDir),
    out: path.resolve(cwd, options.out ?? config.rl.out),
  };
}

export async function runPrepareRl(options: PrepareRlOptions = {}): Promise<PrepareRlStats> {
  const { config, processedDir, out } = resolvePrepareRlConfig(options);
  const { oversampleK, highRiskRatio, targetSize, order } = config.rl;
  const rng = createRng(config.seed, 'prepare-rl');
  const seen = new Set<string>();
  const chosen: RlPrompt[] = [];
  let duplicatesSkipped = 0;
  const take = (sample: Sample): boolean => {
    const key = dedupeText(promptOf(sample));
    if (seen.has(key)) {
      duplicatesSkipped += 1;
      return false;
    }
    seen.add(key);
    return true;
  };

  // Red team k times, then gold once; both pools are small (subsets of train). When they alone exceed
  // the target, the first copy of every red-team prompt comes first, then gold, then further copies,
  // each group in seeded order, and the sequence is cut at the target.
  const red: Sample[] = [];
  const gold: Sample[] = [];
  // With k = 0 the red team is not a pool of its own: its records stay in train's sampling.
  if (oversampleK > 0) {
    await readSamples(path.join(processedDir, 'red_team.jsonl'), (sample) => {
      if (take(sample)) red.push(sample);
    });
  }
  await readSamples(path.join(processedDir, 'gold_set.jsonl'), (sample) => {
    if (take(sample)) gold.push(sample);
  });
  const byId = (a: Sample, b: Sample) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  shuffleInPlace(red.sort(byId), rng);
  shuffleInPlace(gold.sort(byId), rng);
  const sequence: RlPrompt[] = [];
  sequence.push(...red.map((sample) => toPrompt(sample, 'red_team', 1)));
  sequence.push(...gold.map((sample) => toPrompt(sample, 'gold_set')));
  for (let copy = 2; copy <= oversampleK; copy++) sequence.push(...red.map((sample) => toPrompt(sample, 'red_team', copy)));
  if (sequence.length > targetSize) {
    options.logger?.warn(
      `red_team x ${oversampleK} and gold_set hold ${sequence.length} prompts, more than the target of ` +
        `${targetSize}: keeping ${targetSize} (every red-team prompt once first, then gold, then more copies)`,
    );
  }
  chosen.push(...sequence.slice(0, targetSize));

  // Train: first pass keeps only ids and risk, so a large train file is never held in memory.
  const highPool: string[] = [];
  const otherPool: string[] = [];
  const trainFile = path.join(processedDir, 'train.jsonl');
  await readSamples(trainFile, (sample) => {
    if (seen.has(dedupeText(promptOf(sample)))) return;
    (isHighRisk(sample.meta) ? highPool : otherPool).push(sample.id);
  });
  const remaining = Math.max(0, targetSize - chosen.length);
  const highSoFar = chosen.filter((p) => isHighRisk(p.meta)).length;
  const wantHigh = Math.min(remaining, Math.max(0, Math.round(highRiskRatio * targetSize) - highSoFar));
  const nOther = Math.min(remaining - Math.min(wantHigh, highPool.length), otherPool.length);
  // When the other pool runs short, more high-risk records fill the target (and vice versa above).
  const nHigh = Math.min(highPool.length, remaining - nOther);
  const picked = new Set([
    ...shuffleInPlace(highPool.sort(), rng).slice(0, nHigh),
    ...shuffleInPlace(otherPool.sort(), rng).slice(0, nOther),
  ]);
  await readSamples(trainFile, (sample) => {
    if (picked.has(sample.id) && take(sample)) chosen.push(toPrompt(sample, 'train'));
  });

  // Order: most severe first, seeded shuffle within each level (copies of one prompt spread out).
  const ordered = shuffleInPlace(
    chosen.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    rng,
  );
  if (order === 'risk_first') {
    const rank = (p: RlPrompt) => RISK_ORDER.indexOf(p.meta.risk_level ?? 'low');
    ordered.sort((a, b) => rank(b) - rank(a)); // stable: keeps the shuffle within a level
  }
  await writeFileAtomic(out, ordered.map((p) => JSON.stringify(p)).join('\n') + (ordered.length ? '\n' : ''));

  const stats: PrepareRlStats = {
    out,
    total: ordered.length,
    byPool: { red_team: 0, gold_set: 0, train: 0 },
    byRiskLevel: { critical: 0, high: 0, medium: 0, low: 0 },
    byCategory: {},
    highRiskShare: 0,
    duplicatesSkipped,
    seed: config.seed,
  };
  for (const p of ordered) {
    stats.byPool[p.meta.pool] += 1;
    stats.byRiskLevel[p.meta.risk_level ?? 'low'] += 1;
    for (const category of p.meta.risk_categories ?? []) stats.byCategory[category] = (stats.byCategory[category] ?? 0) + 1;
  }
  stats.byCategory = Object.fromEntries(Object.entries(stats.byCategory).sort(([a], [b]) => (a < b ? -1 : 1)));
  stats.highRiskShare = ordered.length ? (stats.byRiskLevel.high + stats.byRiskLevel.critical) / ordered.length : 0;
  return stats;
}
