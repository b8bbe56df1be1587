import { Flags } from '@oclif/core';
import { ExitCodeError, MedrlCommand } from '../cli/base-command.js';
import { AtomicLineWriter } from '../io/atomic.js';
import { scoreFile } from '../reward/score-file.js';

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
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Reward);
    const run = await this.openRun('reward');
    const writer = flags.out ? await AtomicLineWriter.open(flags.out) : undefined;
    let result;
    try {
      result = await scoreFile({
        input: flags.input,
        composer: run.composer,
        batchSize: flags['batch-size'],
        write: writer ? (line) => writer.writeLine(line) : (line) => this.log(line),
        onError: ({ line, message }) => this.logToStderr(`${flags.input}:${line}: ${message}`),
      });
    } catch (error) {
      await writer?.abort();
      throw error;
    }
    await writer?.commit();
    this.logToStderr(
      `scored ${result.scored} line(s), ${result.failed.length} failed${flags.out ? ` -> ${flags.out}` : ''}`,
    );
    if (result.failed.length > 0) {
      throw new ExitCodeError(`${result.failed.length} line(s) of ${flags.input} could not be scored`, 1);
    }
  }
}
