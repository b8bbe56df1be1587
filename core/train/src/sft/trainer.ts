/**
 * `medrl sft`: supervised fine-tuning on prepared records. Each record becomes the chat-template
 * rendering of its question with the generation prompt, followed by the target
 * `<think>{think}</think>\n{answer}` and the end-of-turn token; with assistant_only_loss the loss
 * covers only the target tokens. A checkpoint (model.path, else the embedded model) trains LoRA
 * adapters (model.lora) or all its weights; with model.from_scratch a new model of the tiny shape is
 * built (its tokenizer from the data) and trains all its weights. AdamW with warmup and a linear/cosine/constant schedule, gradient accumulation
 * and norm clipping; eval loss on dev; the result goes to <output_dir>/final_lora, atomically.
 * Every save_steps (and when interrupted) a resumable checkpoint goes to
 * <output_dir>/checkpoints/step_N: weights, Adam moments, the data order and position, RNG states
 * and the loss windows, so that `--resume` ends with the weights an uninterrupted run ends with.
 */
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '@medrl/sdk';
import { redactConfig, MedrlError, stopRequested, splitThink, type Run } from '@medrl/core';
import {
  initBackend,
  loadQwen3,
  tokenLogprobs,
  LoraAdapters,
  type Qwen3Model,
  loadDefaultTokenizer,
  loadTokenizer,
  type Tokenizer,
  baseModelDir,
} from '@medrl/engine';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, writeSafetensorsFile } from '@medrl/engine/codec';
import {
  listCheckpoints,
  loadCheckpoint,
  restoreParams,
  rotateCheckpoints,
  runCheckpointWriters,
  saveCheckpoint,
  stepDir,
  type TrainerState,
} from '../checkpoint-state.js';
import { RunRecord, clearForNewRun, finishedLine, newRunName, resumeTarget } from '../run-dir.js';
import { recoverDirs, writeDirAtomic } from '../atomic-dir.js';
import { accumulatedStep, AdamW, learningRateAt, type NamedParam } from '../optimizer.js';
import { chunks } from '../ppo/config.js';
import { createProgress, type ProgressMode } from '../progress.js';
import { readPrompts, type TrainPrompt } from '../prompts.js';
import { TrainRng } from '../rng.js';
import { JsonlLog } from '../run-log.js';
import { createTinyModel, writeModelDir } from './tiny-start.js';

export const SFT_FINAL_DIR = 'final_lora';

/** One training example in token ids, with the positions whose prediction counts. */
export interface SftExample {
  ids: number[];
  /** lossMask[t] = 1 when token t is a target (its prediction from t - 1 enters the loss). */
  lossMask: number[];
}

/** `<think>{think}</think>\n{answer}` from a record's output (`<think>...</think>answer` or a plain answer). */
export function sftTarget(output: string): string {
  const { think, answer } = splitThink(output);
  return `<think>${think ?? ''}</think>\n${answer}`;
}

/** Tokenizes one record: rendered prompt + target + end of turn, cut to maxLength. */
export function encodeExample(
  tokenizer: Tokenizer,
  record: TrainPrompt,
  opts: { maxLength: number; assistantOnly: boolean },
): SftExample {
  const prompt = tokenizer.encodeChat(record.messages, { addGenerationPrompt: true });
  const end = tokenizer.specialTokenIds.imEnd ?? tokenizer.eosTokenIds[0]!;
  const target = [...tokenizer.encode(sftTarget(record.output ?? '')), end];
  const ids = [...prompt, ...target].slice(0, opts.maxLength);
  const lossMask = ids.map((_, t) => (t === 0 ? 0 : opts.assistantOnly ? (t >= prompt.length ? 1 : 0) : 1));
  return { ids, lossMask };
}

/**
 * Mean cross-entropy over the target tokens of a right-padded batch (differentiable). `recompute`
 * turns on gradient checkpointing (see ForwardOptions.recompute).
 */
export function sftLoss(
  model: Qwen3Model,
  batch: readonly SftExample[],
  pad: number,
  training: boolean,
  recompute = false,
): tf.Scalar {
  const b = batch.length;
  const width = Math.max(...batch.map((e) => e.ids.length));
  const ids = new Int32Array(b * width).fill(pad);
  const attention = new Int32Array(b * width);
  const targets = new Int32Array(b * (width - 1)).fill(pad);
  const mask = new Float32Array(b * (width - 1));
  batch.forEach((e, i) => {
    e.ids.forEach((id, t) => {
      ids[i * width + t] = id;
      attention[i * width + t] = 1;
      if (t > 0) {
        targets[i * (width - 1) + t - 1] = id;
        mask[i * (width - 1) + t - 1] = e.lossMask[t]!;
      }
    });
  });
  return tf.tidy(() => {
    const out = model.forward(tf.tensor2d(ids, [b, width], 'int32'), {
      attentionMask: tf.tensor2d(attention, [b, width], 'int32'),
      training,
      recompute,
    });
    const logits = tf.slice(out.logits, [0, 0, 0], [b, width - 1, model.config.vocab_size]) as tf.Tensor3D;
    const lp = tokenLogprobs(logits, tf.tensor2d(targets, [b, width - 1], 'int32'));
    const m = tf.tensor2d(mask, [b, width - 1]);
    return tf.div(tf.neg(tf.sum(tf.mul(lp, m))), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}

/** How many batches' worth of examples are sorted together by length (transformers' LengthGroupedSampler uses 50). */
export const LENGTH_GROUP_BATCHES = 50;

/**
 * One epoch's batches with little padding, from the epoch's random order: the order cut into groups
 * of LENGTH_GROUP_BATCHES batches, each group sorted by length (longest first) and cut into batches,
 * then the batches put in the order of the ranks of the order's first entries. Every example appears
 * exactly once; batches stay random in content and order, and everything follows from `order`, which
 * checkpoints keep (so --resume sees the same batches).
 */
export function lengthGroupedBatches(
  examples: readonly SftExample[],
  order: readonly number[],
  batchSize: number,
): number[][] {
  const batches: number[][] = [];
  for (const group of chunks(order, batchSize * LENGTH_GROUP_BATCHES)) {
    const sorted = [...group].sort((a, b) => examples[b]!.ids.length - examples[a]!.ids.length || a - b);
    batches.push(...chunks(sorted, batchSize));
  }
  // order[0..batches) are distinct random indices: their ranks are a random permutation of the batches.
  const keys = order.slice(0, batches.length);
  return batches
    .map((_, i) => i)
    .sort((a, b) => keys[a]! - keys[b]!)
    .map((i) => batches[i]!);
}

/**
 * The strings a from-scratch tokenizer is built from, as SFT will encode them: each record's prompt
 * rendered through Qwen3's chat template, and its target.
 */
async function scratchTexts(records: readonly TrainPrompt[], kind: 'qwen3' | 'characters'): Promise<string[]> {
  if (kind === 'characters')
    return records.flatMap((r) => [...r.messages.map((m) => m.content), sftTarget(r.output ?? '')]);
  const qwen3 = await loadDefaultTokenizer();
  return records.flatMap((r) => [
    qwen3.applyChatTemplate(r.messages, { addGenerationPrompt: true }),
    sftTarget(r.output ?? ''),
  ]);
}

export interface SftOptions {
  progress?: ProgressMode;
  /**
   * Continue the run in output_dir from its latest checkpoint: `true` fails when there is none;
   * `'auto'` (the main job) continues an unfinished run when there is one and starts fresh otherwise.
   */
  resume?: boolean | 'auto';
}

export interface SftSummary {
  outputDir: string;
  /** `<output_dir>/final_lora`, or undefined when the run did not finish. */
  finalDir?: string;
  kind: 'full' | 'lora';
  /** finished | interrupted | already finished (`--resume` on a finished run). */
  reason: 'finished' | 'interrupted' | 'already finished';
  runName: string;
  /** The step a resumed run continued after. */
  resumedFrom?: number;
  /** The latest resumable checkpoint (interrupted runs). */
  checkpointDir?: string;
  /** Where the earlier run in output_dir went (runs/<name>), when this run moved one. */
  earlierRun?: string;
  examples: number;
  optimizerSteps: number;
  totalSteps: number;
  /** Mean training loss over the first and the last `lossSteps` optimizer steps. */
  trainLossFirst: number;
  trainLossLast: number;
  lossSteps: number;
  /** Token-weighted mean loss over the eval records at the last evaluation. */
  evalLoss: number | null;
  evalRecords: number;
  seconds: number;
}

/** Steps averaged for the summary's first and last training loss: 10, or a quarter of a short run. */
const summarySteps = (totalSteps: number) => Math.max(1, Math.min(10, Math.floor(totalSteps / 4)));

/** What an SFT checkpoint adds to the trainer state. */
type SftOwnState = {
  sft: {
    run_name: string;
    examples: number;
    vocab_size: number;
    losses_first: number[];
    losses_last: number[];
    /** Step losses since the last row of sft_metrics.jsonl. */
    window: number[];
    eval_loss: number | null;
  };
};

async function fileExists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

const meanOf = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export async function runSft(run: Run, options: SftOptions = {}): Promise<SftSummary> {
  const t0 = performance.now();
  const { config, rootDir, logger, hooks } = run;
  const cfg = config.sft;
  const resolve = (p: string) => path.resolve(rootDir, p);
  const outputDir = resolve(cfg.output_dir);
  const checkpointsDir = path.join(outputDir, 'checkpoints');
  const finalDir = path.join(outputDir, SFT_FINAL_DIR);
  for (const action of [...(await recoverDirs(checkpointsDir)), ...(await recoverDirs(outputDir))]) {
    logger.warn(`sft: ${action}`);
  }

  // A finished run is not resumed; an unfinished one is, from its latest step checkpoint.
  const target = await resumeTarget(
    outputDir,
    finalDir,
    await listCheckpoints(checkpointsDir),
    options.resume,
    'medrl sft',
  );
  const info = target.info;
  if (target.finished) {
    logger.warn(finishedLine(outputDir, info, 'medrl sft'));
    return {
      outputDir,
      finalDir,
      kind: config.model.path && config.model.lora.enabled ? 'lora' : 'full',
      reason: 'already finished',
      runName: info?.name ?? '',
      examples: 0,
      optimizerSteps: info?.step ?? 0,
      totalSteps: info?.total_steps ?? 0,
      trainLossFirst: Number.NaN,
      trainLossLast: Number.NaN,
      lossSteps: 0,
      evalLoss: null,
      evalRecords: 0,
      seconds: (performance.now() - t0) / 1000,
    };
  }
  const resumeDir = target.dir;

  await initBackend(config.engine, logger);
  const trainFile = resolve(cfg.train_file);
  if (!(await fileExists(trainFile))) {
    throw new MedrlError(`${trainFile} not found; run \`medrl prepare\` first (or set sft.train_file)`);
  }
  const train = await readPrompts(trainFile, { requireOutput: true });
  if (train.length === 0) throw new MedrlError(`${trainFile} has no records`);
  const evalFile = cfg.eval_file ? resolve(cfg.eval_file) : undefined;
  let evalSet: TrainPrompt[] = [];
  if (evalFile && (await fileExists(evalFile))) evalSet = await readPrompts(evalFile, { requireOutput: true });
  else if (evalFile) logger.warn(`sft: ${evalFile} not found; no eval loss`);
  if (cfg.max_eval_samples !== null) evalSet = evalSet.slice(0, cfg.max_eval_samples);

  // The model: a checkpoint (model.path, else the embedded model) with LoRA or all weights, or a
  // new model built from scratch (model.from_scratch).
  let model: Qwen3Model;
  let tokenizer: Tokenizer;
  let lora: LoraAdapters | undefined;
  const basePath = config.model.from_scratch
    ? undefined
    : baseModelDir(config.model.path ? resolve(config.model.path) : undefined);
  if (basePath) {
    model = await loadQwen3(basePath, { logger });
    tokenizer = await loadTokenizer(basePath);
    if (config.model.lora.enabled) {
      const l = config.model.lora;
      lora = LoraAdapters.attach(model, {
        r: l.r,
        alpha: l.alpha,
        dropout: l.dropout,
        targetModules: l.targetModules,
        seed: cfg.seed,
      });
    }
  } else {
    const tiny = await createTinyModel(
      await scratchTexts([...train, ...evalSet], config.model.tiny.tokenizer),
      config.model.tiny,
      {
        seed: config.model.seed,
      },
    );
    model = tiny.model;
    tokenizer = tiny.tokenizer;
    logger.info(
      `sft: new model from scratch (${tokenizer.source}, vocab ${model.config.vocab_size}, ${model.config.num_hidden_layers} layers, hidden ${model.config.hidden_size}, ${(model.numParams / 1e6).toFixed(2)}M parameters)`,
    );
  }
  const params: NamedParam[] = lora
    ? [...lora.adapters].flatMap(([module, a]) => [
        { name: `${module}.lora_A`, variable: a.a },
        { name: `${module}.lora_B`, variable: a.b },
      ])
    : [...model.params].map(([name, variable]) => ({ name, variable }));
  if (!lora) model.setTrainable(() => true);

  const encode = (r: TrainPrompt) =>
    encodeExample(tokenizer, r, { maxLength: cfg.max_length, assistantOnly: cfg.assistant_only_loss });
  const trainExamples = train.map(encode);
  const evalExamples = evalSet.map(encode);
  const pad = tokenizer.padTokenId;

  const batchesPerEpoch = Math.ceil(trainExamples.length / cfg.per_device_train_batch_size);
  const stepsPerEpoch = Math.ceil(batchesPerEpoch / cfg.gradient_accumulation_steps);
  const totalSteps = Math.ceil(stepsPerEpoch * cfg.num_train_epochs);
  const SUMMARY_STEPS = summarySteps(totalSteps);
  const warmup = cfg.warmup_steps > 0 ? cfg.warmup_steps : Math.ceil(cfg.warmup_ratio * totalSteps);
  const optimizer = new AdamW(params, { weightDecay: cfg.weight_decay });
  const peakLr = cfg.learning_rate ?? (basePath ? 2e-5 : 1e-3);
  logger.info(
    `sft: peak learning rate ${peakLr} (${cfg.learning_rate !== null ? 'sft.learning_rate' : `sft.learning_rate unset: the default for ${basePath ? 'a checkpoint' : 'the tiny model'}`})`,
  );
  const log = new JsonlLog(path.join(outputDir, 'sft_metrics.jsonl'));

  // Training position: the shuffled order of the current epoch and how many of its optimizer
  // steps are done; a checkpoint stores them with the RNG that draws the next epoch's order.
  let rng = TrainRng.create(cfg.seed, 'sft/data');
  let order: number[] | undefined;
  let epoch = 0;
  let cursor = 0;
  let step = 0;
  let lossesFirst: number[] = [];
  let lossesLast: number[] = [];
  let window: number[] = [];
  let evalLoss: number | null = null;
  let runName: string;
  let resumedFrom: number | undefined;
  let earlierRun: string | undefined;
  if (resumeDir) {
    const loaded = await loadCheckpoint<SftOwnState>(resumeDir);
    const s = loaded.state;
    if (s.algo !== 'sft' || !s.sft) throw new MedrlError(`${loaded.dir} is a ${s.algo} checkpoint, not an SFT one`);
    if (s.sft.examples !== trainExamples.length || s.sft.vocab_size !== model.config.vocab_size) {
      throw new MedrlError(
        `${loaded.dir}: made with ${s.sft.examples} training records and a ${s.sft.vocab_size}-token vocabulary, ` +
          `now ${trainExamples.length} and ${model.config.vocab_size}: resume needs the same data and model`,
      );
    }
    if (s.total_steps !== totalSteps) {
      throw new MedrlError(
        `${loaded.dir}: made for ${s.total_steps} optimizer steps, the config now gives ${totalSteps}: resume needs the same ` +
          'sft.num_train_epochs, per_device_train_batch_size and gradient_accumulation_steps',
      );
    }
    restoreParams(params, loaded.params, loaded.dir);
    optimizer.load(loaded.optimizer);
    rng = TrainRng.fromState(s.data.rng);
    order = s.data.order;
    epoch = s.data.epoch;
    cursor = s.data.cursor;
    if (s.lora_rng && lora) lora.restoreRngState(s.lora_rng);
    step = s.step;
    resumedFrom = s.step;
    lossesFirst = s.sft.losses_first;
    lossesLast = s.sft.losses_last;
    window = s.sft.window;
    evalLoss = s.sft.eval_loss;
    runName = s.sft.run_name;
    await log.truncateAfter(step);
    logger.info(`sft: resuming run "${runName}" from ${loaded.dir} (step ${step} of ${totalSteps})`);
  } else {
    runName = newRunName(config.output.run_name);
    const earlier = await clearForNewRun(outputDir, 'sft', { overwrite: config.output.overwrite_output_dir, logger });
    earlierRun = earlier?.dir;
    await log.reset();
  }
  const record = new RunRecord(outputDir, runName, 'sft', totalSteps, resumeDir ? info?.started_at : undefined);
  await record.write(step, 'running');

  const evaluate = (): number | null => {
    if (evalExamples.length === 0) return null;
    let weighted = 0;
    let tokens = 0;
    for (const batch of chunks(evalExamples, cfg.per_device_eval_batch_size)) {
      const n = batch.reduce((a, e) => a + e.lossMask.reduce((x, y) => x + y, 0), 0);
      const loss = sftLoss(model, batch, pad, false);
      weighted += loss.dataSync()[0]! * n;
      tokens += n;
      loss.dispose();
    }
    return weighted / Math.max(tokens, 1);
  };

  const writers = run.registry.writers.entries();
  // The adapters' base is named relative to the directory they are written to: a moved run still loads.
  const modelCheckpoint = (dir: string): Checkpoint =>
    lora
      ? { step, ...lora.exportPeft(basePath ? path.relative(dir, basePath) : ''), kind: 'lora' }
      : { kind: 'full', step, tensors: model.exportTensors(), config: model.hfConfig(tokenizer.modelConfigIds()) };
  /** Model files for a directory when no writer plugin is registered (so `medrl train` can start from them). */
  const writeOwnModelFiles = async (dir: string, checkpoint: Checkpoint) => {
    if (writers.length > 0) return;
    if (lora) {
      await writeSafetensorsFile(path.join(dir, ADAPTER_WEIGHTS_FILE), checkpoint.tensors, {
        metadata: { format: 'pt' },
      });
      await writeFile(path.join(dir, ADAPTER_CONFIG_FILE), `${JSON.stringify(checkpoint.config, null, 2)}\n`);
    } else {
      await writeModelDir(dir, model, tokenizer);
    }
  };
  if (writers.length === 0) {
    logger.warn('sft: no checkpoint writer registered; writing model files with the built-in encoder');
  }
  const trainerState = (): TrainerState & SftOwnState => ({
    format: 'medrl-trainer-state',
    version: 1,
    algo: 'sft',
    step,
    total_steps: totalSteps,
    seed: cfg.seed,
    rng: rng.state(),
    data: { epoch, cursor, order: order ?? [], rng: rng.state() },
    param_names: params.map((p) => p.name),
    optimizer_step: optimizer.steps,
    ...(lora ? { lora_rng: lora.rngState() } : {}),
    sft: {
      run_name: runName,
      examples: trainExamples.length,
      vocab_size: model.config.vocab_size,
      losses_first: lossesFirst,
      losses_last: lossesLast,
      window,
      eval_loss: evalLoss,
    },
  });
  let lastSaved = resumedFrom ?? -1;
  const saveStep = async (): Promise<string> => {
    const dir = stepDir(checkpointsDir, step);
    const checkpoint = modelCheckpoint(dir);
    await saveCheckpoint({
      dir,
      checkpoint,
      writers,
      context: run.context,
      state: trainerState(),
      params: Object.fromEntries(
        params.map(({ name, variable }) => [
          name,
          { shape: [...variable.shape], data: Float32Array.from(variable.dataSync()) },
        ]),
      ),
      optimizer: optimizer.state(),
      extra: async (d) => {
        await writeOwnModelFiles(d, checkpoint);
        await tokenizer.save(d);
      },
    });
    lastSaved = step;
    await hooks.emit('checkpoint', { step, dir, final: false });
    for (const removed of await rotateCheckpoints(checkpointsDir, cfg.save_total_limit, [step])) {
      logger.debug(`sft: save_total_limit ${cfg.save_total_limit}: removed ${removed}`);
    }
    return dir;
  };

  await hooks.emit('trainStart', {
    algo: 'sft',
    totalSteps,
    outputDir,
    config: redactConfig(config as unknown as Record<string, unknown>),
    runName,
    ...(resumedFrom !== undefined ? { resumedFrom } : {}),
  });
  const progress = createProgress(options.progress ?? config.output.progress, 'sft', logger, ['loss', 'eval_loss']);
  progress.start(totalSteps, step);
  let reason: SftSummary['reason'] = 'finished';
  const startStep = step;
  try {
    while (step < totalSteps) {
      // Let the event loop run: a step without I/O (no metrics row) would otherwise never see a signal.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stopRequested(run)) {
        reason = 'interrupted';
        break;
      }
      if (!order) order = rng.permutation(trainExamples.length);
      const batches = cfg.group_by_length
        ? lengthGroupedBatches(trainExamples, order, cfg.per_device_train_batch_size)
        : chunks(order, cfg.per_device_train_batch_size);
      const groups = chunks(batches, cfg.gradient_accumulation_steps);
      if (cursor >= groups.length) {
        epoch += 1;
        cursor = 0;
        order = rng.permutation(trainExamples.length);
        continue;
      }
      const group = groups[cursor]!;
      const lr = learningRateAt(peakLr, step, totalSteps, warmup, cfg.lr_scheduler_type);
      const { losses, gradNorm } = accumulatedStep(
        optimizer,
        params,
        group,
        (batch) =>
          tf.div(
            sftLoss(
              model,
              batch.map((i) => trainExamples[i]!),
              pad,
              true,
              cfg.gradient_checkpointing,
            ),
            group.length,
          ) as tf.Scalar,
        { maxGradNorm: cfg.max_grad_norm, lr },
      );
      const stepLoss = losses.reduce((a, b) => a + b, 0);
      step += 1;
      cursor += 1;
      if (lossesFirst.length < SUMMARY_STEPS) lossesFirst.push(stepLoss);
      lossesLast = [...lossesLast, stepLoss].slice(-SUMMARY_STEPS);
      window.push(stepLoss);
      const stats: Record<string, number> = {
        loss: stepLoss,
        learning_rate: lr,
        grad_norm: gradNorm,
        epoch: step / stepsPerEpoch,
      };
      const endOfEpoch = step % stepsPerEpoch === 0 || step === totalSteps;
      // The last step always evaluates, so the run ends with its final dev loss.
      if (cfg.eval_steps !== null ? step % cfg.eval_steps === 0 || step === totalSteps : endOfEpoch) {
        evalLoss = evaluate();
        if (evalLoss !== null) stats.eval_loss = evalLoss;
      }
      await hooks.emit('step', { step, stats });
      // One row per logging_steps (and at each eval and the last step): the mean loss since the previous row.
      if (step % cfg.logging_steps === 0 || step === totalSteps || stats.eval_loss !== undefined) {
        const values: Record<string, number> = { ...stats, loss: meanOf(window) };
        window = [];
        await log.append([{ step, ...values }]);
        await hooks.emit('log', { algo: 'sft', step, values });
        progress.update(step, { loss: values.loss!, eval_loss: values.eval_loss ?? Number.NaN });
      } else progress.update(step, {}, { log: false });
      if (cfg.save_steps !== null && step % cfg.save_steps === 0 && step < totalSteps) await saveStep();
    }
  } catch (error) {
    progress.stop();
    await record.write(step, 'failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
  progress.stop();

  let checkpointDir: string | undefined;
  let final: string | undefined;
  if (reason === 'interrupted') {
    if (step > startStep && lastSaved !== step) checkpointDir = await saveStep();
    else if (lastSaved === step && step > 0) checkpointDir = stepDir(checkpointsDir, step);
    await record.write(step, 'interrupted', `interrupted after step ${step}`);
    logger.warn(
      checkpointDir
        ? `sft: interrupted after step ${step}/${totalSteps}; checkpoint ${checkpointDir}`
        : `sft: interrupted before the first step; nothing to resume`,
    );
  } else {
    final = finalDir;
    const checkpoint = modelCheckpoint(finalDir);
    await writeDirAtomic(finalDir, async (dir) => {
      await writeOwnModelFiles(dir, checkpoint);
      await runCheckpointWriters(writers, checkpoint, dir, run.context);
      await tokenizer.save(dir);
      await writeFile(
        path.join(dir, 'sft_summary.json'),
        `${JSON.stringify({ run_name: runName, step, examples: trainExamples.length, train_loss: lossesLast.at(-1), train_loss_last_mean: meanOf(lossesLast), eval_loss: evalLoss }, null, 2)}\n`,
      );
    });
    await hooks.emit('checkpoint', { step, dir: finalDir, final: true });
    await record.write(step, 'finished', 'finished');
  }
  await hooks.emit('trainEnd', { step, outputDir, reason });
  optimizer.dispose();
  lora?.detach();
  model.dispose();
  return {
    outputDir,
    ...(final ? { finalDir: final } : {}),
    kind: lora ? 'lora' : 'full',
    reason,
    runName,
    ...(resumedFrom !== undefined ? { resumedFrom } : {}),
    ...(checkpointDir ? { checkpointDir } : {}),
    ...(earlierRun ? { earlierRun } : {}),
    examples: trainExamples.length,
    optimizerSteps: step,
    totalSteps,
    trainLossFirst: meanOf(lossesFirst),
    trainLossLast: meanOf(lossesLast),
    lossSteps: Math.min(SUMMARY_STEPS, step),
    evalLoss,
    evalRecords: evalExamples.length,
    seconds: (performance.now() - t0) / 1000,
  };
}
