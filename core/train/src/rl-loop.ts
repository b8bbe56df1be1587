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
 */
import path from 'node:path';
import type { Checkpoint, RewardBreakdown } from '@medrl/sdk';
import {
  ConfigError,
  MedrlError,
  redactConfig,
  stopRequested,
  type GrpoSection,
  type PpoSection,
  type Run,
} from '@medrl/core';
import { initBackend, EngineRng } from '@medrl/engine';
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
  type TrainerState,
} from './checkpoint-state.js';
import { PromptCursor } from './data-cursor.js';
import type { AdamW, NamedParam } from './optimizer.js';
import { Policy, loadStartModel } from './policy.js';
import { createProgress, type ProgressMode } from './progress.js';
import { readPrompts, type TrainPrompt } from './prompts.js';
import {
  ComposerSlots,
  generateBatch,
  generateGateAnswers,
  letRequestsLeave,
  restoreBatch,
  type GeneratedSample,
  type PendingBatchState,
  type RolloutBatch,
  type RolloutEvent,
  type Sampling,
  type ScoredSample,
} from './rollouts.js';
import { TrainRng } from './rng.js';
import { JsonlLog } from './run-log.js';
import { SafetyGate, gateScore, meanOf, type SafetyVerdict } from './safety-gate.js';
import { writeModelDir } from './sft/tiny-start.js';
import { pathExists } from '@medrl/sdk/io';
import { RunRecord, clearForNewRun, finishedLine, newRunName, resumeTarget } from './run-dir.js';

/** What an algorithm (PPO, GRPO) plugs into the loop. */
export interface RlAlgorithm {
  readonly algo: 'ppo' | 'grpo';
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
  /** Algorithm state for checkpoints (KL controller, score moments). */
  state(): Pick<TrainerState, 'kl_ctl' | 'score_moments'>;
  restore(state: TrainerState): void;
  dispose(): void;
}

export interface TrainOptions {
  algo: 'ppo' | 'grpo';
  /** Overrides the section's `steps`. */
  steps?: number;
  /** Continue from the latest checkpoint. */
  resume?: boolean;
  progress?: ProgressMode;
  /** For tests: see when rows finish and when they are scored. */
  onRolloutEvent?: (event: RolloutEvent) => void;
}

export interface TrainSummary {
  algo: 'ppo' | 'grpo';
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
async function gatePrompts(section: PpoSection | GrpoSection, rootDir: string): Promise<TrainPrompt[]> {
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

/** Runs `medrl train` with the given algorithm; `makeAlgorithm` builds it on the loaded policy. */
export async function runRlTraining(
  run: Run,
  section: PpoSection | GrpoSection,
  options: TrainOptions,
  makeAlgorithm: AlgorithmFactory,
): Promise<TrainSummary> {
  const t0 = performance.now();
  const { config, rootDir, logger, hooks } = run;
  const resolve = (p: string) => path.resolve(rootDir, p);
  const outputDir = resolve(config.output.output_dir);
  const checkpointsDir = path.join(outputDir, 'checkpoints');
  for (const action of await recoverDirs(checkpointsDir)) logger.warn(`checkpoints: ${action}`);
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
    logger.warn(finishedLine(outputDir, info, 'medrl train'));
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
  const backend = await initBackend(config.engine, logger);

  // Prompts: the RL prompt file, else the SFT training file (as the original pipeline did).
  let promptsFile = resolve(section.prompts_path);
  if (!(await pathExists(promptsFile))) {
    const fallback = resolve(section.fallback_prompts_path);
    if (!(await pathExists(fallback))) {
      throw new MedrlError(
        `no training prompts: neither ${promptsFile} nor ${fallback} exists; run \`medrl prepare\` and \`medrl prepare-rl\``,
      );
    }
    logger.warn(`${promptsFile} not found; using ${fallback} as prompts`);
    promptsFile = fallback;
  }
  const prompts = await readPrompts(promptsFile);

  const start = await loadStartModel(
    resolve(section.model_path),
    config.model.path ? resolve(config.model.path) : undefined,
    logger,
  );
  const lora = config.model.lora;
  const policy = Policy.create(
    start.model,
    start.tokenizer,
    {
      enabled: lora.enabled,
      r: lora.r,
      alpha: lora.alpha,
      dropout: lora.dropout,
      targetModules: lora.targetModules,
    },
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

  const perStep = algorithm.promptsPerStep;
  const totalSteps = options.steps ?? section.steps ?? Math.ceil(prompts.length / perStep);
  const metrics = new JsonlLog(path.join(outputDir, 'metrics.jsonl'));
  const rolloutLog = new JsonlLog(path.join(outputDir, 'rollouts.jsonl'));

  let rng = TrainRng.create(section.seed, `${options.algo}/train`);
  let sampleRng = EngineRng.fromSeed(TrainRng.create(section.seed, `${options.algo}/sample`).seed());
  let cursor = PromptCursor.start(prompts.length, TrainRng.create(section.seed, `${options.algo}/data`));
  const gate = new SafetyGate(gateCfg);
  let startStep = 0;
  let resumedFrom: number | undefined;
  const overlap = section.overlap_judging;
  const slots = new ComposerSlots(section.reward_concurrency);
  const batchOptions = {
    composer,
    slots,
    prompts,
    generationsPerPrompt: algorithm.generationsPerPrompt,
    signal: run.context.signal,
    onEvent: options.onRolloutEvent,
  };
  /** Batches generated before their step (overlap_judging), or kept by the checkpoint resumed from. */
  const ahead: RolloutBatch[] = [];
  /** The batch of the step in progress, from its generation to its update. */
  let inHand: RolloutBatch | undefined;

  let runName: string;
  let earlierRun: string | undefined;
  if (target.dir) {
    const loaded = await loadCheckpoint(target.dir);
    const s = loaded.state;
    if (s.algo !== options.algo) {
      throw new MedrlError(`${loaded.dir} is a ${s.algo} checkpoint; resume it with --algo ${s.algo}`);
    }
    algorithm.restore(s);
    restoreParams(algorithm.params(), loaded.params, loaded.dir);
    algorithm.optimizer.load(loaded.optimizer);
    rng = TrainRng.fromState(s.rng);
    const extraState = s as TrainerState & {
      sample_rng?: number[];
      lora_rng?: number[];
      pending_batches?: PendingBatchState[];
    };
    if (extraState.sample_rng) sampleRng = EngineRng.fromState(extraState.sample_rng);
    // Batches generated before the checkpoint for later steps: the same rows, judged again.
    for (const b of extraState.pending_batches ?? []) ahead.push(restoreBatch(b, batchOptions));
    if (extraState.lora_rng && policy.lora) policy.lora.restoreRngState(extraState.lora_rng);
    cursor = PromptCursor.restore(prompts.length, s.data);
    if (s.reward_norm) composer.restore(s.reward_norm);
    if (s.safety) gate.restore(s.safety);
    startStep = s.step;
    resumedFrom = s.step;
    await metrics.truncateAfter(startStep);
    await rolloutLog.truncateAfter(startStep);
    runName = info?.name ?? newRunName(null);
    logger.info(`resuming run "${runName}" from ${loaded.dir} (step ${startStep} of ${totalSteps})`);
  } else {
    // A new run: the earlier one moves to runs/<its name> (or is deleted with --overwrite-output-dir).
    runName = newRunName(config.output.run_name);
    const earlier = await clearForNewRun(outputDir, 'rl', { overwrite: config.output.overwrite_output_dir, logger });
    earlierRun = earlier?.dir;
    await metrics.reset();
    await rolloutLog.reset();
  }

  const record = new RunRecord(outputDir, runName, options.algo, totalSteps, target.dir ? info?.started_at : undefined);
  await record.write(startStep, 'running');

  const gateSet = gateCfg.enabled ? await gatePrompts(section, rootDir) : [];
  if (gateCfg.enabled && gateSet.length === 0) {
    logger.warn(
      `safety gate: no ${gateCfg.risk_levels.join('/')} prompts found in ${gateCfg.prompts.join(', ')}; the gate is off for this run`,
    );
  }
  const gateOn = gateSet.length > 0;

  const trainerState = (step: number, extra: Partial<TrainerState> = {}): TrainerState & Record<string, unknown> => ({
    format: 'medrl-trainer-state',
    version: 1,
    algo: options.algo,
    step,
    total_steps: totalSteps,
    seed: section.seed,
    rng: rng.state(),
    data: cursor.state(),
    ...algorithm.state(),
    reward_norm: composer.state(),
    safety: gate.state(),
    param_names: algorithm.params().map((p) => p.name),
    optimizer_step: algorithm.optimizer.steps,
    sample_rng: sampleRng.state(),
    ...(policy.lora ? { lora_rng: policy.lora.rngState() } : {}),
    // The prompt cursor and the sampler are past these: a resume must train on the same rows.
    ...(inHand || ahead.length > 0
      ? { pending_batches: [...(inHand ? [inHand] : []), ...ahead].map((b) => b.state()) }
      : {}),
    ...extra,
  });
  const exportParams = () =>
    Object.fromEntries(
      algorithm
        .params()
        .map(({ name, variable }) => [
          name,
          { shape: [...variable.shape], data: Float32Array.from(variable.dataSync()) },
        ]),
    );
  const writers = run.registry.writers.entries();
  // Step adapters need their base on disk: the start directory, or the merged SFT result written once.
  const adapterBase =
    policy.lora && start.mergedFrom
      ? await writeStartModel(
          checkpointsDir,
          (d) => writeModelDir(d, policy.model, policy.tokenizer),
          resumedFrom !== undefined,
        )
      : resolve(section.model_path);
  /** Writes one checkpoint directory (weights through the writer plugins, trainer state, tokenizer), then onCheckpoint. */
  const writeCheckpoint = async (
    dir: string,
    step: number,
    state: ReturnType<typeof trainerState>,
    checkpoint: Checkpoint,
    final: boolean,
  ) => {
    await saveCheckpoint({
      dir,
      checkpoint,
      writers,
      context: run.context,
      state,
      params: exportParams(),
      optimizer: algorithm.optimizer.state(),
      extra: (d) => policy.tokenizer.save(d),
    });
    await hooks.emit('checkpoint', { step, dir, final });
  };
  const saveStep = async (step: number) => {
    const dir = stepDir(checkpointsDir, step);
    const state = trainerState(step);
    const checkpoint = policy.stepCheckpoint(
      step,
      path.relative(dir, adapterBase),
      state as unknown as Record<string, unknown>,
    );
    await writeCheckpoint(dir, step, state, checkpoint, false);
    return dir;
  };

  /**
   * Generates the gate's answers at the current weights (rows are judged as they finish) and
   * returns how to get the verdict: composing waits for the judge, so the caller decides when.
   */
  const startGate = async (step: number) => {
    const started = performance.now();
    const answers = await generateGateAnswers({
      policy,
      composer,
      slots,
      prompts: gateSet,
      step,
      maxNewTokens: gateCfg.max_new_tokens ?? algorithm.sampling.maxNewTokens,
      maxPromptLength: section.max_prompt_length,
      signal: run.context.signal,
      onEvent: options.onRolloutEvent,
    });
    const generateSeconds = (performance.now() - started) / 1000;
    return {
      generateSeconds,
      verdict: async (): Promise<SafetyVerdict> => {
        const breakdowns = composer.compose(answers.rollouts, await answers.scores);
        return gate.evaluate(step, gateScore(breakdowns, gateCfg.score));
      },
    };
  };

  if (writers.length === 0) {
    logger.warn(
      'no checkpoint writer is registered: checkpoints hold only the trainer state (add @medrl/plugin-checkpoint-hf)',
    );
  }
  await hooks.emit('trainStart', {
    algo: options.algo,
    totalSteps,
    outputDir,
    config: redactConfig(config as unknown as Record<string, unknown>),
    runName,
    ...(resumedFrom !== undefined ? { resumedFrom } : {}),
  });

  const progress = createProgress(options.progress ?? config.output.progress, options.algo, logger, ['reward', 'kl']);
  progress.start(totalSteps, startStep);
  const rewardHistory: number[] = [];
  let lastKl = Number.NaN;
  let reason = 'finished';
  let step = startStep;
  let rolledBack: number | undefined;
  let lastSaved = -1;

  /** Logs a finished step, writes its checkpoint when due and handles a gate trip; true = stop training. */
  const finishStep = async (
    done: number,
    stats: Record<string, number>,
    samples: readonly ScoredSample[],
    verdict?: SafetyVerdict,
  ): Promise<boolean> => {
    if (verdict) Object.assign(stats, verdict.stats);
    await metrics.append([{ step: done, ...stats }]);
    await hooks.emit('log', { algo: options.algo, step: done, values: stats });
    if (config.output.log_rollouts) {
      await rolloutLog.append(
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
    rewardHistory.push(stats['env/reward_mean']!);
    lastKl = stats[algorithm.klStat] ?? Number.NaN;
    progress.update(done, { reward: stats['env/reward_mean']!, kl: lastKl });

    const isBestGate = verdict !== undefined && gate.best?.step === done;
    if (
      (section.save_steps !== null && done % section.save_steps === 0) ||
      (gateCfg.action === 'rollback' && isBestGate)
    ) {
      await saveStep(done);
      lastSaved = done;
      const keep = [done, ...(gate.best ? [gate.best.step] : [])];
      for (const removed of await rotateCheckpoints(checkpointsDir, config.output.save_total_limit, keep)) {
        logger.debug(`save_total_limit ${config.output.save_total_limit}: removed ${removed}`);
      }
    }
    if (!verdict?.tripped) return false;
    reason = `safety gate: ${verdict.reason}`;
    if (gateCfg.action === 'rollback' && gate.best) {
      const best = gate.best;
      const loaded = await loadCheckpoint(stepDir(checkpointsDir, best.step));
      restoreParams(algorithm.params(), loaded.params, loaded.dir);
      rolledBack = best.step;
      reason += `; rolled back to step_${best.step} (safety score ${best.score.toFixed(4)})`;
    } else {
      reason += '; stopped';
    }
    logger.warn(reason);
    return true;
  };

  // A gate evaluation being judged: settled before the next update (the first thing its verdict
  // could change), so its judge calls run beside the next step's generation and forward passes.
  let unsettled: (() => Promise<boolean>) | undefined;
  const settle = async (): Promise<boolean> => {
    const pending = unsettled;
    unsettled = undefined;
    return pending ? pending() : false;
  };

  try {
    if (gateOn && resumedFrom === undefined) {
      const baseline = await startGate(0);
      unsettled = async () => {
        const verdict = await baseline.verdict();
        await metrics.append([{ step: 0, ...verdict.stats }]);
        await hooks.emit('log', { algo: options.algo, step: 0, values: verdict.stats });
        logger.info(`safety gate baseline: ${verdict.stats['safety/score']!.toFixed(4)} (${gateCfg.score})`);
        if (gateCfg.action === 'rollback') await saveStep(0);
        return false;
      };
    }
    while (step < totalSteps) {
      if (stopRequested(run)) {
        if (!(await settle())) reason = 'interrupted';
        break;
      }
      const current = step + 1;
      const stepStart = performance.now();
      inHand =
        ahead.shift() ??
        (await generateBatch({
          ...batchOptions,
          policy,
          promptIndices: cursor.take(perStep),
          step: current,
          policyVersion: step,
          sampling: algorithm.sampling,
          maxPromptLength: section.max_prompt_length,
          rng: sampleRng,
        }));
      const batch = inHand;
      if (overlap && current < totalSteps && ahead.length === 0) {
        // The next step's batch, sampled by the weights before this step's update.
        ahead.push(
          await generateBatch({
            ...batchOptions,
            policy,
            promptIndices: cursor.take(perStep),
            step: current + 1,
            policyVersion: step,
            sampling: algorithm.sampling,
            maxPromptLength: section.max_prompt_length,
            rng: sampleRng,
          }),
        );
      }
      await letRequestsLeave();
      algorithm.prepare?.(batch.samples);
      if (await settle()) break;

      const rolloutList = batch.samples.map((s) => s.rollout);
      await hooks.emit('rollout', { step: current, rollouts: rolloutList });
      const waitStart = performance.now();
      const samples = await batch.scored();
      const rewardWait = (performance.now() - waitStart) / 1000;
      const breakdowns = samples.map((s) => s.breakdown);
      await hooks.emit('reward', { step: current, rollouts: rolloutList, breakdowns });

      const updateStats = await algorithm.update(samples, { step: current, totalSteps, rng });
      inHand = undefined;
      step = current;
      const stats: Record<string, number> = {
        ...updateStats,
        ...rewardStats(breakdowns, composer.componentNames),
        'time/rollout/generate': batch.generateSeconds,
        'time/rollout/reward_wait': rewardWait,
        // Updates between the weights that sampled the batch and the ones it just trained.
        ...(overlap ? { 'rollout/policy_lag': current - 1 - batch.policyVersion } : {}),
      };
      if (gateOn && (step % section.eval_steps === 0 || step === totalSteps)) {
        const evaluation = await startGate(step);
        stats['time/safety/generate'] = evaluation.generateSeconds;
        stats['time/step'] = (performance.now() - stepStart) / 1000;
        unsettled = async () => finishStep(current, stats, samples, await evaluation.verdict());
      } else {
        stats['time/step'] = (performance.now() - stepStart) / 1000;
        if (await finishStep(step, stats, samples)) break;
      }
    }
    await settle(); // the last evaluation
  } catch (error) {
    await record.write(step, 'failed', error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    progress.stop();
  }
  // A batch generated for a step that did not run; an interrupted run keeps those ahead for --resume.
  inHand = undefined;
  if (reason !== 'interrupted') ahead.length = 0;

  let finalDir: string | undefined;
  let checkpointDir: string | undefined;
  if (reason === 'interrupted') {
    if (lastSaved !== step && step > startStep) await saveStep(step);
    if (step > 0) checkpointDir = stepDir(checkpointsDir, step);
    await record.write(step, 'interrupted', `interrupted after step ${step}`);
    logger.warn(
      checkpointDir
        ? `interrupted after step ${step}/${totalSteps}; checkpoint ${checkpointDir}`
        : 'interrupted before the first step; nothing to resume',
    );
  } else {
    finalDir = path.join(checkpointsDir, FINAL_DIR);
    const finalStep = rolledBack ?? step;
    const state = trainerState(step, { end_reason: reason });
    const checkpoint = policy.finalCheckpoint(finalStep, state as unknown as Record<string, unknown>);
    await writeCheckpoint(finalDir, finalStep, state, checkpoint, true);
  }
  if (reason !== 'interrupted') await record.write(step, 'finished', reason);
  await hooks.emit('trainEnd', { step, outputDir, reason });
  algorithm.dispose();
  policy.dispose();

  const window = Math.min(5, rewardHistory.length);
  return {
    algo: options.algo,
    steps: step,
    totalSteps,
    resumedFrom,
    reason,
    outputDir,
    runName,
    ...(earlierRun ? { earlierRun } : {}),
    ...(checkpointDir ? { checkpointDir } : {}),
    finalDir,
    rewardFirst: meanOf(rewardHistory.slice(0, window)),
    rewardLast: meanOf(rewardHistory.slice(rewardHistory.length - window)),
    klLast: lastKl,
    seconds: (performance.now() - t0) / 1000,
    backend: backend.backend,
  };
}
