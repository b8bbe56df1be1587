/**
 * The typed shape of medrl.config.ts. Every default lives in core's schema
 * (core/src/config/schema.ts) and is listed in docs/configuration.md.
 */
import type { PluginEntry } from './plugin.js';

/** One weighted term of the total reward. */
export interface RewardComponentConfig {
  /** Name of a registered reward component, or `judge` for the judge-derived component. */
  use: string;
  /** Weight in the total (total = sum of weight * score). */
  weight: number;
  /** Name in breakdowns; defaults to `use`. Lets one component appear twice with other options. */
  name?: string;
  /** Options for derived components (`judge`: judge, dimension weights, safety gate). */
  options?: Record<string, unknown>;
}

/** Forces the total when a component's value (or a field of its details) meets a condition. */
export interface RewardGateConfig {
  /** Component name as it appears in breakdowns. */
  component: string;
  /** `raw` (default) or a dotted path into the component's details, e.g. `judgement.scores.safety`. */
  field?: string;
  /** Comparison with `value`. */
  op: 'lt' | 'lte' | 'eq' | 'gte' | 'gt';
  /** The number the field is compared with. */
  value: number;
  /** The total to force when the condition holds. */
  total: number;
  /** Name shown in breakdowns; defaults to `<component>.<field> <op> <value>`. */
  name?: string;
}

/** How the total reward is composed (`reward` in the config). */
export interface RewardConfig {
  /** Weighted terms of the total. */
  components?: RewardComponentConfig[];
  /** [min, max] applied to the total after gates; null for no clip. */
  clip?: [number, number] | null;
  /** `running`: each component's score is standardized with running mean/std before weighting. */
  normalize?: 'none' | 'running';
  /** Conditions that force the total, checked in order. */
  gates?: RewardGateConfig[];
  /** When a component has no score for a sample: renormalize weights, drop the sample, or fail. */
  onMissing?: 'renormalize' | 'drop' | 'fail';
}

/** Which judge feeds the judge-derived reward, and how (`judge` in the config). */
export interface JudgeConfig {
  /** `auto` (deepseek when a key is set, else mock), or a registered judge name. */
  use?: string;
  /** Dimension weights of the judge-derived reward. */
  weights?: { safety?: number; reasoning?: number; completeness?: number; empathy?: number };
  /** Safety 0 forces the judge reward to 0. */
  safetyZeroForcesZero?: boolean;
  /** Warn when more than this share of judgements is missing (default 0.05). */
  missingWarnRate?: number;
}

/** The TensorFlow.js engine (`engine` in the config). */
export interface EngineConfig {
  /** TensorFlow.js backend; `auto` picks the fastest one installed. */
  backend?: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
}

/** medrl.config.ts, as a user writes it. Omitted fields take the defaults of the schema. */
export interface MedrlConfig {
  /** Plugins in load order (objects, classes, names, paths, presets; falsy ignored). */
  plugins?: PluginEntry[];
  /** Reward composition. */
  reward?: RewardConfig;
  /** Judge choice and dimension weights. */
  judge?: JudgeConfig;
  /** Engine backend. */
  engine?: EngineConfig;
  /** The RL algorithm `medrl train` runs (its `--algo` flag overrides it). Default ppo. */
  algorithm?: 'ppo' | 'grpo';
  /** Model source and the embedded tiny configuration (engine issue). */
  model?: Record<string, unknown>;
  /** Data preparation options (data issue). */
  data?: Record<string, unknown>;
  /** SFT options (training issue). */
  sft?: Record<string, unknown>;
  /** PPO options, TRL's names (training issue). */
  ppo?: Record<string, unknown>;
  /** GRPO options, TRL's names (training issue). */
  grpo?: Record<string, unknown>;
  /** Evaluation options. */
  eval?: Record<string, unknown>;
  /** `medrl serve` options. */
  serve?: Record<string, unknown>;
  /** Where outputs go. */
  output?: Record<string, unknown>;
}

/** Identity function that type-checks a config file's default export. */
export function defineConfig(config: MedrlConfig): MedrlConfig {
  return config;
}
