/**
 * The evaluation `medrl train` runs when training finishes (`<algo>.final_eval`): the final model
 * and its starting model (the SFT start) answer the same held-out prompts — the eval split's first
 * prompts of each risk level, minus any whose text the RL prompts or the SFT records hold — with the `eval` section's
 * decoding, and the paired deltas with their intervals come back as a table for the terminal and in
 * `<output_dir>/eval/` (metrics.json, samples.jsonl, report.html).
 */
import path from 'node:path';
import type { RiskLevel } from '@medrl/sdk';
import type { finalEvalSchema } from '../config/sections/ppo.js';
import type { z } from 'zod';
import { dedupeText } from '../data/dedupe.js';
import { baseModelDir } from '../engine/embedded.js';
import { MedrlError } from '../errors.js';
import { pathExists } from '../io/atomic.js';
import type { Run } from '../runtime/run.js';
import { readPrompts } from '../train/prompts.js';
import { readSplits } from './dataset.js';
import { loadEngineGenerator } from './engine-generator.js';
import { deltaTable, formatDelta, type DeltaRow } from './delta-table.js';
import { evaluate, type EvalResult } from './evaluate.js';
import type { EvalItem } from './types.js';

export { deltaTable, formatDelta, type DeltaRow } from './delta-table.js';

export type FinalEvalSettings = z.output<typeof finalEvalSchema>;

const LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

/** The held-out items: the first `perLevel[level]` of each level, skipping prompts in `trained`. */
export function selectHeldOut(
  items: readonly EvalItem[],
  perLevel: Readonly<Record<RiskLevel, number>>,
  trained: ReadonlySet<string>,
): { items: EvalItem[]; excluded: number } {
  const taken: Record<string, number> = {};
  const out: EvalItem[] = [];
  let excluded = 0;
  for (const item of items) {
    const level = item.meta.risk_level;
    if (level === undefined || !LEVELS.includes(level)) continue;
    if ((taken[level] ?? 0) >= perLevel[level]) continue;
    if (trained.has(dedupeText(item.prompt))) {
      excluded += 1;
      continue;
    }
    taken[level] = (taken[level] ?? 0) + 1;
    out.push(item);
  }
  return { items: out, excluded };
}

export interface FinalEvalResult {
  outDir: string;
  files: EvalResult['files'];
  prompts: number;
  /** Held-out prompts skipped because the run trained on the same text. */
  excluded: number;
  rows: DeltaRow[];
  seconds: number;
}

/**
 * Evaluates `finalModelDir` against `startModelDir` after training. `trainedPromptsFile` is the RL
 * prompt file (its prompts are never evaluated). Undefined, with a warning, when the held-out split
 * does not exist.
 */
export async function runFinalEval(
  run: Run,
  options: {
    settings: FinalEvalSettings;
    finalModelDir: string;
    startModelDir: string;
    trainedPromptsFile: string;
    outputDir: string;
  },
): Promise<FinalEvalResult | undefined> {
  const t0 = performance.now();
  const { config, rootDir, logger } = run;
  const evalConfig = config.eval;
  const dataDir = path.resolve(rootDir, evalConfig.dataDir);
  const split = evalConfig.heldOutSplit;
  const splitFile = path.join(dataDir, `${split}.jsonl`);
  if (!(await pathExists(splitFile))) {
    // Training itself succeeded; a project without prepared splits just gets no comparison.
    logger.warn(`final eval skipped: ${splitFile} not found (run \`medrl prepare\`, or pass --no-final-eval)`);
    return undefined;
  }
  const all = await readSplits(dataDir, [split], {
    highRiskLevels: evalConfig.highRiskLevels,
    heldOutSplit: split,
  });
  // Held out means held out from both stages: the RL prompts and the SFT records (a question can
  // recur in another split with a different answer).
  const trained = new Set<string>();
  for (const file of [options.trainedPromptsFile, path.resolve(rootDir, config.sft.train_file)]) {
    if (!(await pathExists(file))) continue;
    for (const p of await readPrompts(file)) trained.add(dedupeText(p.prompt));
  }
  const { items, excluded } = selectHeldOut(all, options.settings.prompts_per_risk_level, trained);
  if (items.length === 0) {
    throw new MedrlError(
      `final eval: no prompts of the wanted risk levels in ${path.join(dataDir, `${split}.jsonl`)} (set ${'final_eval.prompts_per_risk_level'})`,
    );
  }
  logger.info(
    `final eval: ${items.length} held-out prompts of ${split} (${excluded} skipped: in the RL prompts or SFT records), model vs its start`,
  );
  const configured = config.model.path;
  const base = baseModelDir(configured && path.resolve(rootDir, configured));
  const load = (dir: string) =>
    loadEngineGenerator(dir, {
      backend: config.engine.backend,
      threads: config.engine.threads,
      // As training loaded the start model: an adapter's declared base first, model.path if it is not on disk.
      fallbackBase: base,
      logger,
      sampling: { ...evalConfig.generation },
    });
  const outDir = path.join(options.outputDir, 'eval');
  const model = await load(options.finalModelDir);
  const baseline = await load(options.startModelDir);
  const result = await evaluate({
    items,
    model,
    baseline,
    scorer: run.composer,
    settings: { ...evalConfig, splits: [split] },
    outDir,
    logger,
    signal: run.context.signal,
  });
  await run.hooks.emit('evalEnd', { outDir, metrics: result.metrics as unknown as Record<string, unknown> });
  return {
    outDir,
    files: result.files,
    prompts: items.length,
    excluded,
    rows: deltaTable(result),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The before/after table: start model, final model, paired delta with its interval. */
export function formatFinalEval(result: FinalEvalResult): string {
  const f = formatDelta;
  const lines = [
    `final eval (${result.seconds.toFixed(0)}s): start model -> final model on ${result.prompts} held-out prompts` +
      (result.excluded > 0 ? ` (${result.excluded} skipped: trained on)` : ''),
  ];
  let group = '';
  for (const row of result.rows) {
    if (row.group !== group) lines.push(`  ${(group = row.group)}`);
    const ci =
      row.delta.lo !== null && row.delta.hi !== null
        ? ` [${f(row.metric, row.delta.lo, true)}, ${f(row.metric, row.delta.hi, true)}]`
        : '';
    const baseline = row.metric === 'kl_to_baseline' ? '' : `${f(row.metric, row.baseline.value)} -> `;
    const delta = row.metric === 'kl_to_baseline' ? '' : `  Δ ${f(row.metric, row.delta.value, true)}${ci}`;
    lines.push(`    ${row.label.padEnd(26)} ${baseline}${f(row.metric, row.model.value)}${delta}`);
  }
  lines.push(`  eval report: ${result.files.report}`);
  return lines.join('\n');
}
