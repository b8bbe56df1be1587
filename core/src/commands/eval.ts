import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { engineOverrides, threadsFlag } from '../cli/engine-flags.js';
import { MedrlError } from '../errors.js';
import { readSplits } from '../eval/dataset.js';
import { loadEngineGenerator } from '../eval/engine-generator.js';
import { evaluate } from '../eval/evaluate.js';
import { FixtureAnswers, type AnswerGenerator } from '../eval/generator.js';
import type { GroupMetrics } from '../eval/metrics.js';
import { formatDelta, formatMetric } from '../report/eval-report.js';
import type { Run } from '../runtime/run.js';

/** What `--json` prints: where the files are and the headline numbers. */
export interface EvalCommandResult {
  outDir: string;
  files: { metrics: string; samples: string; report: string };
  prompts: number;
  overall: GroupMetrics['model'];
  heldOutHighRisk?: GroupMetrics['model'];
  delta?: GroupMetrics['delta'];
}

export default class Eval extends MedrlCommand {
  static override description =
    'Evaluate a model on the processed splits: answers scored with the configured reward and the safety metrics (think, urgent and risky-prescription coverage), per split, risk level, risk category and specialty, with bootstrap intervals and an optional baseline; writes metrics.json, samples.jsonl and report.html.';

  static override examples = [
    '<%= config.bin %> eval --model-path models/rl/final_rl_model',
    '<%= config.bin %> eval --model-path models/rl/final_rl_model --baseline models/lora/final_lora --limit 50',
    '<%= config.bin %> eval --answers answers.jsonl --baseline-answers baseline.jsonl --splits test,red_team --out eval_report',
  ];

  static override flags = {
    'model-path': Flags.string({
      description: 'model directory to evaluate: a Hugging Face checkpoint or LoRA adapters (adapter_config.json)',
      helpValue: '<dir>',
      exactlyOne: ['model-path', 'answers'],
    }),
    answers: Flags.string({
      description: 'evaluate answers already generated: JSONL of {id, split?, completion} (instead of --model-path)',
      helpValue: '<jsonl>',
    }),
    baseline: Flags.string({
      description: 'baseline model directory to compare with',
      helpValue: '<dir>',
      exclusive: ['baseline-answers'],
    }),
    'baseline-answers': Flags.string({
      description: 'baseline answers as JSONL of {id, split?, completion}',
      helpValue: '<jsonl>',
    }),
    'base-model': Flags.string({
      description:
        "base model directory of LoRA adapter directories (default: the adapter config's base, then model.path)",
      helpValue: '<dir>',
    }),
    splits: Flags.string({
      description: 'comma-separated splits (default eval.splits: test,gold_set,red_team)',
      helpValue: '<list>',
    }),
    limit: Flags.integer({
      description: 'at most N prompts per split (default eval.limit: all)',
      min: 1,
      helpValue: '<n>',
    }),
    out: Flags.string({
      char: 'o',
      description: 'output directory (default eval.outDir: eval_report)',
      helpValue: '<dir>',
    }),
    'data-dir': Flags.string({
      description: 'processed data directory (default eval.dataDir: data/processed)',
      helpValue: '<dir>',
    }),
    threads: threadsFlag,
  };

  async run(): Promise<EvalCommandResult> {
    const { flags } = await this.parse(Eval);
    const cwd = process.cwd();
    const overrides: Record<string, unknown> = {};
    if (flags.splits !== undefined) {
      overrides.splits = flags.splits
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
    if (flags.limit !== undefined) overrides.limit = flags.limit;
    // Flag paths are relative to the working directory; config paths to the config file.
    if (flags.out !== undefined) overrides.outDir = path.resolve(cwd, flags.out);
    if (flags['data-dir'] !== undefined) overrides.dataDir = path.resolve(cwd, flags['data-dir']);
    const run = await this.openRun('eval', {
      ...(Object.keys(overrides).length > 0 ? { eval: overrides } : {}),
      ...engineOverrides(flags),
    });
    const settings = run.config.eval;
    const outDir = path.resolve(run.rootDir, settings.outDir);

    const items = await readSplits(path.resolve(run.rootDir, settings.dataDir), settings.splits, {
      limit: settings.limit ?? undefined,
      highRiskLevels: settings.highRiskLevels,
      heldOutSplit: settings.heldOutSplit,
    });
    const model = await this.generator(run, flags['model-path'], flags.answers, flags['base-model']);
    const baseline =
      flags.baseline !== undefined || flags['baseline-answers'] !== undefined
        ? await this.generator(run, flags.baseline, flags['baseline-answers'], flags['base-model'], 'baseline')
        : undefined;

    const result = await evaluate({
      items,
      model,
      baseline,
      scorer: run.composer,
      settings,
      outDir,
      logger: run.logger,
      signal: run.context.signal,
    });
    await run.hooks.emit('evalEnd', { outDir, metrics: result.metrics as unknown as Record<string, unknown> });

    const overall = result.metrics.groups.find((g) => g.dimension === 'overall')!;
    const heldOut = result.metrics.groups.find((g) => g.dimension === 'held_out_high_risk');
    if (!this.jsonEnabled()) {
      for (const group of [overall, ...(heldOut ? [heldOut] : [])]) {
        const line = result.metrics.metrics
          .filter((m) => !m.name.startsWith('reward/'))
          .map((m) => {
            const e = group.model[m.name]!;
            const delta = group.delta?.[m.name];
            return `${m.name} ${formatMetric(m.name, e.value)}${delta && delta.value !== null ? ` (Δ ${formatDelta(m.name, delta.value)})` : ''}`;
          })
          .join(', ');
        this.log(`${group.dimension === 'overall' ? 'all prompts' : group.key} (n=${group.n}): ${line}`);
      }
      this.log(`wrote ${result.files.metrics}, ${result.files.samples}, ${result.files.report}`);
    }
    return {
      outDir,
      files: result.files,
      prompts: result.samples.length,
      overall: overall.model,
      ...(heldOut ? { heldOutHighRisk: heldOut.model } : {}),
      ...(overall.delta ? { delta: overall.delta } : {}),
    };
  }

  /** A model directory through the engine, or an answers file. */
  private async generator(
    run: Run,
    modelDir: string | undefined,
    answersFile: string | undefined,
    baseModel: string | undefined,
    role = 'model',
  ): Promise<AnswerGenerator> {
    const cwd = process.cwd();
    if (answersFile !== undefined) return FixtureAnswers.fromFile(path.resolve(cwd, answersFile));
    if (modelDir === undefined)
      throw new MedrlError(`no ${role}: pass --${role === 'model' ? 'model-path' : 'baseline'} or the answers file`);
    const configBase =
      run.config.model.path !== undefined ? path.resolve(run.rootDir, run.config.model.path) : undefined;
    const { generation } = run.config.eval;
    return loadEngineGenerator(path.resolve(cwd, modelDir), {
      backend: run.config.engine.backend,
      threads: run.config.engine.threads,
      baseModel: baseModel !== undefined ? path.resolve(cwd, baseModel) : configBase,
      logger: run.logger,
      sampling: {
        maxNewTokens: generation.maxNewTokens,
        temperature: generation.temperature,
        topP: generation.topP,
        seed: generation.seed,
      },
    });
  }
}
