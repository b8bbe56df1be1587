import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { outFlag } from '../cli/flags.js';
import { LineErrorReporter } from '../cli/line-errors.js';
import type { PrepareStats } from '../data/index.js';

export default class Prepare extends MedrlCommand {
  static override summary = 'Clean, de-identify, dedupe, classify and split raw medical QA JSONL.';
  static override description =
    'Clean, de-identify, dedupe, classify and split raw medical QA JSONL ({question, think, answer}, alpaca or ' +
    'chat messages) into train/dev/test, a gold set and a red-team set, with rejected.jsonl and stats.json.';
  static override examples = [
    '<%= config.bin %> prepare',
    '<%= config.bin %> prepare --input data/raw --out data/processed --seed 7',
    '<%= config.bin %> prepare --strict --json',
  ];
  static override flags = {
    input: Flags.string({
      char: 'i',
      description:
        'directory of *.jsonl files (searched recursively) or one .jsonl file [default: data.input, data/raw]',
      helpValue: '<dir>',
    }),
    out: outFlag({ description: 'output directory [default: data.processedDir, data/processed]', helpValue: '<dir>' }),
    seed: Flags.integer({ min: 0, description: 'seed of the split shuffle [default: data.seed, 42]' }),
    strict: Flags.boolean({ description: 'stop with exit code 1 at the first rejected line', default: false }),
  };

  async run(): Promise<PrepareStats> {
    const { flags } = await this.parse(Prepare);
    const [{ loadConfig }, { runPrepare }] = await Promise.all([
      import('../config/load.js'),
      import('../data/index.js'),
    ]);
    // Only the config is needed (no plugins); config paths resolve from its directory, flags from here.
    const { config, rootDir } = await loadConfig({ configPath: flags.config });
    const input = path.resolve(flags.input ?? path.resolve(rootDir, config.data.input));
    const errors = new LineErrorReporter((line) => process.stderr.write(`${line}\n`));
    const stats = await runPrepare({
      data: config.data,
      input,
      out: flags.out && path.resolve(flags.out),
      seed: flags.seed,
      strict: flags.strict,
      cwd: rootDir,
      // Always on stderr, --json or not, so that no dropped line goes unnoticed.
      onReject: (r) => {
        const file = path.relative(process.cwd(), input.endsWith('.jsonl') ? input : path.join(input, r.file));
        errors.report(`${file}:${r.line}`, `${r.reason}: ${r.detail}`, r.reason);
      },
    });
    errors.finish(
      `every rejected line is in ${path.relative(process.cwd(), stats.outputs.rejected) || stats.outputs.rejected}`,
    );
    this.logToStderr(formatPrepareSummary(stats));
    return stats;
  }
}

/** The human summary: per-file accounting, then the outputs. */
export function formatPrepareSummary(stats: PrepareStats): string {
  const rows = [...stats.files, { file: 'total', ...stats.totals }];
  const width = Math.max(...rows.map((r) => r.file.length), 4);
  const header = `${'file'.padEnd(width)}  ${'lines'.padStart(7)} ${'kept'.padStart(7)} ${'exact'.padStart(6)} ${'near'.padStart(6)} ${'rejected'.padStart(8)}`;
  const lines = rows.map(
    (r) =>
      `${r.file.padEnd(width)}  ${String(r.lines).padStart(7)} ${String(r.kept).padStart(7)} ` +
      `${String(r.duplicates.exact).padStart(6)} ${String(r.duplicates.near).padStart(6)} ${String(r.rejected).padStart(8)}`,
  );
  const s = stats.splits;
  return [
    header,
    ...lines,
    '',
    `train ${s.train}, dev ${s.dev}, test ${s.test}; gold_set ${s.gold_set}, red_team ${s.red_team} (from train)`,
    `risk: ${Object.entries(stats.distribution.risk_level)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `written to ${path.dirname(stats.outputs.stats)} in ${stats.durationMs} ms`,
  ].join('\n');
}
