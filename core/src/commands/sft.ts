import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { modelPathFlag, outFlag } from '../cli/flags.js';
import type { SftSummary } from '../train/sft/trainer.js';

export default class Sft extends MedrlCommand {
  static override summary = 'Supervised fine-tuning (LoRA on a real checkpoint, all weights on the tiny model).';
  static override description =
    'Supervised fine-tuning on data/processed/train.jsonl: the target <think>{think}</think>\\n{answer} inside the chat ' +
    'template, loss on assistant tokens only, eval loss on dev. LoRA for a real checkpoint (--model-path or model.path), ' +
    'all weights for the embedded tiny model. Writes models/lora/final_lora.\n\n' +
    'Each flag overrides the config field it names; without the flag the config file decides, then the built-in ' +
    'default shown (`medrl config` prints the values in effect).';
  static override examples = [
    '<%= config.bin %> sft',
    '<%= config.bin %> sft --model-path /models/Qwen3-0.6B --epochs 3 --batch-size 4 --learning-rate 2e-4',
  ];
  static override flags = {
    'model-path': modelPathFlag(
      'Hugging Face checkpoint to fine-tune with LoRA [default: model.path; unset: the embedded tiny model]',
    ),
    epochs: Flags.string({ description: 'passes over the data [default: sft.num_train_epochs, 3]', helpValue: '<n>' }),
    'batch-size': Flags.integer({
      min: 1,
      description: 'records per micro-batch [default: sft.per_device_train_batch_size, 4]',
    }),
    'gradient-accumulation-steps': Flags.integer({
      min: 1,
      description: 'micro-batches per optimizer step [default: sft.gradient_accumulation_steps, 1]',
    }),
    'learning-rate': Flags.string({
      description:
        'peak learning rate [default: sft.learning_rate, null: 2e-5 for a checkpoint, 1e-3 for the tiny model, ' +
        'which trains from scratch]',
      helpValue: '<lr>',
    }),
    'warmup-steps': Flags.integer({ min: 0, description: 'linear warmup steps [default: sft.warmup_steps, 0]' }),
    'max-length': Flags.integer({ min: 2, description: 'tokens per example [default: sft.max_length, 1024]' }),
    'train-file': Flags.string({
      description: 'training JSONL [default: sft.train_file, data/processed/train.jsonl]',
      helpValue: '<jsonl>',
    }),
    'eval-file': Flags.string({
      description: 'eval JSONL [default: sft.eval_file, data/processed/dev.jsonl]',
      helpValue: '<jsonl>',
    }),
    out: outFlag({
      description: 'output root; the result is <dir>/final_lora [default: sft.output_dir, models/lora]',
      helpValue: '<dir>',
    }),
    seed: Flags.integer({ min: 0, description: 'seed of shuffling and initialization [default: sft.seed, 42]' }),
    progress: Flags.string({
      options: ['auto', 'bar', 'log', 'none'],
      description: 'progress display [default: output.progress, auto]',
    }),
  };

  async run(): Promise<SftSummary> {
    const { flags } = await this.parse(Sft);
    const { runSft } = await import('../train/sft/trainer.js');
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const modelPath = flags['model-path'];
    const run = await this.openRun('sft', {
      ...(modelPath !== undefined ? { model: { path: path.resolve(modelPath) } } : {}),
      sft: {
        num_train_epochs: num(flags.epochs),
        per_device_train_batch_size: flags['batch-size'],
        gradient_accumulation_steps: flags['gradient-accumulation-steps'],
        learning_rate: num(flags['learning-rate']),
        warmup_steps: flags['warmup-steps'],
        max_length: flags['max-length'],
        train_file: flags['train-file'],
        eval_file: flags['eval-file'],
        output_dir: flags.out,
        seed: flags.seed,
      },
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
