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
  reasons: string[];
  details?: Record<string, unknown>;
}

/** The composed reward of one rollout, with the reasons of every component. */
export interface RewardBreakdown {
  id: string;
  /** The final reward after gates and clipping; null when the sample was dropped. */
  total: number | null;
  components: Record<string, ComponentBreakdown>;
  /** The gate that set the total, if one did. */
  gate?: string;
  /** Why the sample has no total (missing-value policy `drop`). */
  dropped?: string;
}

export interface TrainStartPayload {
  algo: 'ppo' | 'grpo' | 'sft';
  totalSteps: number;
  outputDir: string;
  /** The resolved config with secrets redacted. */
  config: Record<string, unknown>;
}

export interface RolloutPayload {
  step: number;
  rollouts: readonly Rollout[];
}

export interface RewardPayload {
  step: number;
  rollouts: readonly Rollout[];
  breakdowns: readonly RewardBreakdown[];
}

export interface StepPayload {
  step: number;
  /** Stats with stable names, e.g. `objective/kl`, `env/reward_mean`, `reward/rules/safety/mean`. */
  stats: Record<string, number>;
}

export interface CheckpointPayload {
  step: number;
  dir: string;
  final: boolean;
}

export interface EvalEndPayload {
  outDir: string;
  metrics: Record<string, unknown>;
}

export interface TrainEndPayload {
  step: number;
  outputDir: string;
  /** Why training ended: finished, early stop by KL, safety gate, ... */
  reason: string;
}

/** Hook name to payload. The listener property is `on` + capitalized name. */
export interface HookPayloads {
  trainStart: TrainStartPayload;
  rollout: RolloutPayload;
  reward: RewardPayload;
  step: StepPayload;
  checkpoint: CheckpointPayload;
  evalEnd: EvalEndPayload;
  trainEnd: TrainEndPayload;
}

export type HookName = keyof HookPayloads;

/** All hook names, in the order they first fire during a training run. */
export const HOOK_NAMES: readonly HookName[] = [
  'trainStart',
  'rollout',
  'reward',
  'step',
  'checkpoint',
  'evalEnd',
  'trainEnd',
];

/** `trainStart` -> `onTrainStart`. */
export function hookProperty(name: HookName): `on${Capitalize<HookName>}` {
  return `on${name[0]!.toUpperCase()}${name.slice(1)}` as `on${Capitalize<HookName>}`;
}

/** The optional listener properties a plugin may carry. */
export interface PluginHooks {
  /** Before the first rollout of `medrl sft` or `medrl train`. */
  onTrainStart?(payload: TrainStartPayload): void | Promise<void>;
  /** After a batch of rollouts is generated, before it is scored. */
  onRollout?(payload: RolloutPayload): void | Promise<void>;
  /** After the composer scored a batch; breakdowns are in rollout order. */
  onReward?(payload: RewardPayload): void | Promise<void>;
  /** After an optimization step, with its stats. */
  onStep?(payload: StepPayload): void | Promise<void>;
  /** After every checkpoint writer has finished and the directory is in place. */
  onCheckpoint?(payload: CheckpointPayload): void | Promise<void>;
  /** After `medrl eval` wrote its report. */
  onEvalEnd?(payload: EvalEndPayload): void | Promise<void>;
  /** Once, when training ends for any reason other than a crash. */
  onTrainEnd?(payload: TrainEndPayload): void | Promise<void>;
}
