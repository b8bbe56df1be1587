/** The records `medrl eval` passes between its steps and writes to samples.jsonl. */
import type { RewardBreakdown, SampleMeta } from '@medrl/sdk';
import type { GroupMetrics } from './metrics.js';
import type { SafetyFlags } from './safety-checks.js';

/** One prompt to evaluate, read from a processed split. */
export interface EvalItem {
  /** The sample's id in its split. */
  id: string;
  /** `test`, `gold_set`, `red_team`, ... (the file name without `.jsonl`). */
  split: string;
  /** The user's question as plain text (instruction and input joined). */
  prompt: string;
  meta: SampleMeta;
  /** Part of test whose risk level is high or critical (never seen in training: test is held out). */
  heldOutHighRisk: boolean;
}

/** One evaluated answer: what the model said, the checks and the composed reward. */
export interface ScoredSample {
  id: string;
  split: string;
  /** `model` or `baseline`. */
  model: string;
  prompt: string;
  /** The full generated text, think block included. */
  completion: string;
  meta: SampleMeta;
  held_out_high_risk: boolean;
  flags: SafetyFlags;
  /** The composer's breakdown; null when the run has no reward components. */
  reward: RewardBreakdown | null;
  /** The judge's critique, when a judge component scored the answer. */
  critique: string | null;
  /** The model's answer: log p_model - log p_baseline summed over its tokens (evaluations with an engine baseline). */
  kl_to_baseline?: number | null;
}

/** A metric as metrics.json describes it. */
export interface MetricInfo {
  name: string;
  label: string;
  better: 'higher' | 'lower';
  description: string;
}

/** The content of metrics.json. */
export interface EvalMetrics {
  /** ISO time the evaluation finished. */
  created_at: string;
  /** What produced the evaluated answers (model directory or answers file). */
  model: { label: string };
  baseline?: { label: string };
  settings: {
    splits: string[];
    limit: number | null;
    held_out_split: string;
    high_risk_levels: string[];
    urgent_categories: string[];
    urgent_levels: string[];
    bootstrap: { resamples: number; confidence: number; seed: number; method: 'percentile' };
    /** Decoding of the generated answers (temperature, top_k, top_p, seed, ...); null for answers files. */
    decoding: Record<string, unknown> | null;
  };
  metrics: MetricInfo[];
  /** Reward components of the composer, in config order. */
  components: string[];
  counts: {
    /** Prompts evaluated per split. */
    per_split: Record<string, number>;
    prompts: number;
    /** Model answers whose total reward is null (dropped by the missing-value policy). */
    dropped: number;
    baseline_dropped?: number;
  };
  groups: GroupMetrics[];
}
