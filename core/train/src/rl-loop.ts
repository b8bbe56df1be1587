/**
 * The loop every RL algorithm shares (`medrl train`): load the starting policy and prompts, then per
 * step draw prompts, generate and score rollouts (each row judged as it finishes), let the algorithm
 * update the policy, log stats (metrics.jsonl, rollouts.jsonl, hooks, progress bar), run the safety
 * gate every eval_steps, write checkpoints every save_steps, and finally final_rl_model.
 * `--resume` restores the latest checkpoint so that the remaining steps match an uninterrupted run.
 *
 * Where the judge's latency goes: the algorithm's reward-free work (no-grad forward passes) runs
 * while the batch is judged; a safety-gate evaluation is judged while the next step generates and
 * is settled (logged, checkpointed, maybe stopping the run) before that step's update, which is
 * the first thing its verdict could change; with `overlap_judging` the next step's batch is
 * generated while this one is judged (one-step off-policy). None of it changes a number when
 * `overlap_judging` is off: every batch is composed in rollout order, in the same order as before.
 *
 * The loop knows an algorithm only as an RlAlgorithm (algorithms.ts registers PPO and GRPO): its
 * sizes, sampling, optimizer, update and its own state in checkpoints. `runRlTraining` opens an
 * RlTrainer (output directory, resume, prompts, policy, algorithm, gate) and runs it; the trainer's
 * methods are the phases of a run: `train` (the steps), `step`, `finishStep`, the gate's
 * `startGate`/`settle`, checkpoints (`trainerState`, `saveStep`, `writeCheckpoint`) and `end`.
 */
import path from 'node:path';
import type { Checkpoint, RewardBreakdown } from '@medrl/sdk';
import {
  ConfigError,
  MedrlError,
  redactConfig,
  stopRequested,
  type PpoSection,
  type RewardComposer,
  type Run,
} from '@medrl/core';
import { initBackend, EngineRng } from '@medrl/engine';
import { pathExists } from '@medrl/sdk/io';
import { recoverDirs } from './atomic-dir.js';
import {
  FINAL_DIR,
  listCheckpoints,
  loadCheckpoint,
  restoreParams,
  rotateCheckpoints,
  saveCheckpoint,
  stepDir,
  writeStartModel,
  type AlgorithmState,
  type CheckpointState,
  type LoadedCheckpoint,
} from './checkpoint-state.js';
import { PromptCursor } from './data-cursor.js';
import type { AdamW, NamedParam } from './optimizer.js';
import { Policy, loadStartModel, type StartModel } from './policy.js';
import { createProgress, type Progress, type ProgressMode } from './progress.js';
import { readPrompts, type TrainPrompt } from './prompts.js';
import {
  ComposerSlots,
  generateBatch,
  generateGateAnswers,
  letRequestsLeave,
  restoreBatch,
  type GeneratedSample,
  type RolloutBatch,
  type RolloutEvent,
  type Sampling,
  type ScoredSample,
} from './rollouts.js';
import { TrainRng } from './rng.js';
import { JsonlLog } from './run-log.js';
import { SafetyGate, gateScore, meanOf, type SafetyVerdict } from './safety-gate.js';
import { writeModelDir } from './sft/tiny-start.js';
import { RunRecord, clearForNewRun, finishedLine, newRunName, resumeTarget, type RunInfo } from './run-dir.js';

/**
 * What an algorithm (PPO, GRPO, ...) plugs into the loop. `S` is its own state in checkpoints
 * (PPO: the KL controller and score moments), stored beside the loop's fields under its names.
 */
export interface RlAlgorithm<S extends AlgorithmState = AlgorithmState> {
  /** Its registered name (`--algo`). */
  readonly algo: string;
  /** Distinct prompts per step. */
  readonly promptsPerStep: number;
  /** Rollouts per prompt (GRPO's group; 1 for PPO). */
  readonly generationsPerPrompt: number;
  readonly sampling: Sampling;
  readonly optimizer: AdamW;
  /** The stat shown as KL on the progress bar. */
  readonly klStat: string;
  /** Every trainable parameter (policy and value head), in optimizer order. */
  params(): NamedParam[];
  /**
   * Optional: the part of `update` that needs no rewards (no-grad forward passes at the current
   * weights), run while the batch is still being judged. `update` uses it when its samples are
   * the same rows, and must give exactly the numbers it would give without it.
   */
  prepare?(samples: readonly GeneratedSample[]): void;
  update(
    samples: ScoredSample[],
    ctx: { step: number; totalSteps: number; rng: TrainRng },
  ): Promise<Record<string, number>>;
  /** Its state for checkpoints. */
  state(): S;
  /** Restores what `state` wrote (a checkpoint's state; fields it does not know are the loop's). */
  restore(state: Partial<S>): void;
  dispose(): void;
}

/** The fields of an algorithm's config section that the loop reads (every RL section has them). */
export type RlSection = Pick<
  PpoSection,
  | 'model_path'
  | 'prompts_path'
  | 'fallback_prompts_path'
  | 'steps'
  | 'seed'
  | 'save_steps'
  | 'eval_steps'
  | 'gradient_checkpointing'
  | 'max_prompt_length'
  | 'reward_concurrency'
  | 'safety_gate'
  | 'overlap_judging'
>;

export interface TrainOptions {
  /** A registered algorithm (algorithms.ts): `ppo`, `grpo`. */
  algo: string;
  /** Overrides the section's `steps`. */
  steps?: number;
  /** Continue from the latest checkpoint. */
  resume?: boolean;
  progress?: ProgressMode;
  /** For tests: see when rows finish and when they are scored. */
  onRolloutEvent?: (event: RolloutEvent) => void;
}

export interface TrainSummary {
  algo: string;
  /** Steps completed (including those before a resume). */
  steps: number;
  totalSteps: number;
  resumedFrom?: number;
  /** finished | interrupted | already finished (`--resume` on a finished run) | safety gate: ... */
  reason: string;
  outputDir: string;
  /** The run's name (run.json); earlier runs are under <outputDir>/runs/. */
  runName?: string;
  /** Where the earlier run in outputDir went, when this run moved one. */
  earlierRun?: string;
  /** The latest resumable checkpoint of an interrupted run. */
  checkpointDir?: string;
  /** final_rl_model, or undefined when interrupted. */
  finalDir?: string;
  /** Mean env/reward_mean over the first and the last (up to) 5 steps of this invocation. */
  rewardFirst: number;
  rewardLast: number;
  klLast: number;
  seconds: number;
  backend: string;
}

/** Algorithm factory: built once the policy exists. */
export type AlgorithmFactory = (policy: Policy) => RlAlgorithm;

function stdOf(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Stats every algorithm reports: the composed reward and each component's mean. */
export function rewardStats(
  breakdowns: readonly RewardBreakdown[],
  componentNames: readonly string[],
): Record<string, number> {
  const totals = breakdowns.map((b) => b.total).filter((t): t is number => t !== null);
  const stats: Record<string, number> = {
    'env/reward_mean': meanOf(totals),
    'env/reward_std': stdOf(totals),
    'env/dropped': breakdowns.length - totals.length,
  };
  for (const name of componentNames) {
    stats[`reward/${name}/mean`] = meanOf(breakdowns.map((b) => b.components[name]?.raw));
  }
  return stats;
}

/** The held-out high-risk prompts the safety gate answers. */
async function gatePrompts(section: RlSection, rootDir: string): Promise<TrainPrompt[]> {
  const gate = section.safety_gate;
  const levels = new Set<string>(gate.risk_levels);
  const out: TrainPrompt[] = [];
  for (const file of gate.prompts) {
    const full = path.resolve(rootDir, file);
    if (!(await pathExists(full))) continue;
    for (const p of await readPrompts(full)) {
      if (out.length >= gate.sample_size) return out;
      if (levels.has(String(p.meta.risk_level))) out.push(p);
    }
  }
  return out;
}

/** The RL prompt file, else the SFT training file (as the original pipeline did). */
async function promptsFile(run: Run, section: RlSection): Promise<string> {
  const file = path.resolve(run.rootDir, section.prompts_path);
  if (await pathExists(file)) return file;
  const fallback = path.resolve(run.rootDir, section.fallback_prompts_path);
  if (!(await pathExists(fallback))) {
    throw new MedrlError(
      `no training prompts: neither ${file} nor ${fallback} exists; run \`medrl prepare\` and \`medrl prepare-rl\``,
    );
  }
  run.logger.warn(`${file} not found; using ${fallback} as prompts`);
  return fallback;
}

/** Runs `medrl train` with the given algorithm; `makeAlgorithm` builds it on the loaded policy. */
export async function runRlTraining(
  run: Run,
  section: RlSection,
  options: TrainOptions,
  makeAlgorithm: AlgorithmFactory,
): Promise<TrainSummary> {
  const t0 = performance.now();
  const outputDir = path.resolve(run.rootDir, run.config.output.output_dir);
  const checkpointsDir = path.join(outputDir, 'checkpoints');
  for (const action of await recoverDirs(checkpointsDir)) run.logger.warn(`checkpoints: ${action}`);
  // --resume continues an unfinished run; a finished one is said to be finished.
  const target = await resumeTarget(
    outputDir,
    path.join(checkpointsDir, FINAL_DIR),
    await listCheckpoints(checkpointsDir),
    options.resume,
    'medrl train',
  );
  const info = target.info;
  if (target.finished) {
    run.logger.warn(finishedLine(outputDir, info, 'medrl train'));
    return {
      algo: options.algo,
      steps: info?.step ?? 0,
      totalSteps: info?.total_steps ?? 0,
      reason: 'already finished',
      outputDir,
      finalDir: path.join(checkpointsDir, FINAL_DIR),
      ...(info ? { runName: info.name } : {}),
      rewardFirst: Number.NaN,
      rewardLast: Number.NaN,
      klLast: Number.NaN,
      seconds: (performance.now() - t0) / 1000,
      backend: 'none',
    };
  }
  const trainer = await RlTrainer.open(run, section, options, makeAlgorithm, {
    t0,
    outputDir,
    checkpointsDir,
    resumeDir: target.dir,
    info,
  });
  return trainer.train();
}

interface OpenContext {
  t0: number;
  outputDir: string;
  checkpointsDir: string;
  /** The checkpoint `--resume` continues from, if any. */
  resumeDir?: string;
  info?: RunInfo;
}

/** One `medrl train` run, from the opened policy to the final checkpoint. */
class RlTrainer {
  // Set by open() and restore()/newRun(); fixed while the steps run.
  private readonly totalSteps: number;
  private readonly metrics: JsonlLog;
  private readonly rolloutLog: JsonlLog;
  private readonly gate: SafetyGate;
  private readonly slots: ComposerSlots;
  private runName = '';
  private earlierRun?: string;
  private resumedFrom?: number;
  private record!: RunRecord;
  private gateSet: TrainPrompt[] = [];
  private adapterBase = '';

  // Random streams and the prompt position: restored on resume, saved in every checkpoint.
  private rng: TrainRng;
  private sampleRng: EngineRng;
  private cursor: PromptCursor;

  /** Batches generated before their step (overlap_judging), or kept by the checkpoint resumed from. */
  private readonly ahead: RolloutBatch[] = [];
  /** The batch of the step in progress, from its generation to its update. */
  private inHand: RolloutBatch | undefined;
  /** A gate evaluation being judged: settled before the next update (the first thing its verdict could change). */
  private unsettled: (() => Promise<boolean>) | undefined;

  // Progress of this invocation.
  private startStep = 0;
  private step = 0;
  private reason = 'finished';
  private rolledBack: number | undefined;
  private lastSaved = -1;
  private lastKl = Number.NaN;
  private readonly rewardHistory: number[] = [];
  private progress!: Progress;

  private constructor(
    private readonly run: Run,
    private readonly section: RlSection,
    private readonly options: TrainOptions,
    private readonly where: OpenContext,
    private readonly backend: string,
    private readonly prompts: TrainPrompt[],
    private readonly start: StartModel,
    private readonly policy: Policy,
    private readonly algorithm: RlAlgorithm,
    private readonly composer: RewardComposer,
  ) {
    this.totalSteps = options.steps ?? section.steps ?? Math.ceil(prompts.length / algorithm.promptsPerStep);
    this.metrics = new JsonlLog(path.join(where.outputDir, 'metrics.jsonl'));
    this.rolloutLog = new JsonlLog(path.join(where.outputDir, 'rollouts.jsonl'));
    this.rng = TrainRng.create(section.seed, `${options.algo}/train`);
    this.sampleRng = EngineRng.fromSeed(TrainRng.create(section.seed, `${options.algo}/sample`).seed());
    this.cursor = PromptCursor.start(prompts.length, TrainRng.create(section.seed, `${options.algo}/data`));
    this.gate = new SafetyGate(section.safety_gate);
    this.slots = new ComposerSlots(section.reward_concurrency);
  }

  /** Loads the backend, prompts, starting policy and algorithm, then resumes or starts a run. */
  static async open(
    run: Run,
    section: RlSection,
    options: TrainOptions,
    makeAlgorithm: AlgorithmFactory,
    where: OpenContext,
  ): Promise<RlTrainer> {
    const { config, logger } = run;
    const backend = await initBackend(config.engine, logger);
    const prompts = await readPrompts(await promptsFile(run, section));
    const start = await loadStartModel(
      path.resolve(run.rootDir, section.model_path),
      config.model.path ? path.resolve(run.rootDir, config.model.path) : undefined,
      logger,
    );
    const lora = config.model.lora;
    const policy = Policy.create(
      start.model,
      start.tokenizer,
      { enabled: lora.enabled, r: lora.r, alpha: lora.alpha, dropout: lora.dropout, targetModules: lora.targetModules },
      section.seed,
      { gradientCheckpointing: section.gradient_checkpointing },
    );
    const algorithm = makeAlgorithm(policy);
    const composer = run.composer;
    const gateCfg = section.safety_gate;
    if (gateCfg.enabled && gateCfg.score !== 'total' && !composer.componentNames.includes(gateCfg.score)) {
      throw new ConfigError(
        `${options.algo}.safety_gate.score: "${gateCfg.score}" is not a reward component (components: ${composer.componentNames.join(', ')}; or use "total")`,
      );
    }
    const trainer = new RlTrainer(
      run,
      section,
      options,
      where,
      backend.backend,
      prompts,
      start,
      policy,
      algorithm,
      composer,
    );
    if (where.resumeDir) await trainer.restore(await loadCheckpoint(where.resumeDir));
    else await trainer.newRun();
    await trainer.prepareRun();
    return trainer;
  }

  private get batchOptions() {
    return {
      composer: this.composer,
      slots: this.slots,
      prompts: this.prompts,
      generationsPerPrompt: this.algorithm.generationsPerPrompt,
      signal: this.run.context.signal,
      onEvent: this.options.onRolloutEvent,
    };
  }

  /** `--resume`: the algorithm, weights, optimizer, streams, prompt position, gate and pending batches. */
  private async restore(loaded: LoadedCheckpoint): Promise<void> {
    const s = loaded.state;
    if (s.algo !== this.options.algo) {
      throw new MedrlError(`${loaded.dir} is a ${s.algo} checkpoint; resume it with --algo ${s.algo}`);
    }
    this.algorithm.restore(s);
    restoreParams(this.algorithm.params(), loaded.params, loaded.dir);
    this.algorithm.optimizer.load(loaded.optimizer);
    this.rng = TrainRng.fromState(s.rng);
    if (s.sample_rng) this.sampleRng = EngineRng.fromState(s.sample_rng);
    // Batches generated before the checkpoint for later steps: the same rows, judged again.
    for (const b of s.pending_batches ?? []) this.ahead.push(restoreBatch(b, this.batchOptions));
    if (s.lora_rng && this.policy.lora) this.policy.lora.restoreRngState(s.lora_rng);
    this.cursor = PromptCursor.restore(this.prompts.length, s.data);
    if (s.reward_norm) this.composer.restore(s.reward_norm);
    if (s.safety) this.gate.restore(s.safety);
    this.startStep = s.step;
    this.resumedFrom = s.step;
    await this.metrics.truncateAfter(this.startStep);
    await this.rolloutLog.truncateAfter(this.startStep);
    this.runName = this.where.info?.name ?? newRunName(null);
    this.run.logger.info(
      `resuming run "${this.runName}" from ${loaded.dir} (step ${this.startStep} of ${this.totalSteps})`,
    );
  }

  /** A new run: the earlier one moves to runs/<its name> (or is deleted with --overwrite-output-dir). */
  private async newRun(): Promise<void> {
    const { config, logger } = this.run;
    this.runName = newRunName(config.output.run_name);
    const earlier = await clearForNewRun(this.where.outputDir, 'rl', {
      overwrite: config.output.overwrite_output_dir,
      logger,
    });
    this.earlierRun = earlier?.dir;
    await this.metrics.reset();
    await this.rolloutLog.reset();
  }

  /** run.json, the gate's prompts, the base of step adapters, and the warnings a run starts with. */
  private async prepareRun(): Promise<void> {
    const { logger } = this.run;
    const { outputDir, checkpointsDir } = this.where;
    const gateCfg = this.section.safety_gate;
    this.record = new RunRecord(
      outputDir,
      this.runName,
      this.options.algo,
      this.totalSteps,
      this.where.resumeDir ? this.where.info?.started_at : undefined,
    );
    await this.record.write(this.startStep, 'running');

    this.gateSet = gateCfg.enabled ? await gatePrompts(this.section, this.run.rootDir) : [];
    if (gateCfg.enabled && this.gateSet.length === 0) {
      logger.warn(
        `safety gate: no ${gateCfg.risk_levels.join('/')} prompts found in ${gateCfg.prompts.join(', ')}; the gate is off for this run`,
      );
    }
    // Step adapters need their base on disk: the start directory, or the merged SFT result written once.
    this.adapterBase =
      this.policy.lora && this.start.mergedFrom
        ? await writeStartModel(
            checkpointsDir,
            (d) => writeModelDir(d, this.policy.model, this.policy.tokenizer),
            this.resumedFrom !== undefined,
          )
        : path.resolve(this.run.rootDir, this.section.model_path);
    if (this.run.registry.writers.entries().length === 0) {
      logger.warn(
        'no checkpoint writer is registered: checkpoints hold only the trainer state (add @medrl/plugin-checkpoint-hf)',
      );
    }
  }

  private get gateOn(): boolean {
    return this.gateSet.length > 0;
  }

  /** Every step from where the run stands, then the final checkpoint (or the interrupted one). */
  async train(): Promise<TrainSummary> {
    const { config, hooks, logger } = this.run;
    await hooks.emit('trainStart', {
      algo: this.options.algo,
      totalSteps: this.totalSteps,
      outputDir: this.where.outputDir,
      config: redactConfig(config as unknown as Record<string, unknown>),
      runName: this.runName,
      ...(this.resumedFrom !== undefined ? { resumedFrom: this.resumedFrom } : {}),
    });
    this.progress = createProgress(this.options.progress ?? config.output.progress, this.options.algo, logger, [
      'reward',
      'kl',
    ]);
    this.progress.start(this.totalSteps, this.startStep);
    this.step = this.startStep;
    try {
      if (this.gateOn && this.resumedFrom === undefined) await this.startBaseline();
      while (this.step < this.totalSteps) {
        if (stopRequested(this.run)) {
          if (!(await this.settle())) this.reason = 'interrupted';
          break;
        }
        if (await this.runStep()) break;
      }
      await this.settle(); // the last evaluation
    } catch (error) {
      await this.record.write(this.step, 'failed', error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      this.progress.stop();
    }
    return this.end();
  }

  /** The gate's step-0 evaluation: generated now, judged while step 1 generates. */
  private async startBaseline(): Promise<void> {
    const { hooks, logger } = this.run;
    const baseline = await this.startGate(0);
    this.unsettled = async () => {
      const verdict = await baseline.verdict();
      await this.metrics.append([{ step: 0, ...verdict.stats }]);
      await hooks.emit('log', { algo: this.options.algo, step: 0, values: verdict.stats });
      logger.info(
        `safety gate baseline: ${verdict.stats['safety/score']!.toFixed(4)} (${this.section.safety_gate.score})`,
      );
      if (this.section.safety_gate.action === 'rollback') await this.saveStep(0);
      return false;
    };
  }

  /** Generates a step's batch (or takes the one generated ahead), and the next one with overlap_judging. */
  private async takeBatch(current: number): Promise<RolloutBatch> {
    const generateFor = (step: number) =>
      generateBatch({
        ...this.batchOptions,
        policy: this.policy,
        promptIndices: this.cursor.take(this.algorithm.promptsPerStep),
        step,
        policyVersion: this.step,
        sampling: this.algorithm.sampling,
        maxPromptLength: this.section.max_prompt_length,
        rng: this.sampleRng,
      });
    this.inHand = this.ahead.shift() ?? (await generateFor(current));
    if (this.section.overlap_judging && current < this.totalSteps && this.ahead.length === 0) {
      // The next step's batch, sampled by the weights before this step's update.
      this.ahead.push(await generateFor(current + 1));
    }
    return this.inHand;
  }

  /** One step: rollouts, rewards, the update, stats, maybe a gate evaluation. True = stop training. */
  private async runStep(): Promise<boolean> {
    const { hooks } = this.run;
    const current = this.step + 1;
    const stepStart = performance.now();
    const batch = await this.takeBatch(current);
    await letRequestsLeave();
    this.algorithm.prepare?.(batch.samples);
    if (await this.settle()) return true;

    const rolloutList = batch.samples.map((s) => s.rollout);
    await hooks.emit('rollout', { step: current, rollouts: rolloutList });
    const waitStart = performance.now();
    const samples = await batch.scored();
    const rewardWait = (performance.now() - waitStart) / 1000;
    const breakdowns = samples.map((s) => s.breakdown);
    await hooks.emit('reward', { step: current, rollouts: rolloutList, breakdowns });

    const updateStats = await this.algorithm.update(samples, {
      step: current,
      totalSteps: this.totalSteps,
      rng: this.rng,
    });
    this.inHand = undefined;
    this.step = current;
    const stats: Record<string, number> = {
      ...updateStats,
      ...rewardStats(breakdowns, this.composer.componentNames),
      'time/rollout/generate': batch.generateSeconds,
      'time/rollout/reward_wait': rewardWait,
      // Updates between the weights that sampled the batch and the ones it just trained.
      ...(this.section.overlap_judging ? { 'rollout/policy_lag': current - 1 - batch.policyVersion } : {}),
    };
    if (this.gateOn && (current % this.section.eval_steps === 0 || current === this.totalSteps)) {
      const evaluation = await this.startGate(current);
      stats['time/safety/generate'] = evaluation.generateSeconds;
      stats['time/step'] = (performance.now() - stepStart) / 1000;
      this.unsettled = async () => this.finishStep(current, stats, samples, await evaluation.verdict());
      return false;
    }
    stats['time/step'] = (performance.now() - stepStart) / 1000;
    return this.finishStep(current, stats, samples);
  }

  /** Settles the gate evaluation being judged, if any; true = it stopped training. */
  private async settle(): Promise<boolean> {
    const pending = this.unsettled;
    this.unsettled = undefined;
    return pending ? pending() : false;
  }

  /**
   * Generates the gate's answers at the current weights (rows are judged as they finish) and
   * returns how to get the verdict: composing waits for the judge, so the caller decides when.
   */
  private async startGate(step: number) {
    const gateCfg = this.section.safety_gate;
    const started = performance.now();
    const answers = await generateGateAnswers({
      policy: this.policy,
      composer: this.composer,
      slots: this.slots,
      prompts: this.gateSet,
      step,
      maxNewTokens: gateCfg.max_new_tokens ?? this.algorithm.sampling.maxNewTokens,
      maxPromptLength: this.section.max_prompt_length,
      signal: this.run.context.signal,
      onEvent: this.options.onRolloutEvent,
    });
    const generateSeconds = (performance.now() - started) / 1000;
    return {
      generateSeconds,
      verdict: async (): Promise<SafetyVerdict> => {
        const breakdowns = this.composer.compose(answers.rollouts, await answers.scores);
        return this.gate.evaluate(step, gateScore(breakdowns, gateCfg.score));
      },
    };
  }

  /** Logs a finished step, writes its checkpoint when due and handles a gate trip; true = stop training. */
  private async finishStep(
    done: number,
    stats: Record<string, number>,
    samples: readonly ScoredSample[],
    verdict?: SafetyVerdict,
  ): Promise<boolean> {
    const { config, hooks } = this.run;
    if (verdict) Object.assign(stats, verdict.stats);
    await this.metrics.append([{ step: done, ...stats }]);
    await hooks.emit('log', { algo: this.options.algo, step: done, values: stats });
    if (config.output.log_rollouts) {
      await this.rolloutLog.append(
        samples.map((s) => ({
          step: done,
          id: s.rollout.id,
          prompt: s.rollout.prompt,
          completion: s.rollout.completion,
          finish_reason: s.finishReason,
          reward: s.breakdown,
        })),
      );
    }
    await hooks.emit('step', { step: done, stats });
    this.rewardHistory.push(stats['env/reward_mean']!);
    this.lastKl = stats[this.algorithm.klStat] ?? Number.NaN;
    this.progress.update(done, { reward: stats['env/reward_mean']!, kl: this.lastKl });

    await this.checkpointIfDue(done, verdict !== undefined && this.gate.best?.step === done);
    if (!verdict?.tripped) return false;
    await this.tripped(verdict);
    return true;
  }

  /** Every save_steps, and at the best gate score when a trip rolls back; keeps save_total_limit. */
  private async checkpointIfDue(done: number, isBestGate: boolean): Promise<void> {
    const { config, logger } = this.run;
    const { save_steps: saveSteps, safety_gate: gateCfg } = this.section;
    if (!((saveSteps !== null && done % saveSteps === 0) || (gateCfg.action === 'rollback' && isBestGate))) return;
    await this.saveStep(done);
    this.lastSaved = done;
    const keep = [done, ...(this.gate.best ? [this.gate.best.step] : [])];
    for (const removed of await rotateCheckpoints(this.where.checkpointsDir, config.output.save_total_limit, keep)) {
      logger.debug(`save_total_limit ${config.output.save_total_limit}: removed ${removed}`);
    }
  }

  /** The gate tripped: stop, or roll back to the step with the best gate score and stop. */
  private async tripped(verdict: SafetyVerdict): Promise<void> {
    this.reason = `safety gate: ${verdict.reason}`;
    const best = this.gate.best;
    if (this.section.safety_gate.action === 'rollback' && best) {
      const loaded = await loadCheckpoint(stepDir(this.where.checkpointsDir, best.step));
      restoreParams(this.algorithm.params(), loaded.params, loaded.dir);
      this.rolledBack = best.step;
      this.reason += `; rolled back to step_${best.step} (safety score ${best.score.toFixed(4)})`;
    } else {
      this.reason += '; stopped';
    }
    this.run.logger.warn(this.reason);
  }

  /** What a checkpoint keeps: the loop's fields (TrainerState) and the algorithm's own. */
  private trainerState(step: number, extra: { end_reason?: string } = {}): CheckpointState {
    const pending = [...(this.inHand ? [this.inHand] : []), ...this.ahead];
    return {
      format: 'medrl-trainer-state',
      version: 1,
      algo: this.options.algo,
      step,
      total_steps: this.totalSteps,
      seed: this.section.seed,
      rng: this.rng.state(),
      data: this.cursor.state(),
      ...this.algorithm.state(),
      reward_norm: this.composer.state(),
      safety: this.gate.state(),
      param_names: this.algorithm.params().map((p) => p.name),
      optimizer_step: this.algorithm.optimizer.steps,
      sample_rng: this.sampleRng.state(),
      ...(this.policy.lora ? { lora_rng: this.policy.lora.rngState() } : {}),
      // The prompt cursor and the sampler are past these: a resume must train on the same rows.
      ...(pending.length > 0 ? { pending_batches: pending.map((b) => b.state()) } : {}),
      ...extra,
    };
  }

  /** Writes one checkpoint directory (weights through the writer plugins, trainer state, tokenizer), then onCheckpoint. */
  private async writeCheckpoint(
    dir: string,
    step: number,
    state: CheckpointState,
    checkpoint: Checkpoint,
    final: boolean,
  ): Promise<void> {
    await saveCheckpoint({
      dir,
      checkpoint,
      writers: this.run.registry.writers.entries(),
      context: this.run.context,
      state,
      params: Object.fromEntries(
        this.algorithm
          .params()
          .map(({ name, variable }) => [
            name,
            { shape: [...variable.shape], data: Float32Array.from(variable.dataSync()) },
          ]),
      ),
      optimizer: this.algorithm.optimizer.state(),
      extra: (d) => this.policy.tokenizer.save(d),
    });
    await this.run.hooks.emit('checkpoint', { step, dir, final });
  }

  private async saveStep(step: number): Promise<string> {
    const dir = stepDir(this.where.checkpointsDir, step);
    const state = this.trainerState(step);
    const checkpoint = this.policy.stepCheckpoint(step, path.relative(dir, this.adapterBase), state);
    await this.writeCheckpoint(dir, step, state, checkpoint, false);
    return dir;
  }

  /** The end of the run: final_rl_model, or the interrupted run's last checkpoint; trainEnd; the summary. */
  private async end(): Promise<TrainSummary> {
    const { hooks, logger } = this.run;
    const { outputDir, checkpointsDir } = this.where;
    const { step, reason, totalSteps } = this;
    // A batch generated for a step that did not run; an interrupted run keeps those ahead for --resume.
    this.inHand = undefined;
    if (reason !== 'interrupted') this.ahead.length = 0;

    let finalDir: string | undefined;
    let checkpointDir: string | undefined;
    if (reason === 'interrupted') {
      if (this.lastSaved !== step && step > this.startStep) await this.saveStep(step);
      if (step > 0) checkpointDir = stepDir(checkpointsDir, step);
      await this.record.write(step, 'interrupted', `interrupted after step ${step}`);
      logger.warn(
        checkpointDir
          ? `interrupted after step ${step}/${totalSteps}; checkpoint ${checkpointDir}`
          : 'interrupted before the first step; nothing to resume',
      );
    } else {
      finalDir = path.join(checkpointsDir, FINAL_DIR);
      const finalStep = this.rolledBack ?? step;
      const state = this.trainerState(step, { end_reason: reason });
      const checkpoint = this.policy.finalCheckpoint(finalStep, state);
      await this.writeCheckpoint(finalDir, finalStep, state, checkpoint, true);
    }
    if (reason !== 'interrupted') await this.record.write(step, 'finished', reason);
    await hooks.emit('trainEnd', { step, outputDir, reason });
    this.algorithm.dispose();
    this.policy.dispose();

    const history = this.rewardHistory;
    const window = Math.min(5, history.length);
    return {
      algo: this.options.algo,
      steps: step,
      totalSteps,
      resumedFrom: this.resumedFrom,
      reason,
      outputDir,
      runName: this.runName,
      ...(this.earlierRun ? { earlierRun: this.earlierRun } : {}),
      ...(checkpointDir ? { checkpointDir } : {}),
      finalDir,
      rewardFirst: meanOf(history.slice(0, window)),
      rewardLast: meanOf(history.slice(history.length - window)),
      klLast: this.lastKl,
      seconds: (performance.now() - this.where.t0) / 1000,
      backend: this.backend,
    };
  }
}
