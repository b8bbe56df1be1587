/**
 * Lifecycle hooks. A plugin listens by giving itself a property named after the hook
 * (`onStep(payload) { ... }`), the way Rollup and Vite plugins do.
 * Listeners run in plugin order and are awaited one after another, so a checkpoint listener
 * sees the files complete and a later plugin sees what an earlier one did.
 */
import type { Rollout } from './types.js';

/** One component's part of a total reward. */
export interface ComponentBreakdown {
  /** The component's own score; null when not applicable or missing. */
  raw: number | null;
  /** The score after running normalization, when normalization is on. */
  normalized?: number | null;
  /** The configured weight (after renormalization over present components, if any). */
  weight: number;
  /** weight * (normalized ?? raw); null when the component had no score. */
  weighted: number | null;
  /** Rule ids and explanations from the component. */
  reasons: string[];
  /** Extra data from the component (e.g. the judgement). */
  details?: Record<string, unknown>;
}

/** The composed reward of one rollout, with the reasons of every component. */
export interface RewardBreakdown {
  /** The rollout's id. */
  id: string;
  /** The final reward after gates and clipping; null when the sample was dropped. */
  total: number | null;
  /** Each component's part, by component name. */
  components: Record<string, ComponentBreakdown>;
  /** The gate that set the total, if one did. */
  gate?: string;
  /** Why the sample has no total (missing-value policy `drop`). */
  dropped?: string;
}

/** Payload of onTrainStart. */
export interface TrainStartPayload {
  /** Which trainer runs: `sft`, or the RL algorithm's name (`ppo`, `grpo`). */
  algo: string;
  /** Planned optimization steps. */
  totalSteps: number;
  /** Where checkpoints and logs go. */
  outputDir: string;
  /** The resolved config with secrets redacted. */
  config: Record<string, unknown>;
  /** The run's name (`--run-name`, by default the start time); earlier runs keep theirs under `<outputDir>/runs/`. */
  runName?: string;
  /** Set when the run continues from a checkpoint: the step it resumes after (later steps are logged again). */
  resumedFrom?: number;
}

/** Payload of onRollout. */
export interface RolloutPayload {
  /** Training step (0-based). */
  step: number;
  /** The batch, in generation order. */
  rollouts: readonly Rollout[];
}

/** Payload of onReward. */
export interface RewardPayload {
  /** Training step (0-based). */
  step: number;
  /** The scored batch. */
  rollouts: readonly Rollout[];
  /** One breakdown per rollout, same order. */
  breakdowns: readonly RewardBreakdown[];
}

/** Payload of onStep. */
export interface StepPayload {
  /** Training step (0-based). */
  step: number;
  /** Stats with stable names, e.g. `objective/kl`, `env/reward_mean`, `reward/rules/safety/mean`. */
  stats: Record<string, number>;
}

/** Payload of onLog. */
export interface LogPayload {
  /** Which trainer logged: `sft`, or the RL algorithm's name (`ppo`, `grpo`). */
  algo: string;
  /** The step the values belong to. */
  step: number;
  /**
   * The values of one row of the run's metrics file (metrics.jsonl, sft_metrics.jsonl), by stable
   * name: `loss`, `eval_loss`, `learning_rate` for SFT; TRL's stat names for PPO and GRPO.
   */
  values: Record<string, number>;
}

/** Payload of onCheckpoint. */
export interface CheckpointPayload {
  /** Step the checkpoint belongs to. */
  step: number;
  /** The checkpoint directory, complete and in place. */
  dir: string;
  /** True for the final checkpoint of a run. */
  final: boolean;
}

/** Payload of onEvalEnd. */
export interface EvalEndPayload {
  /** Where the report was written. */
  outDir: string;
  /** The content of metrics.json. */
  metrics: Record<string, unknown>;
}

/** Payload of onTrainEnd. */
export interface TrainEndPayload {
  /** Last completed step. */
  step: number;
  /** Where checkpoints and logs went. */
  outputDir: string;
  /** Why training ended: finished, early stop by KL, safety gate, ... */
  reason: string;
}

/** Hook name to payload. The listener property is `on` + capitalized name. */
export interface HookPayloads {
  /** See PluginHooks.onTrainStart. */
  trainStart: TrainStartPayload;
  /** See PluginHooks.onRollout. */
  rollout: RolloutPayload;
  /** See PluginHooks.onReward. */
  reward: RewardPayload;
  /** See PluginHooks.onStep. */
  step: StepPayload;
  /** See PluginHooks.onLog. */
  log: LogPayload;
  /** See PluginHooks.onCheckpoint. */
  checkpoint: CheckpointPayload;
  /** See PluginHooks.onEvalEnd. */
  evalEnd: EvalEndPayload;
  /** See PluginHooks.onTrainEnd. */
  trainEnd: TrainEndPayload;
}

/** A hook's name, e.g. `step`. */
export type HookName = keyof HookPayloads;

/** All hook names, in the order they first fire during a training run. */
export const HOOK_NAMES: readonly HookName[] = [
  'trainStart',
  'rollout',
  'reward',
  'step',
  'log',
  'checkpoint',
  'evalEnd',
  'trainEnd',
];

/** The listener property of a hook: `trainStart` becomes `onTrainStart`. */
export function hookProperty(name: HookName): `on${Capitalize<HookName>}` {
  return `on${name[0]!.toUpperCase()}${name.slice(1)}` as `on${Capitalize<HookName>}`;
}

/** The optional listener properties a plugin may carry. */
export interface PluginHooks {
  /** Before the first rollout of `medrl sft` or `medrl train`. */
  onTrainStart?(payload: TrainStartPayload): void | Promise<void>;
  /**
   * `medrl train` only: once per step, when the step takes its generated batch. Each row went to the
   * composer as it finished, so scoring has begun (it may still run): observe, do not edit.
   */
  onRollout?(payload: RolloutPayload): void | Promise<void>;
  /** `medrl train` only: after onRollout, once every row is scored, with the composer's breakdowns in rollout order. */
  onReward?(payload: RewardPayload): void | Promise<void>;
  /** After an optimization step, with its stats. */
  onStep?(payload: StepPayload): void | Promise<void>;
  /**
   * When the trainer logs a row of values (what `report_to` loggers write): every step of PPO and
   * GRPO, every `sft.logging_steps` steps of SFT and at each evaluation.
   */
  onLog?(payload: LogPayload): void | Promise<void>;
  /** After every checkpoint writer has finished and the directory is in place. */
  onCheckpoint?(payload: CheckpointPayload): void | Promise<void>;
  /** After `medrl eval` wrote its report. */
  onEvalEnd?(payload: EvalEndPayload): void | Promise<void>;
  /** Once, when training ends for any reason other than a crash. */
  onTrainEnd?(payload: TrainEndPayload): void | Promise<void>;
}
