import { Flags } from '@oclif/core';
import { ExitCodeError, MedrlCommand } from '../cli/base-command.js';
import { AtomicLineWriter } from '../io/atomic.js';
import { DEFAULT_MAX_LINE_BYTES, scoreFile } from '../reward/score-file.js';
import { LineErrorReporter } from '../cli/line-errors.js';

export default class Reward extends MedrlCommand {
  static override description =
    'Score a JSONL file of {id?, prompt, completion, meta?} lines with the configured reward; one breakdown line per good input line.';
  static override examples = [
    '<%= config.bin %> reward --input answers.jsonl --out scored.jsonl',
    '<%= config.bin %> reward --input answers.jsonl | jq .total',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    input: Flags.string({ char: 'i', required: true, description: 'JSONL input', helpValue: '<jsonl>' }),
    out: Flags.string({
      char: 'o',
      description: 'JSONL output (default: stdout); written atomically',
      helpValue: '<jsonl>',
    }),
    'batch-size': Flags.integer({ default: 64, min: 1, description: 'lines scored per composer call' }),
    'max-line-bytes': Flags.integer({
      default: DEFAULT_MAX_LINE_BYTES,
      min: 1,
      description: 'longer input lines are reported as errors without being read into memory',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Reward);
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
    if (result.failed.length > 0) {
      throw new ExitCodeError(`${result.failed.length} line(s) of ${flags.input} could not be scored`, 1);
    }
  }
}
