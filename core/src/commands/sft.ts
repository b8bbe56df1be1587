import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { engineOverrides, threadsFlag } from '../cli/engine-flags.js';
import { runSft, type SftSummary } from '../train/sft/trainer.js';

export default class Sft extends MedrlCommand {
  static override description =
    'Supervised fine-tuning on data/processed/train.jsonl: the target <think>{think}</think>\\n{answer} inside the chat ' +
    'template, loss on assistant tokens only, eval loss on dev. LoRA for a real checkpoint (model.path), all weights for ' +
    'the embedded tiny model. Writes models/lora/final_lora.';
  static override examples = [
    '<%= config.bin %> sft',
    '<%= config.bin %> sft --epochs 3 --batch-size 4 --learning-rate 2e-4',
  ];
  static override flags = {
    epochs: Flags.string({ description: 'passes over the data (num_train_epochs) [default: 3]', helpValue: '<n>' }),
    'batch-size': Flags.integer({
      min: 1,
      description: 'records per micro-batch (per_device_train_batch_size) [default: 4]',
    }),
    'gradient-accumulation-steps': Flags.integer({ min: 1, description: 'micro-batches per optimizer step' }),
    'learning-rate': Flags.string({ description: 'peak learning rate [default: 2e-5]', helpValue: '<lr>' }),
    'warmup-steps': Flags.integer({ min: 0, description: 'linear warmup steps' }),
    'max-length': Flags.integer({ min: 2, description: 'tokens per example' }),
    'train-file': Flags.string({
      description: 'training JSONL [default: data/processed/train.jsonl]',
      helpValue: '<jsonl>',
    }),
    'eval-file': Flags.string({ description: 'eval JSONL [default: data/processed/dev.jsonl]', helpValue: '<jsonl>' }),
    'output-dir': Flags.string({
      description: 'output root; the result is <dir>/final_lora [default: models/lora]',
      helpValue: '<dir>',
    }),
    seed: Flags.integer({ min: 0, description: 'seed of shuffling and initialization' }),
    progress: Flags.string({ options: ['auto', 'bar', 'log', 'none'], description: 'progress display' }),
    threads: threadsFlag,
  };

  async run(): Promise<SftSummary> {
    const { flags } = await this.parse(Sft);
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const run = await this.openRun('sft', {
      sft: {
        num_train_epochs: num(flags.epochs),
        per_device_train_batch_size: flags['batch-size'],
        gradient_accumulation_steps: flags['gradient-accumulation-steps'],
        learning_rate: num(flags['learning-rate']),
        warmup_steps: flags['warmup-steps'],
        max_length: flags['max-length'],
        train_file: flags['train-file'],
        eval_file: flags['eval-file'],
        output_dir: flags['output-dir'],
        seed: flags.seed,
      },
      ...engineOverrides(flags),
    });
    const summary = await runSft(run, { progress: flags.progress as never });
    if (!this.jsonEnabled()) {
      this.log(
        `sft (${summary.kind}) finished: ${summary.optimizerSteps} steps over ${summary.examples} examples in ${summary.seconds.toFixed(1)}s; ` +
          `loss ${summary.trainLossFirst.toFixed(4)} -> ${summary.trainLossLast.toFixed(4)}` +
          (summary.evalLoss === null ? '' : `, eval loss ${summary.evalLoss.toFixed(4)}`),
      );
      this.log(`output: ${summary.finalDir}`);
    }
    return summary;
  }
}
