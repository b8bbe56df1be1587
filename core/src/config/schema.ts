/**
 * The one schema of medrl's configuration: every default lives here or in a section file under
 * sections/ (one per area), and docs/configuration.md is checked against it by a test.
 */
import { z } from 'zod';
import { dataSchema } from './sections/data.js';
import { engineSchema } from './sections/engine.js';
import { evalSchema } from './sections/eval.js';
import { grpoSchema } from './sections/grpo.js';
import { modelSchema } from './sections/model.js';
import { outputSchema } from './sections/output.js';
import { ppoSchema } from './sections/ppo.js';
import { judgeSchema, rewardSchema } from './sections/reward.js';
import { serveSchema } from './sections/serve.js';
import { sftSchema } from './sections/sft.js';

/** The built-in plugins loaded when a config does not list its own. */
export const DEFAULT_PLUGINS = [
  '@medrl/plugin-rules',
  '@medrl/plugin-judge-mock',
  '@medrl/plugin-judge-deepseek',
  '@medrl/plugin-checkpoint-hf',
];

/** An omitted section parses as `{}` so that its own field defaults apply. */
function section<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => value ?? {}, schema);
}

export const configSchema = z.strictObject({
  /** Plugin entries: objects, classes, package names, paths, `[name, options]`, presets; falsy ignored. */
  plugins: z.array(z.unknown()).default(() => [...DEFAULT_PLUGINS]),
  reward: section(rewardSchema),
  judge: section(judgeSchema),
  engine: section(engineSchema),
  /** The RL algorithm `medrl train` runs: `ppo` or `grpo` (`--algo` overrides it). Default ppo (the original pipeline's). */
  algorithm: z.enum(['ppo', 'grpo']).default('ppo'),
  model: section(modelSchema),
  data: section(dataSchema),
  sft: section(sftSchema),
  ppo: section(ppoSchema),
  grpo: section(grpoSchema),
  eval: section(evalSchema),
  serve: section(serveSchema),
  output: section(outputSchema),
});

export type ResolvedConfig = z.output<typeof configSchema>;
export type ResolvedRewardConfig = ResolvedConfig['reward'];
export type ResolvedJudgeConfig = ResolvedConfig['judge'];
