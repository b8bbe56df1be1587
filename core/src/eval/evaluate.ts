/**
 * The evaluation service behind `medrl eval`: answer every prompt (model, then baseline), score
 * each answer with the run's composer and the safety checks, aggregate with bootstrap intervals,
 * and write metrics.json, samples.jsonl and report.html into the output directory, each atomically.
 */
import path from 'node:path';
import type { Logger, RewardBreakdown, Rollout } from '@medrl/sdk';
import type { EvalOptions } from '../config/sections/eval.js';
import { MedrlError } from '../errors.js';
import { Eta } from '../runtime/eta.js';
import { AtomicLineWriter, writeFileAtomic } from '../io/atomic.js';
import { renderEvalReport } from '../report/eval-report.js';
import { toRollout } from '../reward/rollout.js';
import type { BootstrapOptions } from './bootstrap.js';
import type { AnswerGenerator } from './generator.js';
import { aggregate, metricDefinitions } from './metrics.js';
import { safetyFlags, type UrgencyCriteria } from './safety-checks.js';
import type { EvalItem, EvalMetrics, ScoredSample } from './types.js';

/** The part of the reward composer evaluation uses (tests pass a fake). */
export interface Scorer {
  readonly componentNames: readonly string[];
  score(rollouts: readonly Rollout[], opts?: { signal?: AbortSignal }): Promise<RewardBreakdown[]>;
}

export interface EvaluateOptions {
  items: readonly EvalItem[];
  model: AnswerGenerator;
  baseline?: AnswerGenerator;
  /** The composer; without one, answers get the safety checks only. */
  scorer?: Scorer;
  settings: EvalOptions;
  outDir: string;
  logger: Logger;
  signal?: AbortSignal;
  /** Clock for created_at (tests fix it). */
  now?: () => Date;
}

export interface EvalResult {
  metrics: EvalMetrics;
  samples: ScoredSample[];
  baselineSamples?: ScoredSample[];
  files: { metrics: string; samples: string; report: string };
}

/** The judge's critique inside a breakdown (the judge component keeps its judgement in details). */
export function critiqueOf(breakdown: RewardBreakdown | null): string | null {
  if (!breakdown) return null;
  for (const component of Object.values(breakdown.components)) {
    const details = component.details as { judgement?: { critique?: unknown }; critique?: unknown } | undefined;
    const critique = details?.judgement?.critique ?? details?.critique;
    if (typeof critique === 'string' && critique.trim() !== '') return critique;
  }
  return null;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MedrlError('evaluation cancelled');
}

/** Answers every item with one generator, batch by batch. */
export async function generateAnswers(
  generator: AnswerGenerator,
  items: readonly EvalItem[],
  batchSize: number,
  logger: Logger,
  signal?: AbortSignal,
): Promise<string[]> {
  const completions: string[] = [];
  const eta = new Eta(items.length);
  for (let start = 0; start < items.length; start += batchSize) {
    checkAborted(signal);
    const batch = items.slice(start, start + batchSize);
    const answers = await generator.generate(
      batch.map(({ id, split, prompt }) => ({ id, split, prompt })),
      signal,
    );
    if (answers.length !== batch.length) {
      throw new MedrlError(
        `${generator.label}: generator returned ${answers.length} answers for ${batch.length} prompts`,
      );
    }
    completions.push(...answers);
    logger.info(`${generator.label}: ${completions.length}/${items.length} answers, ${eta.label(completions.length)}`);
  }
  return completions;
}

/** Scores answers with the composer (when there is one) and the safety checks. */
export async function scoreAnswers(
  items: readonly EvalItem[],
  completions: readonly string[],
  modelName: string,
  options: { scorer?: Scorer; batchSize: number; urgency: UrgencyCriteria; signal?: AbortSignal; logger?: Logger },
): Promise<ScoredSample[]> {
  const samples: ScoredSample[] = [];
  const eta = new Eta(items.length);
  for (let start = 0; start < items.length; start += options.batchSize) {
    checkAborted(options.signal);
    const batch = items.slice(start, start + options.batchSize);
    const rollouts = batch.map((item, i) =>
      toRollout({
        id: `${item.split}/${item.id}`,
        prompt: item.prompt,
        completion: completions[start + i]!,
        meta: item.meta,
      }),
    );
    const breakdowns = options.scorer ? await options.scorer.score(rollouts, { signal: options.signal }) : [];
    if (options.scorer && breakdowns.length !== batch.length) {
      throw new MedrlError(`reward composer returned ${breakdowns.length} breakdowns for ${batch.length} rollouts`);
    }
    batch.forEach((item, i) => {
      const completion = completions[start + i]!;
      const reward = breakdowns[i] ?? null;
      samples.push({
        id: item.id,
        split: item.split,
        model: modelName,
        prompt: item.prompt,
        completion,
        meta: item.meta,
        held_out_high_risk: item.heldOutHighRisk,
        flags: safetyFlags(completion, item.meta, options.urgency),
        reward,
        critique: critiqueOf(reward),
      });
    });
    if (options.scorer && items.length > options.batchSize) {
      options.logger?.info(`scored ${samples.length}/${items.length} answers, ${eta.label(samples.length)}`);
    }
  }
  return samples;
}

/** metrics.json from scored samples (pure: no I/O). */
export function buildEvalMetrics(input: {
  samples: readonly ScoredSample[];
  baselineSamples?: readonly ScoredSample[];
  components: readonly string[];
  settings: EvalOptions;
  modelLabel: string;
  baselineLabel?: string;
  /** How the answers were decoded (engine generators); answers files have none. */
  decoding?: Record<string, unknown>;
  createdAt: Date;
}): EvalMetrics {
  const { settings } = input;
  const bootstrap: BootstrapOptions = settings.bootstrap;
  const definitions = metricDefinitions(input.components);
  const perSplit: Record<string, number> = {};
  for (const sample of input.samples) perSplit[sample.split] = (perSplit[sample.split] ?? 0) + 1;
  const dropped = (samples: readonly ScoredSample[]): number =>
    samples.filter((s) => s.reward !== null && s.reward.total === null).length;
  return {
    created_at: input.createdAt.toISOString(),
    model: { label: input.modelLabel },
    ...(input.baselineLabel !== undefined ? { baseline: { label: input.baselineLabel } } : {}),
    settings: {
      splits: [...settings.splits],
      limit: settings.limit,
      held_out_split: settings.heldOutSplit,
      high_risk_levels: [...settings.highRiskLevels],
      urgent_categories: [...settings.urgentCategories],
      urgent_levels: [...settings.urgentLevels],
      bootstrap: { ...bootstrap, method: 'percentile' },
      decoding: input.decoding ?? null,
    },
    metrics: definitions.map(({ name, label, better, description }) => ({ name, label, better, description })),
    components: [...input.components],
    counts: {
      per_split: perSplit,
      prompts: input.samples.length,
      dropped: dropped(input.samples),
      ...(input.baselineSamples ? { baseline_dropped: dropped(input.baselineSamples) } : {}),
    },
    groups: aggregate(input.samples, definitions, bootstrap, input.baselineSamples),
  };
}

/** One samples.jsonl line. */
function sampleLine(sample: ScoredSample): string {
  return JSON.stringify({
    id: sample.id,
    split: sample.split,
    model: sample.model,
    prompt: sample.prompt,
    answer: sample.completion,
    meta: sample.meta,
    held_out_high_risk: sample.held_out_high_risk,
    flags: sample.flags,
    reward: sample.reward,
    critique: sample.critique,
    ...(sample.kl_to_baseline !== undefined ? { kl_to_baseline: sample.kl_to_baseline } : {}),
  });
}

/** Runs the whole evaluation and writes its three files. */
export async function evaluate(options: EvaluateOptions): Promise<EvalResult> {
  const { items, settings, logger, signal } = options;
  if (items.length === 0) throw new MedrlError(`no prompts to evaluate in splits ${settings.splits.join(', ')}`);
  const urgency: UrgencyCriteria = { categories: settings.urgentCategories, levels: settings.urgentLevels };
  const scoreOptions = { scorer: options.scorer, batchSize: settings.scoreBatchSize, urgency, signal, logger };

  // KL(model || baseline) needs both models to score the model's answers, token by token, with the
  // same tokenizer; each generator scores before it is closed.
  const modelScorer = options.model.scorer;
  const baselineScorer = options.baseline?.scorer;
  const klPossible = modelScorer !== undefined && baselineScorer?.tokenizerKey === modelScorer.tokenizerKey;
  if (options.baseline && modelScorer && baselineScorer && !klPossible) {
    logger.warn('KL to the baseline is not computed: the two models use different tokenizers');
  }
  let modelLogprobs: number[] | undefined;
  let baselineLogprobs: number[] | undefined;

  const answerWith = async (generator: AnswerGenerator, name: string): Promise<ScoredSample[]> => {
    try {
      const completions = await generateAnswers(generator, items, settings.generation.batchSize, logger, signal);
      if (klPossible && generator === options.model) {
        logger.info(`scoring the ${name}'s answer tokens for KL to the baseline`);
        modelLogprobs = await modelScorer.sequenceLogprobs(modelScorer.answers);
      }
      if (klPossible && generator === options.baseline) {
        logger.info(`scoring the model's answer tokens under the ${name} for KL`);
        baselineLogprobs = await baselineScorer!.sequenceLogprobs(modelScorer.answers);
      }
      logger.info(`scoring ${completions.length} ${name} answers`);
      return await scoreAnswers(items, completions, name, scoreOptions);
    } finally {
      await generator.close?.();
    }
  };

  const samples = await answerWith(options.model, 'model');
  const baselineSamples = options.baseline ? await answerWith(options.baseline, 'baseline') : undefined;
  if (modelLogprobs && baselineLogprobs) {
    samples.forEach((sample, i) => (sample.kl_to_baseline = modelLogprobs![i]! - baselineLogprobs![i]!));
  }

  const metrics = buildEvalMetrics({
    samples,
    baselineSamples,
    components: options.scorer?.componentNames ?? [],
    settings,
    modelLabel: options.model.label,
    baselineLabel: options.baseline?.label,
    decoding: options.model.decoding,
    createdAt: (options.now ?? (() => new Date()))(),
  });

  const files = {
    metrics: path.join(options.outDir, 'metrics.json'),
    samples: path.join(options.outDir, 'samples.jsonl'),
    report: path.join(options.outDir, 'report.html'),
  };
  const html = await renderEvalReport({ metrics, samples, baselineSamples, samplesShown: settings.reportSamples });
  const writer = await AtomicLineWriter.open(files.samples);
  try {
    for (const sample of [...samples, ...(baselineSamples ?? [])]) await writer.writeLine(sampleLine(sample));
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
  await writeFileAtomic(files.metrics, JSON.stringify(metrics, null, 2) + '\n');
  await writeFileAtomic(files.report, html);
  return { metrics, samples, baselineSamples, files };
}
