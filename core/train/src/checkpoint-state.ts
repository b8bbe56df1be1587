/**
 * Checkpoints of `medrl train`: one directory per checkpoint, written atomically (atomic-dir.ts),
 * holding what the checkpoint writer plugins export (model or adapter files) plus the trainer
 * state needed for an exact resume:
 *   trainer_state.json         step, RNG state, data cursor, KL coefficient, score and reward
 *                              normalization moments, safety gate history, parameter names
 *   trainer_state.safetensors  trainable weights (`param/<name>`), Adam moments (`adam.m/<name>`,
 *                              `adam.v/<name>`), value head included
 */
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint, CheckpointWriter, PluginContext } from '@medrl/sdk';
import { MedrlError, PluginError, messageOf } from '@medrl/core';
import { pathExists } from '@medrl/sdk/io';
import { writeDirAtomic } from './atomic-dir.js';
import type { AdamState, NamedParam } from './optimizer.js';
import type { PendingBatchState } from './rollouts.js';
import type { SafetyGateState } from './safety-gate.js';
import { readTensorFile, writeTensorFile, type FloatTensor } from './state-file.js';

export const TRAINER_STATE_JSON = 'trainer_state.json';
export const TRAINER_STATE_TENSORS = 'trainer_state.safetensors';
export const FINAL_DIR = 'final_rl_model';
/**
 * The weights RL adapters are trained on, when they exist only in memory (the SFT adapters merged
 * into model.path): written once per run so that every step_N adapter has a base on disk.
 */
export const START_MODEL_DIR = 'start_model';

/** Where the next prompts come from: an epoch's shuffled order and the position in it. */
export interface DataCursor {
  epoch: number;
  cursor: number;
  order: number[];
  /** State of the shuffling stream (draws the next epoch's order). */
  rng: number[];
}

/**
 * The trainer state every loop writes (trainer_state.json), SFT's and RL's: each field a trainer
 * writes is declared here. An RL algorithm's own state (PPO's KL controller and score moments) is
 * stored beside these fields under the algorithm's names (AlgorithmState, CheckpointState).
 */
export type TrainerState = {
  format: 'medrl-trainer-state';
  version: 1;
  /** `sft` or the RL algorithm's registered name. */
  algo: string;
  /** Steps completed. */
  step: number;
  total_steps: number;
  seed: number;
  /** State of the trainer's random stream (sampling seeds, shuffles). */
  rng: number[];
  data: DataCursor;
  /** The reward composer's running normalization (reward.normalize: running). */
  reward_norm?: Record<string, { count: number; mean: number; m2: number }>;
  safety?: SafetyGateState;
  /** Trainable parameter names, in optimizer order. */
  param_names: string[];
  optimizer_step: number;
  /** Why training ended, for final checkpoints. */
  end_reason?: string;
  /** The stream of LoRA dropout masks, when LoRA is on (exact resume). */
  lora_rng?: number[];
  /** RL: the sampler's stream. */
  sample_rng?: number[];
  /** RL: batches generated for later steps (overlap_judging, or in hand when the run stopped); a resume trains on them. */
  pending_batches?: PendingBatchState[];
};

/** An algorithm's own fields in a checkpoint's trainer state, named by the algorithm. */
export type AlgorithmState = Record<string, unknown>;

/** A checkpoint's trainer state: the loop's fields and the algorithm's. */
export type CheckpointState = TrainerState & AlgorithmState;

/** A checkpoint read back; `S` is what the trainer that reads it expects beside the loop's fields (JSON: maybe absent). */
export interface LoadedCheckpoint<S extends AlgorithmState = AlgorithmState> {
  dir: string;
  state: TrainerState & Partial<S>;
  params: Record<string, FloatTensor>;
  optimizer: AdamState;
}

export class CheckpointError extends MedrlError {}

/** The tensors of the trainer state: weights and both Adam moments, by name. */
export function stateTensors(params: Record<string, FloatTensor>, optimizer: AdamState): Record<string, FloatTensor> {
  const out: Record<string, FloatTensor> = {};
  for (const [name, t] of Object.entries(params)) out[`param/${name}`] = t;
  for (const [name, t] of Object.entries(optimizer.m)) out[`adam.m/${name}`] = t;
  for (const [name, t] of Object.entries(optimizer.v)) out[`adam.v/${name}`] = t;
  return out;
}

export interface SaveCheckpointOptions {
  /** Final directory (e.g. models/rl/checkpoints/step_20). */
  dir: string;
  /** What the writer plugins export. */
  checkpoint: Checkpoint;
  writers: readonly { value: CheckpointWriter; plugin: string }[];
  context: PluginContext;
  state: TrainerState;
  params: Record<string, FloatTensor>;
  optimizer: AdamState;
  /** Anything else to put in the directory (tokenizer files, value head). */
  extra?: (dir: string) => Promise<void>;
}

/** Runs every checkpoint writer plugin into `dir`, in order; a failure names the plugin and the writer. */
export async function runCheckpointWriters(
  writers: SaveCheckpointOptions['writers'],
  checkpoint: Checkpoint,
  dir: string,
  context: PluginContext,
): Promise<void> {
  for (const { value: writer, plugin } of writers) {
    try {
      await writer.write(checkpoint, dir, context);
    } catch (error) {
      throw new PluginError(plugin, `checkpoint writer "${writer.name}"`, messageOf(error), { cause: error });
    }
  }
}

/** Writes a checkpoint directory atomically: writers first, then the trainer state. */
export async function saveCheckpoint(opts: SaveCheckpointOptions): Promise<void> {
  await writeDirAtomic(opts.dir, async (tmp) => {
    await runCheckpointWriters(opts.writers, opts.checkpoint, tmp, opts.context);
    await opts.extra?.(tmp);
    await writeTensorFile(path.join(tmp, TRAINER_STATE_TENSORS), stateTensors(opts.params, opts.optimizer));
    await writeFile(path.join(tmp, TRAINER_STATE_JSON), `${JSON.stringify(opts.state, null, 2)}\n`);
  });
}

/** Reads a checkpoint's trainer state; fails naming the directory and what is wrong. */
export async function loadCheckpoint<S extends AlgorithmState = AlgorithmState>(
  dir: string,
): Promise<LoadedCheckpoint<S>> {
  let state: TrainerState & Partial<S>;
  try {
    // Checked below (format and version); its fields are what saveCheckpoint wrote.
    state = JSON.parse(await readFile(path.join(dir, TRAINER_STATE_JSON), 'utf8')) as TrainerState & Partial<S>;
  } catch (error) {
    throw new CheckpointError(`${dir}: cannot read ${TRAINER_STATE_JSON}: ${messageOf(error)}`, { cause: error });
  }
  if (state.format !== 'medrl-trainer-state' || state.version !== 1) {
    throw new CheckpointError(`${dir}/${TRAINER_STATE_JSON}: not a medrl trainer state (format/version)`);
  }
  let tensors: Record<string, FloatTensor>;
  try {
    tensors = await readTensorFile(path.join(dir, TRAINER_STATE_TENSORS));
  } catch (error) {
    throw new CheckpointError(`${dir}: cannot read ${TRAINER_STATE_TENSORS}: ${messageOf(error)}`, { cause: error });
  }
  const params: Record<string, FloatTensor> = {};
  const optimizer: AdamState = { step: state.optimizer_step, m: {}, v: {} };
  for (const [key, t] of Object.entries(tensors)) {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const name = key.slice(slash + 1);
    if (kind === 'param') params[name] = t;
    else if (kind === 'adam.m') optimizer.m[name] = t;
    else if (kind === 'adam.v') optimizer.v[name] = t;
  }
  for (const name of state.param_names) {
    if (!params[name]) throw new CheckpointError(`${dir}/${TRAINER_STATE_TENSORS}: missing parameter "${name}"`);
  }
  return { dir, state, params, optimizer };
}

/** step_N directories of `checkpointsDir` that hold a trainer state, highest step first. */
export async function listCheckpoints(checkpointsDir: string): Promise<{ step: number; dir: string }[]> {
  let names: string[];
  try {
    names = await readdir(checkpointsDir);
  } catch {
    return [];
  }
  const found: { step: number; dir: string }[] = [];
  for (const name of names) {
    const match = /^step_(\d+)$/.exec(name);
    if (!match) continue;
    const dir = path.join(checkpointsDir, name);
    try {
      await stat(path.join(dir, TRAINER_STATE_JSON));
      found.push({ step: Number(match[1]), dir });
    } catch {
      // Not a complete checkpoint (atomic writes make this rare: a directory copied by hand, say).
    }
  }
  return found.sort((a, b) => b.step - a.step);
}

export function stepDir(checkpointsDir: string, step: number): string {
  return path.join(checkpointsDir, `step_${step}`);
}

/** Sets every trainable parameter from a checkpoint's saved weights; fails naming the parameter. */
export function restoreParams(
  params: readonly NamedParam[],
  saved: Record<string, { shape: number[]; data: Float32Array }>,
  source: string,
): void {
  for (const { name, variable } of params) {
    const t = saved[name];
    if (!t) throw new MedrlError(`${source}: no weights for parameter "${name}"`);
    if (t.data.length !== variable.size) {
      throw new MedrlError(`${source}: "${name}" has ${t.data.length} values, the model needs ${variable.size}`);
    }
    tf.tidy(() => variable.assign(tf.tensor(t.data, variable.shape)));
  }
}

/**
 * save_total_limit: deletes the oldest step_N checkpoints beyond `limit`, never those in `keep`
 * (the best by safety gate, the one just written). Returns the directories deleted.
 */
export async function rotateCheckpoints(
  checkpointsDir: string,
  limit: number | null,
  keep: readonly number[] = [],
): Promise<string[]> {
  if (limit === null) return [];
  const all = await listCheckpoints(checkpointsDir); // newest first
  const removable = all.filter((c) => !keep.includes(c.step));
  const excess = all.length - limit;
  if (excess <= 0) return [];
  const doomed = removable.slice(-excess);
  for (const c of doomed) await rm(c.dir, { recursive: true, force: true });
  return doomed.map((c) => c.dir);
}

/**
 * Writes `checkpointsDir/start_model` (config.json, fp32 model.safetensors, tokenizer and generation
 * config) unless `keep` and it is already there. fp32 by the built-in encoder, whatever the writer
 * plugins' dtype: the adapters were trained on these exact weights. Returns the directory.
 */
export async function writeStartModel(
  checkpointsDir: string,
  write: (dir: string) => Promise<void>,
  keep: boolean,
): Promise<string> {
  const dir = path.join(checkpointsDir, START_MODEL_DIR);
  if (keep && (await pathExists(path.join(dir, 'config.json')))) return dir;
  await writeDirAtomic(dir, write);
  return dir;
}
