import { existsSync } from 'node:fs';
import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { modelPathFlag, outFlag } from '../cli/flags.js';
import { engineOverrides, threadsFlag } from '../cli/engine-flags.js';
import { MedrlError } from '../errors.js';
import type { AnswerGenerator } from '../eval/generator.js';
import type { GroupMetrics } from '../eval/metrics.js';
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
  static override summary = 'Evaluate a model (or answers) on the processed splits: reward and safety metrics.';
  static override description =
    'Evaluate a model on the processed splits: answers scored with the configured reward and the safety metrics (think, urgent and risky-prescription coverage), per split, risk level, risk category and specialty, with bootstrap intervals and an optional baseline; writes metrics.json, samples.jsonl and report.html.';

  static override examples = [
    '<%= config.bin %> eval --limit 20',
    '<%= config.bin %> eval --model-path models/rl/checkpoints/final_rl_model --baseline models/lora/final_lora --limit 50',
    '<%= config.bin %> eval --answers answers.jsonl --baseline-answers baseline.jsonl --splits test,red_team --out eval_report',
  ];

  static override flags = {
    'model-path': modelPathFlag(
      'model directory to evaluate: a Hugging Face checkpoint or LoRA adapters (adapter_config.json) ' +
        "[default: `medrl train`'s final model, <output.output_dir>/checkpoints/final_rl_model]",
      { exclusive: ['answers'] },
    ),
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
      description: 'comma-separated splits [default: eval.splits, test,gold_set,red_team]',
      helpValue: '<list>',
    }),
    limit: Flags.integer({
      description: 'at most N prompts per split [default: eval.limit, null = all]',
      min: 1,
      helpValue: '<n>',
    }),
    out: outFlag({ description: 'output directory [default: eval.outDir, eval_report]', helpValue: '<dir>' }),
    'data-dir': Flags.string({
      description: 'processed data directory [default: eval.dataDir, data/processed]',
      helpValue: '<dir>',
    }),
    threads: threadsFlag,
  };

  async run(): Promise<EvalCommandResult> {
    const { flags } = await this.parse(Eval);
    const [{ readSplits }, { evaluate }, { formatDelta, formatMetric }] = await Promise.all([
      import('../eval/dataset.js'),
      import('../eval/evaluate.js'),
      import('../report/eval-report.js'),
    ]);
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

    // The model first: on a fresh clone, `medrl train` (which also prepares the data) is what to run.
    const model = await this.generator(run, flags['model-path'], flags.answers, flags['base-model']);
    const baseline =
      flags.baseline !== undefined || flags['baseline-answers'] !== undefined
        ? await this.generator(run, flags.baseline, flags['baseline-answers'], flags['base-model'], 'baseline')
        : undefined;
    const items = await readSplits(path.resolve(run.rootDir, settings.dataDir), settings.splits, {
      limit: settings.limit ?? undefined,
      highRiskLevels: settings.highRiskLevels,
      heldOutSplit: settings.heldOutSplit,
    });

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
    if (answersFile !== undefined) {
      const { FixtureAnswers } = await import('../eval/generator.js');
      return FixtureAnswers.fromFile(path.resolve(cwd, answersFile));
    }
    const { FINAL_DIR } = await import('../train/checkpoint-state.js');
    const trainOutput = path.resolve(run.rootDir, run.config.output.output_dir);
    // Without --model-path: the model `medrl train` wrote last.
    const dir = modelDir !== undefined ? path.resolve(cwd, modelDir) : path.join(trainOutput, 'checkpoints', FINAL_DIR);
    if (!existsSync(dir)) {
      const sftOutput = path.resolve(run.rootDir, run.config.sft.output_dir);
      const first = isInside(dir, trainOutput)
        ? 'run `medrl train` first (it writes its final model there)'
        : isInside(dir, sftOutput)
          ? 'run `medrl sft` first'
          : 'check the path';
      const flag = role === 'model' ? '--model-path' : '--baseline';
      throw new MedrlError(
        `no ${role} at ${path.relative(cwd, dir) || '.'}: ${first}, or pass ${flag} <dir> or ${flag === '--model-path' ? '--answers' : '--baseline-answers'} <jsonl>`,
      );
    }
    const { loadEngineGenerator } = await import('../eval/engine-generator.js');
    const configBase =
      run.config.model.path !== undefined ? path.resolve(run.rootDir, run.config.model.path) : undefined;
    const { generation } = run.config.eval;
    return loadEngineGenerator(dir, {
      backend: run.config.engine.backend,
      threads: run.config.engine.threads,
      baseModel: baseModel !== undefined ? path.resolve(cwd, baseModel) : undefined,
      fallbackBase: configBase,
      logger: run.logger,
      sampling: { ...generation },
    });
  }
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
