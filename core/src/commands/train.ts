import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { engineOverrides, threadsFlag } from '../cli/engine-flags.js';
import { runTrain, type TrainSummary } from '../train/index.js';
import { ensureTrainingInputs, type StageReport } from '../train/main-job.js';

/** Flags that set a field of the algorithm's section (`ppo` or `grpo`), by TRL name. */
const SECTION_FLAGS = {
  'batch-size': 'batch_size',
  'mini-batch-size': 'mini_batch_size',
  'learning-rate': 'learning_rate',
  'ppo-epochs': 'ppo_epochs',
  'target-kl': 'target_kl',
  'init-kl-coef': 'init_kl_coef',
  'kl-penalty': 'kl_penalty',
  'max-new-tokens': 'max_new_tokens',
  'num-generations': 'num_generations',
  beta: 'beta',
  'loss-type': 'loss_type',
  'scale-rewards': 'scale_rewards',
  seed: 'seed',
  'save-steps': 'save_steps',
  'eval-steps': 'eval_steps',
  'model-path': 'model_path',
  prompts: 'prompts_path',
  'gradient-checkpointing': 'gradient_checkpointing',
} as const;

export default class Train extends MedrlCommand {
  static override description =
    'RL fine-tuning with the composed reward: PPO as TRL (<= 0.11) defines it, or GRPO. On a fresh clone it first runs ' +
    'whatever is missing (prepare, prepare-rl, SFT of the tiny model). Writes models/rl/checkpoints/{step_N,final_rl_model}, ' +
    'metrics.jsonl and rollouts.jsonl.';
  static override examples = [
    '<%= config.bin %> train',
    '<%= config.bin %> train --algo grpo --num-generations 4 --steps 50',
    '<%= config.bin %> train --resume',
    '<%= config.bin %> train --batch-size 8 --learning-rate 1e-5 --target-kl 0.1 --json',
  ];
  static override flags = {
    algo: Flags.string({ options: ['ppo', 'grpo'], default: 'ppo', description: 'RL algorithm' }),
    steps: Flags.integer({ min: 1, description: 'optimization steps [default: one pass over the prompts]' }),
    resume: Flags.boolean({ default: false, description: 'continue from the latest checkpoint under output_dir' }),
    'auto-prepare': Flags.boolean({
      default: true,
      allowNo: true,
      description: 'run prepare, prepare-rl and SFT first when their outputs are missing',
    }),
    'output-dir': Flags.string({
      description: 'output root [default: output.output_dir, models/rl]',
      helpValue: '<dir>',
    }),
    progress: Flags.string({
      options: ['auto', 'bar', 'log', 'none'],
      description: 'progress display [default: output.progress]',
    }),
    'batch-size': Flags.integer({ min: 1, description: 'PPO: rollouts per step (batch_size)' }),
    'mini-batch-size': Flags.integer({ min: 1, description: 'PPO: rollouts per forward/backward (mini_batch_size)' }),
    'learning-rate': Flags.string({ description: 'learning_rate', helpValue: '<lr>' }),
    'ppo-epochs': Flags.integer({ min: 1, description: 'PPO: passes over each batch (ppo_epochs)' }),
    'target-kl': Flags.string({ description: 'PPO: early-stopping KL target (target_kl)', helpValue: '<kl>' }),
    'init-kl-coef': Flags.string({ description: 'PPO: initial KL coefficient (init_kl_coef)', helpValue: '<beta>' }),
    'kl-penalty': Flags.string({ options: ['kl', 'abs', 'mse', 'full'], description: 'PPO: per-token KL estimate' }),
    'max-new-tokens': Flags.integer({ min: 1, description: 'PPO: new tokens per rollout (max_new_tokens)' }),
    'num-generations': Flags.integer({ min: 2, description: 'GRPO: completions per prompt (num_generations)' }),
    beta: Flags.string({ description: 'GRPO: k3 KL weight (beta)', helpValue: '<beta>' }),
    'loss-type': Flags.string({ options: ['grpo', 'bnpo', 'dr_grpo', 'dapo'], description: 'GRPO: loss aggregation' }),
    'scale-rewards': Flags.string({ options: ['group', 'batch', 'none'], description: 'GRPO: advantage scaling' }),
    seed: Flags.integer({ min: 0, description: 'seed of sampling and shuffling' }),
    'save-steps': Flags.integer({ min: 1, description: 'write checkpoints/step_N every this many steps' }),
    'eval-steps': Flags.integer({ min: 1, description: 'run the safety gate every this many steps' }),
    'model-path': Flags.string({
      description: 'starting policy [default: models/lora/final_lora]',
      helpValue: '<dir>',
    }),
    prompts: Flags.string({
      description: 'RL prompts JSONL [default: data/rl/training_prompts.jsonl]',
      helpValue: '<jsonl>',
    }),
    'gradient-checkpointing': Flags.boolean({ description: 'recompute activations in the backward pass' }),
    threads: threadsFlag,
  };

  async run(): Promise<{ stages: StageReport[]; train: TrainSummary }> {
    const { flags } = await this.parse(Train);
    const algo = flags.algo as 'ppo' | 'grpo';
    const section: Record<string, unknown> = {};
    for (const [flag, field] of Object.entries(SECTION_FLAGS)) {
      const value = (flags as Record<string, unknown>)[flag];
      if (value === undefined) continue;
      section[field] = typeof value === 'string' && /^[-+]?[\d.]+(e[-+]?\d+)?$/i.test(value) ? Number(value) : value;
    }
    const overrides: Record<string, unknown> = { [algo]: section, ...engineOverrides(flags) };
    if (flags['output-dir'] || flags.progress) {
      overrides.output = { output_dir: flags['output-dir'], progress: flags.progress };
    }
    const run = await this.openRun('train', overrides);
    const cfg = algo === 'grpo' ? run.config.grpo : run.config.ppo;
    const { stages } = flags['auto-prepare'] && !flags.resume ? await ensureTrainingInputs(run, cfg) : { stages: [] };
    const summary = await runTrain(run, { algo, steps: flags.steps, resume: flags.resume });
    if (!this.jsonEnabled()) {
      for (const s of stages) this.log(`${s.stage.padEnd(10)} ${s.seconds.toFixed(1).padStart(7)}s  ${s.detail}`);
      this.log(formatSummary(summary));
    }
    return { stages, train: summary };
  }
}

export function formatSummary(s: TrainSummary): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
  return [
    `${s.algo} ${s.reason} after ${s.steps}/${s.totalSteps} steps in ${s.seconds.toFixed(1)}s (backend ${s.backend})` +
      (s.resumedFrom !== undefined ? `, resumed from step ${s.resumedFrom}` : ''),
    `reward: ${f(s.rewardFirst)} (first steps) -> ${f(s.rewardLast)} (last steps); last KL ${f(s.klLast)}`,
    `outputs: ${s.outputDir} (metrics.jsonl, rollouts.jsonl)${s.finalDir ? `; final model ${s.finalDir}` : '; no final model (interrupted: use --resume)'}`,
  ].join('\n');
}
