import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { outFlag } from '../cli/flags.js';
import type { PrepareRlStats } from '../data/index.js';

export default class PrepareRl extends MedrlCommand {
  static override summary = 'Build the RL training prompts from `medrl prepare` outputs, high-risk first.';
  static override description =
    'Build RL training prompts from `medrl prepare` outputs: red_team oversampled k times, the gold set, and train ' +
    'records sampled towards a high-risk share up to a target size; deduplicated by prompt; seeded.';
  static override examples = [
    '<%= config.bin %> prepare-rl',
    '<%= config.bin %> prepare-rl --out data/rl/training_prompts.jsonl --k 2 --high-risk-ratio 0.5 --target-size 5000',
  ];
  static override flags = {
    processed: Flags.string({
      char: 'p',
      description: 'directory written by `medrl prepare` [default: data.processedDir, data/processed]',
      helpValue: '<dir>',
    }),
    out: outFlag({
      description: 'output JSONL [default: data.rl.out, data/rl/training_prompts.jsonl]',
      helpValue: '<jsonl>',
    }),
    seed: Flags.integer({ min: 0, description: 'sampling seed [default: data.seed, 42]' }),
    k: Flags.integer({ min: 0, description: 'copies of each red_team prompt [default: data.rl.oversampleK, 3]' }),
    'high-risk-ratio': Flags.string({
      description: 'target share of high and critical prompts, 0..1 [default: data.rl.highRiskRatio, 0.4]',
      helpValue: '<ratio>',
    }),
    'target-size': Flags.integer({ min: 0, description: 'prompts to reach [default: data.rl.targetSize, 2000]' }),
  };

  async run(): Promise<PrepareRlStats> {
    const { flags } = await this.parse(PrepareRl);
    const [{ loadConfig }, { createLogger }, { runPrepareRl }] = await Promise.all([
      import('../config/load.js'),
      import('../logging.js'),
      import('../data/index.js'),
    ]);
    const { config, rootDir } = await loadConfig({ configPath: flags.config });
    const ratio = flags['high-risk-ratio'] === undefined ? undefined : Number(flags['high-risk-ratio']);
    const stats = await runPrepareRl({
      data: config.data,
      processedDir: flags.processed && path.resolve(flags.processed),
      out: flags.out && path.resolve(flags.out),
      seed: flags.seed,
      oversampleK: flags.k,
      highRiskRatio: ratio,
      targetSize: flags['target-size'],
      cwd: rootDir,
      logger: createLogger('prepare-rl'),
    });
    this.logToStderr(formatRlSummary(stats));
    return stats;
  }
}

/** The distribution by risk level and category, as the issue asks `prepare-rl` to print. */
export function formatRlSummary(stats: PrepareRlStats): string {
  const pct = (n: number) => `${((100 * n) / Math.max(stats.total, 1)).toFixed(1)}%`;
  const table = (title: string, counts: Record<string, number>) => [
    title,
    ...Object.entries(counts).map(([k, v]) => `  ${k.padEnd(22)} ${String(v).padStart(6)}  ${pct(v).padStart(6)}`),
  ];
  return [
    `${stats.total} prompts -> ${stats.out}`,
    `pools: red_team ${stats.byPool.red_team}, gold_set ${stats.byPool.gold_set}, train ${stats.byPool.train}; ` +
      `${stats.duplicatesSkipped} duplicate prompts skipped`,
    ...table('risk level', stats.byRiskLevel),
    ...table('risk category', stats.byCategory),
    `high + critical: ${pct(stats.byRiskLevel.high + stats.byRiskLevel.critical)}`,
  ].join('\n');
}
