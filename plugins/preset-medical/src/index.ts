/**
 * @medrl/preset-medical: the defaults of medical RL fine-tuning, as medrl ships them. The runtime
 * (@medrl/core) names no plugin; the medrl CLI lays this preset under every config, so a config
 * states only what it changes, and `npx medrl train` with no config at all runs the seed pipeline.
 *
 *   plugins      rules, the mock and DeepSeek judges, the Hugging Face checkpoint writers (by name)
 *   reward       R = 0.6 * R_rules + 0.4 * R_teacher: R_rules over the four rule components
 *                (data/rl/reward_rules.md), R_teacher the judge-derived component
 *   judge        `auto`: deepseek when its API key (DEEPSEEK_API_KEY) is set, else the offline mock
 *   safety gate  ppo/grpo.safety_gate.score = the rules' safety score
 *   loggers      output.report_to = TensorBoard event files (TRL's default logger)
 *
 * Imports only @medrl/sdk (types): plugins are named by package, loaded by the runtime's loader.
 */
import type { MedrlConfig, RewardComponentConfig } from '@medrl/sdk';

/** The plugin packages the medical pipeline loads, in load order. */
export const MEDICAL_PLUGINS: readonly string[] = [
  '@medrl/plugin-rules',
  '@medrl/plugin-judge-mock',
  '@medrl/plugin-judge-deepseek',
  '@medrl/plugin-checkpoint-hf',
];

/** The seed pipeline's reward: 0.1 + 0.1 + 0.1 + 0.3 of rules (0.6) and 0.4 of the judge. */
export const MEDICAL_REWARD_COMPONENTS: readonly Readonly<RewardComponentConfig>[] = [
  { use: 'rules/format', weight: 0.1 },
  { use: 'rules/length', weight: 0.1 },
  { use: 'rules/keyword', weight: 0.1 },
  { use: 'rules/safety', weight: 0.3 },
  { use: 'judge', weight: 0.4 },
];

/** `judge.use: auto` tries these in order: DeepSeek when its key is set, else the offline mock. */
export const MEDICAL_AUTO_JUDGES: readonly string[] = ['deepseek', 'mock'];

/** The score the trainers' safety gate watches: the rules' medical-safety component. */
export const MEDICAL_SAFETY_SCORE = 'rules/safety';

/** The loggers every training run reports to (`output.report_to`): TensorBoard, as TRL's default. */
export const MEDICAL_LOGGERS: readonly string[] = ['tensorboard'];

/** The preset as a config (fresh copies each call, so callers may change them). */
export default function presetMedical(): MedrlConfig {
  return {
    plugins: [...MEDICAL_PLUGINS],
    reward: { components: MEDICAL_REWARD_COMPONENTS.map((c) => ({ ...c })) },
    judge: { use: 'auto', auto: [...MEDICAL_AUTO_JUDGES] },
    ppo: { safety_gate: { score: MEDICAL_SAFETY_SCORE } },
    grpo: { safety_gate: { score: MEDICAL_SAFETY_SCORE } },
    output: { report_to: [...MEDICAL_LOGGERS] },
  };
}
