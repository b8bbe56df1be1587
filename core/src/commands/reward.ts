import { Flags } from '@oclif/core';
import { ExitCodeError, MedrlCommand } from '../cli/base-command.js';
import { outFlag } from '../cli/flags.js';
import { LineErrorReporter } from '../cli/line-errors.js';
import { MedrlError } from '../errors.js';
import type { LineError } from '../reward/score-file.js';

/** What `--json` prints: counts, and the first failed lines (all of them are on stderr). */
export interface RewardCommandResult {
  input: string;
  out: string;
  scored: number;
  failed: number;
  errors: LineError[];
}

const JSON_ERRORS_SHOWN = 100;

export default class Reward extends MedrlCommand {
  static override summary = 'Score a JSONL file of answers with the configured reward, one breakdown per line.';
  static override description =
    'Score a JSONL file of {id?, prompt, completion, meta?} lines with the configured reward; one breakdown line per ' +
    'good input line. With --json (which needs --out), a summary: lines scored, lines failed and the first failures.';
  static override examples = [
    '<%= config.bin %> reward --input data/examples/answers.jsonl --out scored.jsonl',
    '<%= config.bin %> reward --input data/examples/answers.jsonl | jq .total',
    '<%= config.bin %> reward --input data/examples/answers.jsonl --out scored.jsonl --json',
  ];
  static override flags = {
    input: Flags.string({ char: 'i', required: true, description: 'JSONL input', helpValue: '<jsonl>' }),
    out: outFlag({ description: 'JSONL output, written atomically [default: stdout]', helpValue: '<jsonl>' }),
    'batch-size': Flags.integer({ default: 64, min: 1, description: 'lines scored per composer call' }),
    // The default lives in reward/score-file.ts (DEFAULT_MAX_LINE_BYTES), which is imported lazily.
    'max-line-bytes': Flags.integer({
      min: 1,
      description:
        'longer input lines are reported as errors without being read into memory [default: 1048576 (1 MiB)]',
    }),
  };

  async run(): Promise<RewardCommandResult> {
    const { flags } = await this.parse(Reward);
    if (this.jsonEnabled() && !flags.out) {
      throw new MedrlError('--json prints the summary on stdout: give --out <jsonl> for the scored lines');
    }
    const [{ AtomicLineWriter }, { scoreFile }] = await Promise.all([
      import('../io/atomic.js'),
      import('../reward/score-file.js'),
    ]);
    const run = await this.openRun('reward');
    const writer = flags.out ? await AtomicLineWriter.open(flags.out) : undefined;
    const errors = new LineErrorReporter((line) => this.logToStderr(line));
    let result;
    try {
      result = await scoreFile({
        input: flags.input,
        composer: run.composer,
        batchSize: flags['batch-size'],
        maxLineBytes: flags['max-line-bytes'],
        write: writer ? (line) => writer.writeLine(line) : (line) => this.log(line),
        onError: ({ line, message }) => errors.report(`${flags.input}:${line}`, message),
      });
    } catch (error) {
      await writer?.abort();
      throw error;
    }
    errors.finish();
    await writer?.commit();
    this.logToStderr(
      `scored ${result.scored} line(s), ${result.failed.length} failed${flags.out ? ` -> ${flags.out}` : ''}`,
    );
    const summary: RewardCommandResult = {
      input: flags.input,
      out: flags.out ?? '-',
      scored: result.scored,
      failed: result.failed.length,
      errors: result.failed.slice(0, JSON_ERRORS_SHOWN),
    };
    if (result.failed.length > 0) {
      if (this.jsonEnabled()) this.logJson(summary);
      throw new ExitCodeError(`${result.failed.length} line(s) of ${flags.input} could not be scored`, 1);
    }
    return summary;
  }
}
