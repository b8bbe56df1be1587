import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { outFlag } from '../cli/flags.js';

export default class Report extends MedrlCommand {
  static override summary = 'Write a self-contained report.html for a training run.';
  static override description =
    'Write a self-contained report.html for a training run from its metrics.jsonl and rollouts.jsonl: reward and each component, KL and its coefficient, losses and response length over the steps, and the best and worst samples with their breakdowns.';

  static override examples = [
    '<%= config.bin %> report models/rl',
    '<%= config.bin %> report models/rl --out reports/run-1.html --samples 10',
  ];

  static override args = {
    runDir: Args.string({
      description: 'output directory of `medrl train` (holds metrics.jsonl and rollouts.jsonl)',
      required: true,
    }),
  };

  static override flags = {
    out: outFlag({
      description: 'report file, written atomically [default: <run-dir>/report.html]',
      helpValue: '<file>',
    }),
    samples: Flags.integer({ description: 'best and worst samples shown', default: 5, min: 0, max: 100 }),
  };

  async run(): Promise<{ file: string; steps: number; rollouts: number; warnings: string[] }> {
    const { args, flags } = await this.parse(Report);
    const { writeRunReport } = await import('../report/run-report.js');
    const runDir = path.resolve(args.runDir);
    const result = await writeRunReport(runDir, {
      out: flags.out !== undefined ? path.resolve(flags.out) : undefined,
      samples: flags.samples,
    });
    for (const warning of result.warnings) this.logToStderr(`warning: ${warning}`);
    if (!this.jsonEnabled()) this.log(`wrote ${result.file} (${result.steps} steps, ${result.rollouts} rollouts)`);
    return result;
  }
}
