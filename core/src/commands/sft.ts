import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { RUN_FLAGS, runOverrides } from '../cli/run-flags.js';
import { runSft, type SftSummary } from '../train/sft/trainer.js';

export default class Sft extends MedrlCommand {
  static override description =
    'Supervised fine-tuning on data/processed/train.jsonl: the target <think>{think}</think>\\n{answer} inside the chat ' +
    'template, loss on assistant tokens only, eval loss on dev. Fine-tunes model.path (else the embedded model) with ' +
    'LoRA (model.lora), or with --from-scratch trains a new model of the model.tiny shape with a tokenizer made from the ' +
    'data. Writes models/lora/final_lora.';
  static override examples = [
    '<%= config.bin %> sft',
    '<%= config.bin %> sft --epochs 3 --batch-size 4 --learning-rate 2e-4',
    '<%= config.bin %> sft --resume',
    '<%= config.bin %> sft --run-name lr-2e-4 --learning-rate 2e-4',
    '<%= config.bin %> sft --config tools/embedded-model.config.ts --from-scratch',
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
    'from-scratch': Flags.boolean({
      description: 'train a new model of the model.tiny shape, tokenizer from the data (model.from_scratch)',
    }),
    progress: Flags.string({ options: ['auto', 'bar', 'log', 'none'], description: 'progress display' }),
    ...RUN_FLAGS,
    'save-steps': Flags.integer({ min: 1, description: 'write checkpoints/step_N every this many steps (save_steps)' }),
  };

  async run(): Promise<SftSummary> {
    const { flags } = await this.parse(Sft);
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const run = await this.openRun('sft', {
      ...(flags['from-scratch'] ? { model: { from_scratch: true } } : {}),
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
        save_steps: flags['save-steps'],
      },
      output: runOverrides(flags),
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
