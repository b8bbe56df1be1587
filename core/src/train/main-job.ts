/**
 * The main job: `npx medrl train` on a fresh clone runs whatever is missing before RL, in order:
 * `medrl prepare` (no processed training data), `medrl prepare-rl` (no RL prompts), `medrl sft`
 * (no SFT output where the RL section expects its starting model). Each stage is skipped when its
 * output exists, so a second run goes straight to training.
 */
import path from 'node:path';
import type { GrpoSection } from '../config/sections/grpo.js';
import type { PpoSection } from '../config/sections/ppo.js';
import { runPrepare, runPrepareRl } from '../data/index.js';
import type { Run } from '../runtime/run.js';
import type { ProgressMode } from './progress.js';
import { SFT_FINAL_DIR, runSft, type SftSummary } from './sft/trainer.js';
import { pathExists } from '../io/atomic.js';

export interface StageReport {
  stage: 'prepare' | 'prepare-rl' | 'sft';
  seconds: number;
  detail: string;
}

/** Runs the missing stages before RL training; returns what ran. */
export async function ensureTrainingInputs(
  run: Run,
  section: PpoSection | GrpoSection,
  options: { progress?: ProgressMode } = {},
): Promise<{ stages: StageReport[]; sft?: SftSummary }> {
  const { config, rootDir, logger } = run;
  const resolve = (p: string) => path.resolve(rootDir, p);
  const stages: StageReport[] = [];
  let sft: SftSummary | undefined;

  const trainFile = resolve(config.sft.train_file);
  if (!(await pathExists(trainFile))) {
    logger.info(`main job: ${trainFile} is missing; running \`medrl prepare\``);
    const t = performance.now();
    const stats = await runPrepare({ data: config.data, cwd: rootDir, logger });
    stages.push({
      stage: 'prepare',
      seconds: (performance.now() - t) / 1000,
      detail: `${JSON.stringify(stats.splits ?? {})}`,
    });
  }

  const promptsFile = resolve(section.prompts_path);
  if (!(await pathExists(promptsFile)) && promptsFile === resolve(config.data.rl.out)) {
    logger.info(`main job: ${promptsFile} is missing; running \`medrl prepare-rl\``);
    const t = performance.now();
    const stats = await runPrepareRl({ data: config.data, cwd: rootDir, logger });
    stages.push({ stage: 'prepare-rl', seconds: (performance.now() - t) / 1000, detail: `${stats.total} prompts` });
  }

  const startModel = resolve(section.model_path);
  const sftOutput = path.join(resolve(config.sft.output_dir), SFT_FINAL_DIR);
  if (!(await pathExists(startModel)) && startModel === sftOutput) {
    logger.info(`main job: ${startModel} is missing; running \`medrl sft\``);
    const t = performance.now();
    // An SFT run that an interrupt stopped is continued from its checkpoint.
    sft = await runSft(run, { progress: options.progress, resume: 'auto' });
    stages.push({
      stage: 'sft',
      seconds: (performance.now() - t) / 1000,
      detail:
        `${sft.optimizerSteps} steps, train loss ${sft.trainLossFirst.toFixed(3)} -> ${sft.trainLossLast.toFixed(3)} ` +
        `(means of the first and last ${sft.lossSteps} steps)${sft.evalLoss === null ? '' : `, eval loss ${sft.evalLoss.toFixed(3)}`}`,
    });
  }
  return { stages, sft };
}
