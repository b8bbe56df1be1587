/**
 * Runs in an output directory. The directory itself (models/rl, models/lora) always holds the
 * latest run, at the paths the seed pipeline used (checkpoints/step_N, checkpoints/final_rl_model,
 * final_lora, the metrics files); run.json names it and says how far it got. A new run never
 * deletes an earlier one: it first moves the earlier run's files into `runs/<its name>/` (the name
 * was `--run-name`, by default the time it started), unless `--overwrite-output-dir` asks to
 * delete them. `medrl report --compare` overlays the runs.
 */
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@medrl/sdk';
import { ConfigError, MedrlError } from '@medrl/core';
import { pathExists, writeFileAtomic } from '@medrl/sdk/io';

export const RUN_FILE = 'run.json';
export const RUNS_DIR = 'runs';

/** What a training run leaves in its output directory, by trainer. */
export const RUN_ARTIFACTS = {
  rl: [RUN_FILE, 'metrics.jsonl', 'rollouts.jsonl', 'checkpoints', 'report.html', 'tensorboard'],
  sft: [RUN_FILE, 'sft_metrics.jsonl', 'checkpoints', 'final_lora', 'report.html', 'tensorboard'],
} as const;

export type RunStatus = 'running' | 'interrupted' | 'finished' | 'failed';

/** run.json: who the run is and how far it got. */
export interface RunInfo {
  format: 'medrl-run';
  version: 1;
  name: string;
  /** The trainer: `sft`, or the RL algorithm's name. */
  algo: string;
  status: RunStatus;
  /** Why it ended (finished, interrupted, safety gate: ..., the error of a failed run). */
  reason?: string;
  step: number;
  total_steps: number;
  started_at: string;
  updated_at: string;
}

/** `2026-05-07_14-03-59`: local time, sortable, safe in any file system. */
export function defaultRunName(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}_` +
    `${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`
  );
}

/** A run name becomes a folder name: letters, digits, `.`, `_`, `-`. */
export function checkRunName(name: string): string {
  if (!/^[\p{L}\p{N}_][\p{L}\p{N}._-]{0,99}$/u.test(name)) {
    throw new ConfigError(
      `run name "${name}" (--run-name / output.run_name): use letters, digits, ".", "_" and "-" (at most 100, not starting with "." or "-")`,
    );
  }
  return name;
}

export async function readRunInfo(outputDir: string): Promise<RunInfo | undefined> {
  const file = path.join(outputDir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const info = JSON.parse(text) as RunInfo;
    return info.format === 'medrl-run' ? info : undefined;
  } catch {
    return undefined; // a hand-edited file: the run is treated as unnamed
  }
}

export async function writeRunInfo(outputDir: string, info: RunInfo): Promise<void> {
  await writeFileAtomic(
    path.join(outputDir, RUN_FILE),
    `${JSON.stringify({ ...info, updated_at: new Date().toISOString() }, null, 2)}\n`,
  );
}

/** The artifacts of `kind` present in `outputDir`. */
async function presentArtifacts(outputDir: string, kind: keyof typeof RUN_ARTIFACTS): Promise<string[]> {
  const found: string[] = [];
  for (const name of RUN_ARTIFACTS[kind]) if (await pathExists(path.join(outputDir, name))) found.push(name);
  return found;
}

/** `runs/<name>`, or `runs/<name>-2`, ... when that is taken. */
async function freeRunDir(outputDir: string, name: string): Promise<string> {
  const base = path.join(outputDir, RUNS_DIR, name);
  let candidate = base;
  for (let i = 2; await pathExists(candidate); i++) candidate = `${base}-${i}`;
  return candidate;
}

export interface EarlierRun {
  /** Where it went (undefined when deleted by --overwrite-output-dir). */
  dir?: string;
  info?: RunInfo;
}

/**
 * Makes room for a new run in `outputDir`: an earlier run's files move to `runs/<its name>/`
 * (into a temporary folder first, renamed when complete), or are deleted with `overwrite`.
 * Returns what happened to the earlier run, if there was one.
 */
export async function clearForNewRun(
  outputDir: string,
  kind: keyof typeof RUN_ARTIFACTS,
  options: { overwrite: boolean; logger: Logger },
): Promise<EarlierRun | undefined> {
  const present = await presentArtifacts(outputDir, kind);
  if (present.length === 0) return undefined;
  const info = await readRunInfo(outputDir);
  const what = info
    ? `run "${info.name}" (${info.status}, step ${info.step}/${info.total_steps})`
    : `run (${present.join(', ')})`;
  if (options.overwrite) {
    for (const name of present) await rm(path.join(outputDir, name), { recursive: true, force: true });
    options.logger.warn(`--overwrite-output-dir: deleted the earlier ${what} in ${outputDir}`);
    return { info };
  }
  let name = info?.name;
  if (!name) {
    // A run from before run.json existed: named by when its files were last written.
    const times = await Promise.all(present.map(async (p) => (await stat(path.join(outputDir, p))).mtime));
    name = defaultRunName(new Date(Math.max(...times.map((t) => t.getTime()))));
  }
  const dest = await freeRunDir(outputDir, name);
  const tmp = path.join(outputDir, RUNS_DIR, `.moving-${path.basename(dest)}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const artifact of present) await rename(path.join(outputDir, artifact), path.join(tmp, artifact));
  await rename(tmp, dest);
  options.logger.info(`moved the earlier ${what} to ${dest}`);
  return { dir: dest, info };
}

/** The runs of an output directory: the latest (the directory itself) and every one under runs/. */
export async function listRuns(outputDir: string): Promise<{ name: string; dir: string; info?: RunInfo }[]> {
  const out: { name: string; dir: string; info?: RunInfo }[] = [];
  let names: string[] = [];
  try {
    names = (await readdir(path.join(outputDir, RUNS_DIR), { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    // no earlier runs
  }
  for (const name of names) {
    const dir = path.join(outputDir, RUNS_DIR, name);
    out.push({ name, dir, info: await readRunInfo(dir) });
  }
  return out;
}

/** The error of `--resume` when there is nothing to resume. */
export function nothingToResume(outputDir: string, command: string): MedrlError {
  return new MedrlError(
    `--resume: nothing to resume in ${outputDir} (no step_N checkpoint); start a new run with \`${command}\` (without --resume)`,
  );
}

/** The line `--resume` prints for a finished run. */
export function finishedLine(outputDir: string, info: RunInfo | undefined, command: string): string {
  const name = info ? `"${info.name}" ` : '';
  const steps = info ? ` after ${info.step}/${info.total_steps} steps` : '';
  return (
    `--resume: the run ${name}in ${outputDir} already finished${steps}; nothing to resume. ` +
    `\`${command}\` starts a new run (the finished one moves to ${path.join(outputDir, RUNS_DIR)}/).`
  );
}

/** run.json of the run in progress: its name, trainer and start, rewritten as it goes. */
export class RunRecord {
  constructor(
    readonly outputDir: string,
    readonly name: string,
    private readonly algo: RunInfo['algo'],
    private readonly totalSteps: number,
    private readonly startedAt = new Date().toISOString(),
  ) {}

  write(step: number, status: RunStatus, reason?: string): Promise<void> {
    return writeRunInfo(this.outputDir, {
      format: 'medrl-run',
      version: 1,
      name: this.name,
      algo: this.algo,
      status,
      ...(reason ? { reason } : {}),
      step,
      total_steps: this.totalSteps,
      started_at: this.startedAt,
      updated_at: '',
    });
  }
}

/** The name of a new run: output.run_name (--run-name), else the time now. */
export function newRunName(configured: string | null): string {
  return checkRunName(configured ?? defaultRunName());
}

/**
 * Where `--resume` continues in `outputDir`: `finished` for a finished run (say so, train
 * nothing), else the latest checkpoint; none is an error for `resume: true`, and a fresh start
 * for `'auto'` (the main job) or `false`.
 */
export async function resumeTarget(
  outputDir: string,
  finalDir: string,
  checkpoints: readonly { dir: string }[],
  resume: boolean | 'auto' | undefined,
  command: string,
): Promise<{ finished: true; info?: RunInfo } | { finished: false; dir?: string; info?: RunInfo }> {
  const info = await readRunInfo(outputDir);
  if (!resume) return { finished: false, info };
  const finished = info ? info.status === 'finished' : await pathExists(finalDir);
  if (resume === true && finished) return { finished: true, info };
  if (resume === true && checkpoints.length === 0) throw nothingToResume(outputDir, command);
  return { finished: false, info, ...(!finished && checkpoints.length > 0 ? { dir: checkpoints[0]!.dir } : {}) };
}
