/**
 * The main job: `npx medrl train` on a fresh clone runs whatever is missing before RL, in order:
 * `medrl prepare` (no processed training data), `medrl prepare-rl` (no RL prompts), and the starting
 * model where the RL section expects its SFT output: a copy of the embedded model (already SFT-trained
 * on the corpus; no model.path set), or `medrl sft` of the configured model.path. Each stage is
 * skipped when its output exists, so a second run goes straight to training.
 */
import path from 'node:path';
import type { GrpoSection } from '../config/sections/grpo.js';
import type { PpoSection } from '../config/sections/ppo.js';
import { runPrepare, runPrepareRl } from '../data/index.js';
import type { Run } from '../runtime/run.js';
import type { ProgressMode } from './progress.js';
import { SFT_FINAL_DIR, runSft, type SftSummary } from './sft/trainer.js';
import { pathExists } from '../io/atomic.js';
import { cp } from 'node:fs/promises';
import { EMBEDDED_MODEL_NAME, embeddedModelDir } from '../engine/embedded.js';
import { writeDirAtomic } from './atomic-dir.js';

export interface StageReport {
  stage: 'prepare' | 'prepare-rl' | 'start-model' | 'sft';
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
    const t = performance.now();
    if (config.model.path === undefined && !config.model.from_scratch) {
      // The embedded model is the SFT result on this corpus: its copy is the run's SFT start, so that
      // `medrl eval --baseline models/lora/final_lora` compares RL with it.
      const source = embeddedModelDir();
      logger.info(`main job: ${startModel} is missing; starting from the embedded model ${EMBEDDED_MODEL_NAME}`);
      await writeDirAtomic(startModel, (dir) => cp(source, dir, { recursive: true }));
      stages.push({
        stage: 'start-model',
        seconds: (performance.now() - t) / 1000,
        detail: `copied ${EMBEDDED_MODEL_NAME} (SFT already done; see its README.md) to ${startModel}`,
      });
    } else {
      logger.info(`main job: ${startModel} is missing; running \`medrl sft\``);
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
  }
  return { stages, sft };
}
