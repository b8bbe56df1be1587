/**
 * `medrl sft`: supervised fine-tuning on prepared records. Each record becomes the chat-template
 * rendering of its question with the generation prompt, followed by the target
 * `<think>{think}</think>\n{answer}` and the end-of-turn token; with assistant_only_loss the loss
 * covers only the target tokens. A real checkpoint (model.path) trains LoRA adapters (model.lora);
 * the embedded tiny model is built from scratch (its character vocabulary from the data) and trains
 * all its weights. AdamW with warmup and a linear/cosine/constant schedule, gradient accumulation
 * and norm clipping; eval loss on dev; the result goes to <output_dir>/final_lora, atomically.
 */
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '@medrl/sdk';
import { redactConfig } from '../../config/redact.js';
import { initBackend } from '../../engine/backend.js';
import { loadQwen3 } from '../../engine/loader.js';
import { tokenLogprobs } from '../../engine/logprobs.js';
import { LoraAdapters } from '../../engine/lora.js';
import type { Qwen3Model } from '../../engine/qwen3/model.js';
import { loadTokenizer, type Tokenizer } from '../../engine/tokenizer.js';
import { MedrlError } from '../../errors.js';
import { runCheckpointWriters } from '../checkpoint-state.js';
import { splitThink } from '../../reward/rollout.js';
import type { Run } from '../../runtime/run.js';
import { writeDirAtomic } from '../atomic-dir.js';
import { AdamW, clipGradNorm, learningRateAt, type NamedParam } from '../optimizer.js';
import { chunks } from '../ppo/config.js';
import { createProgress, type ProgressMode } from '../progress.js';
import { readPrompts, type TrainPrompt } from '../prompts.js';
import { TrainRng } from '../rng.js';
import { JsonlLog } from '../run-log.js';
import { encodeF32Safetensors } from '../state-file.js';
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

export interface SftOptions {
  progress?: ProgressMode;
}

export interface SftSummary {
  outputDir: string;
  finalDir: string;
  kind: 'full' | 'lora';
  examples: number;
  optimizerSteps: number;
  trainLossFirst: number;
  trainLossLast: number;
  evalLoss: number | null;
  seconds: number;
}

async function fileExists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

export async function runSft(run: Run, options: SftOptions = {}): Promise<SftSummary> {
  const t0 = performance.now();
  const { config, rootDir, logger, hooks } = run;
  const cfg = config.sft;
  const resolve = (p: string) => path.resolve(rootDir, p);
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

  // The model: a real checkpoint with LoRA (or all weights), or the tiny model from scratch.
  let model: Qwen3Model;
  let tokenizer: Tokenizer;
  let lora: LoraAdapters | undefined;
  const basePath = config.model.path ? resolve(config.model.path) : undefined;
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
    const texts = [...train, ...evalSet].flatMap((r) => [
      ...r.messages.map((m) => m.content),
      sftTarget(r.output ?? ''),
    ]);
    const tiny = createTinyModel(texts, config.model.tiny, { seed: config.model.seed });
    model = tiny.model;
    tokenizer = tiny.tokenizer;
    logger.info(
      `sft: tiny model from scratch (vocab ${model.config.vocab_size}, ${model.config.num_hidden_layers} layers, hidden ${model.config.hidden_size}, ${(model.numParams / 1e6).toFixed(2)}M parameters)`,
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
  const warmup = cfg.warmup_steps > 0 ? cfg.warmup_steps : Math.ceil(cfg.warmup_ratio * totalSteps);
  const optimizer = new AdamW(params, { weightDecay: cfg.weight_decay });
  const peakLr = cfg.learning_rate ?? (basePath ? 2e-5 : 1e-3);
  const nameOf = new Map(params.map((p) => [p.variable.name, p.name]));
  const varList = params.map((p) => p.variable);
  const rng = TrainRng.create(cfg.seed, 'sft/data');
  const outputDir = resolve(cfg.output_dir);
  const log = new JsonlLog(path.join(outputDir, 'sft_metrics.jsonl'));
  await log.reset();

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

  await hooks.emit('trainStart', {
    algo: 'sft',
    totalSteps,
    outputDir,
    config: redactConfig(config as unknown as Record<string, unknown>),
  });
  const progress = createProgress(options.progress ?? config.output.progress, 'sft', logger, ['loss', 'eval_loss']);
  progress.start(totalSteps, 0);
  const losses: number[] = [];
  let step = 0;
  let evalLoss: number | null = null;
  let window: number[] = [];
  try {
    while (step < totalSteps) {
      const order = rng.permutation(trainExamples.length);
      const batches = chunks(order, cfg.per_device_train_batch_size);
      for (const group of chunks(batches, cfg.gradient_accumulation_steps)) {
        if (step >= totalSteps) break;
        let acc: Record<string, tf.Tensor> = {};
        let stepLoss = 0;
        for (const batch of group) {
          const { value, grads } = tf.variableGrads(
            () =>
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
            varList,
          );
          stepLoss += value.dataSync()[0]!;
          value.dispose();
          const next: Record<string, tf.Tensor> = {};
          for (const [tfName, g] of Object.entries(grads)) {
            const name = nameOf.get(tfName)!;
            if (acc[name]) {
              next[name] = tf.add(acc[name]!, g);
              acc[name]!.dispose();
              g.dispose();
            } else next[name] = g;
          }
          acc = next;
        }
        const lr = learningRateAt(peakLr, step, totalSteps, warmup, cfg.lr_scheduler_type);
        const clipped = clipGradNorm(acc, cfg.max_grad_norm);
        optimizer.step(clipped.grads, lr);
        for (const g of Object.values(clipped.grads)) g.dispose();
        step += 1;
        losses.push(stepLoss);
        window.push(stepLoss);
        const stats: Record<string, number> = {
          loss: stepLoss,
          learning_rate: lr,
          grad_norm: clipped.norm,
          epoch: step / stepsPerEpoch,
        };
        const endOfEpoch = step % stepsPerEpoch === 0 || step === totalSteps;
        if ((cfg.eval_steps !== null && step % cfg.eval_steps === 0) || (cfg.eval_steps === null && endOfEpoch)) {
          evalLoss = evaluate();
          if (evalLoss !== null) stats.eval_loss = evalLoss;
        }
        await log.append([{ step, ...stats }]);
        await hooks.emit('step', { step, stats });
        if (step % cfg.logging_steps === 0 || stats.eval_loss !== undefined) {
          const mean = window.reduce((a, b) => a + b, 0) / window.length;
          window = [];
          progress.update(step, { loss: mean, eval_loss: stats.eval_loss ?? Number.NaN });
          logger.debug(`sft step ${step}/${totalSteps} loss ${mean.toFixed(4)}`, stats);
        } else progress.update(step, { loss: stepLoss, eval_loss: Number.NaN });
      }
    }
  } finally {
    progress.stop();
  }

  const finalDir = path.join(outputDir, SFT_FINAL_DIR);
  const checkpoint: Checkpoint = lora
    ? { step, ...lora.exportPeft(basePath ?? ''), kind: 'lora' }
    : { kind: 'full', step, tensors: model.exportTensors(), config: model.hfConfig() };
  const writers = run.registry.writers.entries();
  await writeDirAtomic(finalDir, async (dir) => {
    if (writers.length === 0) {
      // No writer plugin: write the standard files ourselves so that `medrl train` can start from them.
      logger.warn('sft: no checkpoint writer registered; writing model files with the built-in encoder');
      if (lora) {
        await writeFile(
          path.join(dir, 'adapter_model.safetensors'),
          encodeF32Safetensors(checkpoint.tensors, { format: 'pt' }),
        );
        await writeFile(path.join(dir, 'adapter_config.json'), `${JSON.stringify(checkpoint.config, null, 2)}\n`);
      } else {
        await writeModelDir(dir, model, tokenizer);
      }
    }
    await runCheckpointWriters(writers, checkpoint, dir, run.context);
    await tokenizer.save(dir);
    await writeFile(
      path.join(dir, 'sft_summary.json'),
      `${JSON.stringify({ step, examples: trainExamples.length, train_loss: losses.at(-1), eval_loss: evalLoss }, null, 2)}\n`,
    );
  });
  await hooks.emit('checkpoint', { step, dir: finalDir, final: true });
  await hooks.emit('trainEnd', { step, outputDir, reason: 'finished' });
  optimizer.dispose();
  lora?.detach();
  model.dispose();
  const head = losses.slice(0, Math.min(5, losses.length));
  const tail = losses.slice(Math.max(0, losses.length - 5));
  return {
    outputDir,
    finalDir,
    kind: lora ? 'lora' : 'full',
    examples: trainExamples.length,
    optimizerSteps: step,
    trainLossFirst: head.reduce((a, b) => a + b, 0) / head.length,
    trainLossLast: tail.reduce((a, b) => a + b, 0) / tail.length,
    evalLoss,
    seconds: (performance.now() - t0) / 1000,
  };
}
