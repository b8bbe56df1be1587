import path from 'node:path';
import { Flags } from '@oclif/core';
import { MedrlCommand } from '../cli/base-command.js';
import { modelPathFlag, outFlag } from '../cli/flags.js';
import { RUN_FLAGS, runOverrides } from '../cli/run-flags.js';
import type { FinalEvalResult } from '../eval/final-eval.js';
import type { TrainSummary } from '../train/index.js';
import type { StageReport } from '../train/main-job.js';
import { engineOverrides, threadsFlag } from '../cli/engine-flags.js';

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
  static override summary = 'RL fine-tuning (PPO or GRPO) with the composed reward; runs missing stages first.';
  static override description =
    'RL fine-tuning with the composed reward: PPO as TRL (<= 0.11) defines it, or GRPO. On a fresh clone it first runs ' +
    'whatever is missing (prepare, prepare-rl, the starting model: the embedded one, or SFT of model.path), and when it ' +
    'finishes evaluates the final model against its start on held-out prompts. Writes ' +
    'models/rl/checkpoints/{step_N,final_rl_model}, metrics.jsonl, rollouts.jsonl and eval/.';
  static override examples = [
    '<%= config.bin %> train',
    '<%= config.bin %> train --algo grpo --num-generations 4 --steps 50',
    '<%= config.bin %> train --resume',
    '<%= config.bin %> train --batch-size 8 --learning-rate 1e-5 --target-kl 0.1 --json',
  ];
  static override flags = {
    algo: Flags.string({
      options: ['ppo', 'grpo'],
      description: 'RL algorithm [default: algorithm, ppo]',
    }),
    steps: Flags.integer({ min: 1, description: 'optimization steps [default: one pass over the prompts]' }),
    ...RUN_FLAGS,
    'auto-prepare': Flags.boolean({
      default: true,
      allowNo: true,
      description: 'run prepare, prepare-rl and the starting model (embedded copy or SFT) first when missing',
    }),
    out: outFlag({ description: 'output root [default: output.output_dir, models/rl]', helpValue: '<dir>' }),
    progress: Flags.string({
      options: ['auto', 'bar', 'log', 'none'],
      description: 'progress display [default: output.progress, auto]',
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
    'model-path': modelPathFlag('starting policy [default: <algo>.model_path, models/lora/final_lora]'),
    prompts: Flags.string({
      description: 'RL prompts JSONL [default: <algo>.prompts_path, data/rl/training_prompts.jsonl]',
      helpValue: '<jsonl>',
    }),
    'gradient-checkpointing': Flags.boolean({ description: 'recompute activations in the backward pass' }),
    'final-eval': Flags.boolean({
      default: true,
      allowNo: true,
      description: 'after training, evaluate the final model against its start on held-out prompts (<algo>.final_eval)',
    }),
    threads: threadsFlag,
  };

  async run(): Promise<{ stages: StageReport[]; train: TrainSummary; finalEval?: FinalEvalResult }> {
    const { flags } = await this.parse(Train);
    const [
      { runTrain },
      { ensureTrainingInputs },
      { runFinalEval, formatFinalEval },
      { writeRunReport },
      { ppoSchema },
      { grpoSchema },
      { formatSftSummary },
    ] = await Promise.all([
      import('../train/index.js'),
      import('../train/main-job.js'),
      import('../eval/final-eval.js'),
      import('../report/run-report.js'),
      import('../config/sections/ppo.js'),
      import('../config/sections/grpo.js'),
      import('./sft.js'),
    ]);
    // The fields of each algorithm's section, to route flags and refuse those that do not apply.
    const SECTION_SHAPES = { ppo: ppoSchema.shape, grpo: grpoSchema.shape } as const;
    // Each flag goes to the sections that have its field: the algorithm may come from the config.
    const sections: Record<'ppo' | 'grpo', Record<string, unknown>> = { ppo: {}, grpo: {} };
    const given: { flag: string; field: string }[] = [];
    for (const [flag, field] of Object.entries(SECTION_FLAGS)) {
      const raw = (flags as Record<string, unknown>)[flag];
      if (raw === undefined) continue;
      const value = typeof raw === 'string' && /^[-+]?[\d.]+(e[-+]?\d+)?$/i.test(raw) ? Number(raw) : raw;
      given.push({ flag, field });
      for (const algo of ['ppo', 'grpo'] as const) if (field in SECTION_SHAPES[algo]) sections[algo][field] = value;
    }
    const overrides: Record<string, unknown> = {
      ...sections,
      ...(flags.algo ? { algorithm: flags.algo } : {}),
      output: { output_dir: flags.out, progress: flags.progress, ...runOverrides(flags) },
      ...engineOverrides(flags),
    };
    const run = await this.openRun('train', overrides);
    const algo = run.config.algorithm;
    const foreign = given.filter(({ field }) => !(field in SECTION_SHAPES[algo]));
    if (foreign.length > 0) {
      this.error(
        `${foreign.map((f) => `--${f.flag}`).join(', ')} do(es) not apply to ${algo.toUpperCase()} (algorithm: ${algo})`,
        {
          exit: 2,
        },
      );
    }
    const cfg = algo === 'grpo' ? run.config.grpo : run.config.ppo;
    const { stages, sft } =
      flags['auto-prepare'] && !flags.resume ? await ensureTrainingInputs(run, cfg) : { stages: [], sft: undefined };
    if (sft?.reason === 'interrupted') {
      // Stopped in the main job's SFT stage: `medrl train` continues that SFT run first.
      if (!this.jsonEnabled()) this.log(formatSftSummary(sft));
      this.exitInterrupted(
        { stages },
        `interrupted during SFT (step ${sft.optimizerSteps}/${sft.totalSteps}); continue with: medrl train`,
      );
    }
    const summary = await runTrain(run, { algo, steps: flags.steps, resume: flags.resume });
    if (!this.jsonEnabled()) {
      for (const s of stages) this.log(`${s.stage.padEnd(11)} ${s.seconds.toFixed(1).padStart(7)}s  ${s.detail}`);
      this.log(formatSummary(summary));
    }
    if (summary.reason === 'interrupted') {
      this.exitInterrupted(
        { stages, train: summary },
        summary.checkpointDir
          ? `interrupted after step ${summary.steps}/${summary.totalSteps}; continue with: medrl train --resume${algo === 'grpo' ? ' --algo grpo' : ''}`
          : 'interrupted before the first step; nothing was saved',
      );
    }
    let finalEval: FinalEvalResult | undefined;
    if (cfg.final_eval.enabled && flags['final-eval'] && summary.finalDir && summary.reason === 'finished') {
      finalEval = await runFinalEval(run, {
        settings: cfg.final_eval,
        finalModelDir: summary.finalDir,
        startModelDir: path.resolve(run.rootDir, cfg.model_path),
        trainedPromptsFile: path.resolve(run.rootDir, cfg.prompts_path),
        outputDir: summary.outputDir,
      });
      if (finalEval && !this.jsonEnabled()) this.log(formatFinalEval(finalEval));
    }
    // report.html: the curves, the samples and (after a final eval) the before/after table.
    const report = await writeRunReport(summary.outputDir);
    if (!this.jsonEnabled()) this.log(`report: ${report.file}`);
    return { stages, train: summary, ...(finalEval ? { finalEval } : {}) };
  }
}

export function formatSummary(s: TrainSummary): string {
  if (s.reason === 'already finished')
    return `${s.algo} run${s.runName ? ` "${s.runName}"` : ''} in ${s.outputDir} had already finished`;
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
  return [
    `${s.algo} ${s.reason} after ${s.steps}/${s.totalSteps} steps in ${s.seconds.toFixed(1)}s (backend ${s.backend})` +
      (s.resumedFrom !== undefined ? `, resumed from step ${s.resumedFrom}` : ''),
    `reward: ${f(s.rewardFirst)} (first steps) -> ${f(s.rewardLast)} (last steps); last KL ${f(s.klLast)}`,
    `outputs: ${s.outputDir} (metrics.jsonl, rollouts.jsonl)${s.finalDir ? `; final model ${s.finalDir}` : '; no final model (interrupted: use --resume)'}`,
    ...(s.earlierRun ? [`the earlier run is in ${s.earlierRun}`] : []),
  ].join('\n');
}
