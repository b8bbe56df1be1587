import { Flags } from '@oclif/core';
import { ExitCodeError, MedrlCommand } from '../cli/base-command.js';
import { outFlag } from '../cli/flags.js';
import { LineErrorReporter } from '../cli/line-errors.js';
import { MedrlError } from '../errors.js';
import type { JudgeSummary } from '../judge/summary.js';

export default class Judge extends MedrlCommand {
  static override summary = 'Judge answers with an LLM judge (DeepSeek) or the offline mock judge.';
  static override description =
    'Judge answers with an LLM judge (DeepSeek) or the offline mock judge: one JSON line per input line with its ' +
    'judgement (or null and the reason), then a summary (means per dimension, failures, tokens, cost, cache hits).';
  static override examples = [
    '<%= config.bin %> judge --input data/processed/dev.jsonl --limit 100 --out judged.jsonl',
    '<%= config.bin %> judge --input answers.jsonl --judge mock',
    'DEEPSEEK_API_KEY=sk-... <%= config.bin %> judge --input answers.jsonl --judge deepseek --out judged.jsonl --json',
  ];
  static override flags = {
    input: Flags.string({
      char: 'i',
      required: true,
      description: 'JSONL of prepared samples {id, instruction, input, output} or {id, prompt, completion} lines',
      helpValue: '<jsonl>',
    }),
    out: outFlag({ description: 'JSONL output, written atomically [default: stdout]', helpValue: '<jsonl>' }),
    limit: Flags.integer({ char: 'n', min: 1, description: 'judge only the first N input lines' }),
    judge: Flags.string({
      char: 'j',
      description: 'deepseek, mock, auto or another registered judge (default: config judge.use, i.e. auto)',
      helpValue: '<name>',
    }),
    'batch-size': Flags.integer({ default: 8, min: 1, description: 'items per judge call (8 batches in flight)' }),
  };

  async run(): Promise<JudgeSummary> {
    const { flags } = await this.parse(Judge);
    if (this.jsonEnabled() && !flags.out) {
      throw new MedrlError('--json prints the summary on stdout: give --out <jsonl> for the judgements');
    }
    const [
      { AtomicLineWriter },
      { judgeFile },
      { terminalProgress },
      { formatSummary },
      { judgePlugin, judgementToReward, pickJudge },
    ] = await Promise.all([
      import('../io/atomic.js'),
      import('../judge/judge-file.js'),
      import('../judge/progress.js'),
      import('../judge/summary.js'),
      import('../reward/judge-component.js'),
    ]);
    const run = await this.openRun('judge');
    const judge = pickJudge(flags.judge ?? run.config.judge.use, run.registry, run.context);
    const { weights, safetyZeroForcesZero } = run.config.judge;
    const writer = flags.out ? await AtomicLineWriter.open(flags.out) : undefined;
    const brokenLines = new LineErrorReporter((line) => process.stderr.write(`${line}\n`));
    let summary: JudgeSummary;
    try {
      summary = await judgeFile({
        input: flags.input,
        judge,
        plugin: judgePlugin(run.registry, judge),
        ctx: run.context,
        limit: flags.limit,
        batchSize: flags['batch-size'],
        rewardOf: (j) => judgementToReward(j, weights, safetyZeroForcesZero).value,
        write: writer ? (line) => writer.writeLine(line) : (line) => this.log(line),
        // Always on stderr, --json or not: a broken line must never pass unnoticed.
        onBrokenLine: ({ line, message }) => brokenLines.report(`${flags.input}:${line}`, message),
        progress: terminalProgress(),
      });
    } catch (error) {
      await writer?.abort();
      throw error;
    }
    brokenLines.finish(flags.out ? `each has an output line with its error in ${flags.out}` : undefined);
    await writer?.commit();
    this.logToStderr(formatSummary(summary) + (flags.out ? `\n  output    ${flags.out}` : ''));
    // Any line without a judgement makes the exit code 1, with --json too (after printing the summary).
    const missing = summary.failures + summary.broken;
    if (missing > 0) {
      if (this.jsonEnabled()) this.logJson(summary);
      throw new ExitCodeError(`${missing} of ${summary.count} line(s) of ${flags.input} have no judgement`, 1);
    }
    return summary;
  }
}
