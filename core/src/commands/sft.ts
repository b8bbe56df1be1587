import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { RUN_FLAGS, runOverrides } from '../cli/run-flags.js';
import { modelPathFlag, outFlag } from '../cli/flags.js';
import type { SftSummary } from '../train/sft/trainer.js';
import { engineOverrides, threadsFlag } from '../cli/engine-flags.js';

export default class Sft extends MedrlCommand {
  static override summary =
    'Supervised fine-tuning: LoRA on a checkpoint (the embedded model by default), or a new model from scratch.';
  static override description =
    'Supervised fine-tuning on data/processed/train.jsonl: the target <think>{think}</think>\\n{answer} inside the chat ' +
    'template, loss on assistant tokens only, eval loss on dev. Fine-tunes --model-path / model.path (else the ' +
    'embedded model) with LoRA (model.lora), or with --from-scratch trains a new model of the model.tiny shape with a ' +
    'tokenizer made from the data. Writes models/lora/final_lora.\n\n' +
    'Each flag overrides the config field it names; without the flag the config file decides, then the built-in ' +
    'default shown (`medrl config` prints the values in effect).';
  static override examples = [
    '<%= config.bin %> sft',
    '<%= config.bin %> sft --model-path /models/Qwen3-0.6B --epochs 3 --batch-size 4 --learning-rate 2e-4',
    '<%= config.bin %> sft --resume',
    '<%= config.bin %> sft --run-name lr-2e-4 --learning-rate 2e-4',
    '<%= config.bin %> sft --config tools/embedded-model.config.ts --from-scratch',
  ];
  static override flags = {
    'model-path': modelPathFlag(
      'Hugging Face checkpoint to fine-tune with LoRA [default: model.path; unset: the embedded model]',
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
    'from-scratch': Flags.boolean({
      description: 'train a new model of the model.tiny shape, tokenizer from the data [default: model.from_scratch]',
    }),
    progress: Flags.string({
      options: ['auto', 'bar', 'log', 'none'],
      description: 'progress display [default: output.progress, auto]',
    }),
    ...RUN_FLAGS,
    'save-steps': Flags.integer({
      min: 1,
      description: 'write checkpoints/step_N every this many steps [default: sft.save_steps, 500]',
    }),
    threads: threadsFlag,
  };

  async run(): Promise<SftSummary> {
    const { flags } = await this.parse(Sft);
    const { runSft } = await import('../train/sft/trainer.js');
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const modelPath = flags['model-path'];
    const run = await this.openRun('sft', {
      ...(modelPath !== undefined || flags['from-scratch']
        ? {
            model: {
              ...(modelPath !== undefined ? { path: path.resolve(modelPath) } : {}),
              ...(flags['from-scratch'] ? { from_scratch: true } : {}),
            },
          }
        : {}),
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
        save_steps: flags['save-steps'],
      },
      output: runOverrides(flags),
      ...engineOverrides(flags),
    });
    const summary = await runSft(run, { progress: flags.progress as never, resume: flags.resume });
    if (!this.jsonEnabled()) this.log(formatSftSummary(summary));
    if (summary.reason === 'interrupted') {
      this.exitInterrupted(
        summary,
        summary.checkpointDir
          ? `interrupted after step ${summary.optimizerSteps}/${summary.totalSteps}; continue with: medrl sft --resume`
          : 'interrupted before the first step; nothing was saved',
      );
    }
    return summary;
  }
}

export function formatSftSummary(s: SftSummary): string {
  if (s.reason === 'already finished') return `sft run "${s.runName}" in ${s.outputDir} had already finished`;
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
  const lines = [
    `sft (${s.kind}) ${s.reason} after ${s.optimizerSteps}/${s.totalSteps} steps over ${s.examples} examples in ${s.seconds.toFixed(1)}s` +
      ` (run "${s.runName}"${s.resumedFrom !== undefined ? `, resumed from step ${s.resumedFrom}` : ''})`,
    `train loss ${f(s.trainLossFirst)} (mean of the first ${s.lossSteps} steps) -> ${f(s.trainLossLast)} (mean of the last ${s.lossSteps})` +
      (s.evalLoss === null
        ? ''
        : `; eval loss ${f(s.evalLoss)} (per target token, over ${s.evalRecords} eval records)`),
    s.finalDir
      ? `output: ${s.finalDir}`
      : `no final model yet${s.checkpointDir ? `; checkpoint ${s.checkpointDir}` : ''}`,
  ];
  if (s.earlierRun) lines.push(`the earlier run is in ${s.earlierRun}`);
  return lines.join('\n');
}
