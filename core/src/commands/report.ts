import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { outFlag } from '../cli/flags.js';

export default class Report extends MedrlCommand {
  static override summary = 'Write a self-contained report.html for a training run.';
  static override description =
    'Write a self-contained report.html for a training run from its metrics.jsonl and rollouts.jsonl: reward and each component, KL and its coefficient, losses and response length over the steps, and the best and worst samples with their breakdowns. For an SFT run (sft_metrics.jsonl): loss, eval loss, learning rate and gradient norm. Charts are interactive (hover values, smoothing) and can overlay earlier runs.';

  static override examples = [
    '<%= config.bin %> report models/rl',
    '<%= config.bin %> report models/rl --out reports/run-1.html --samples 10',
    '<%= config.bin %> report models/lora',
    '<%= config.bin %> report models/rl --compare all',
    '<%= config.bin %> report models/rl --watch',
  ];

  static override args = {
    runDir: Args.string({
      description:
        'output directory of `medrl train` (metrics.jsonl, rollouts.jsonl) or `medrl sft` (sft_metrics.jsonl)',
      required: true,
    }),
  };

  static override flags = {
    out: outFlag({
      description: 'report file, written atomically [default: <run-dir>/report.html]',
      helpValue: '<file>',
    }),
    samples: Flags.integer({ description: 'best and worst samples shown', default: 5, min: 0, max: 100 }),
    compare: Flags.string({
      multiple: true,
      description: 'overlay another run: a name under <run-dir>/runs/, a run directory, or "all" (repeatable)',
      helpValue: '<run>',
    }),
    watch: Flags.boolean({
      default: false,
      description: 're-render whenever the run writes, until it ends or Ctrl-C (the page reloads itself meanwhile)',
    }),
    interval: Flags.integer({ description: 'with --watch: seconds between looks at the files', default: 2, min: 1 }),
  };

  async run(): Promise<{ file: string; steps: number; rollouts: number; warnings: string[] }> {
    const { args, flags } = await this.parse(Report);
    const [{ writeRunReport }, { watchRunReport }] = await Promise.all([
      import('../report/run-report.js'),
      import('../report/watch.js'),
    ]);
    const runDir = path.resolve(args.runDir);
    const options = {
      out: flags.out !== undefined ? path.resolve(flags.out) : undefined,
      samples: flags.samples,
      compare: flags.compare ?? [],
    };
    if (flags.watch) {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      let last: Awaited<ReturnType<typeof writeRunReport>> | undefined;
      try {
        await watchRunReport(runDir, {
          ...options,
          intervalSeconds: flags.interval,
          signal: controller.signal,
          onRender: (r) => {
            last = r;
            if (!this.jsonEnabled())
              this.logToStderr(
                `${new Date().toLocaleTimeString()} wrote ${r.file} (${r.steps} rows${r.status ? `, run ${r.status}` : ''})`,
              );
          },
        });
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      }
      return {
        file: last?.file ?? '',
        steps: last?.steps ?? 0,
        rollouts: last?.rollouts ?? 0,
        warnings: last?.warnings ?? [],
      };
    }
    const result = await writeRunReport(runDir, options);
    for (const warning of result.warnings) this.logToStderr(`warning: ${warning}`);
    if (!this.jsonEnabled()) this.log(`wrote ${result.file} (${result.steps} steps, ${result.rollouts} rollouts)`);
    return result;
  }
}
