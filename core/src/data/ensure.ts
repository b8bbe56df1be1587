/**
 * `ensureTrainingData`: what a training job calls before it starts. It runs `runPrepare` when the
 * processed directory has no train.jsonl and `runPrepareRl` when the RL prompt file is missing, with
 * the paths and settings of the `data` config section, and says what it ran.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@medrl/sdk';
import type { DataConfigInput } from '../config/sections/data.js';
import { runPrepare, resolvePrepareConfig, type PrepareStats } from './prepare.js';
import { runPrepareRl, resolvePrepareRlConfig, type PrepareRlStats } from './prepare-rl.js';

export interface EnsureTrainingDataOptions {
  /** The `data` config section. */
  data?: DataConfigInput;
  /** Base of the section's relative paths (the config file's directory). */
  cwd?: string;
  logger?: Logger;
}

export interface EnsuredTrainingData {
  processedDir: string;
  /** data.rl.out */
  rlPrompts: string;
  /** Stats of the steps that had to run (undefined when their outputs were already there). */
  prepared?: PrepareStats;
  preparedRl?: PrepareRlStats;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export async function ensureTrainingData(options: EnsureTrainingDataOptions = {}): Promise<EnsuredTrainingData> {
  const { out: processedDir } = resolvePrepareConfig(options);
  const { out: rlPrompts } = resolvePrepareRlConfig(options);
  const result: EnsuredTrainingData = { processedDir, rlPrompts };
  if (!(await exists(path.join(processedDir, 'train.jsonl')))) {
    options.logger?.info(`no ${path.join(processedDir, 'train.jsonl')}: running prepare`);
    result.prepared = await runPrepare({ ...options, out: processedDir });
  }
  if (!(await exists(rlPrompts))) {
    options.logger?.info(`no ${rlPrompts}: running prepare-rl`);
    result.preparedRl = await runPrepareRl({ ...options, processedDir, out: rlPrompts });
  }
  return result;
}
