/**
 * The data that flows through medrl: samples, rollouts, scores, judgements and checkpoints.
 * Everything here is plain data so that a plugin can be written, tested and published with
 * nothing but this package.
 */

/** Risk of a medical question, from routine to life-threatening. */
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/** Metadata that travels with a sample from `medrl prepare` to the reward. */
export interface SampleMeta {
  /** low | medium | high | critical; rules are stricter for high and critical. */
  risk_level?: RiskLevel;
  /** e.g. `emergency`, `suicide_self_harm`, `pregnancy_infant`, `prescription_drug`. */
  risk_categories?: string[];
  /** e.g. `cardiology`, `pediatrics`. */
  specialty?: string;
  /** `zh` or `en` (others allowed). */
  lang?: string;
  /** A reference answer, when the data has one. */
  reference?: string;
  /** Free-form labels (e.g. from OpenRLHF's `labels` field). */
  labels?: unknown;
  [key: string]: unknown;
}

/** A prepared training record (the schema `medrl prepare` writes). */
export interface Sample {
  id: string;
  instruction: string;
  input: string;
  /** The R1-style target: `<think>reasoning</think>answer`. */
  output: string;
  meta: SampleMeta & {
    source?: string;
    complexity?: string;
    is_deidentified?: boolean;
  };
}

/** A chat message, as in the OpenAI and Hugging Face chat formats. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

/** One generated answer to one prompt, as a reward sees it. */
export interface Rollout {
  id: string;
  /** The user's question as plain text (no chat-template markers). */
  prompt: string;
  /** The conversation that produced the completion, when there is one. */
  messages?: ChatMessage[];
  /** The generated text, including any `<think>...</think>` block. */
  completion: string;
  /** The reasoning inside `<think>...</think>`, when the completion has one. */
  think?: string;
  /** The completion with the think block removed. */
  answer?: string;
  meta: SampleMeta;
  /** Generated token ids, when the rollout came from the engine. */
  tokens?: number[];
}

/** What a reward component says about one rollout. */
export interface ComponentScore {
  /** The raw score; must be a finite number. */
  value: number;
  /** Ids of the rules that fired or short explanations, shown by `medrl reward`. */
  reasons?: string[];
  /** Anything else worth keeping in the breakdown (e.g. a judgement). */
  details?: Record<string, unknown>;
}

/** A small, plugin-facing logger. Core routes it to the console or to files. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Counters and gauges a plugin reports; they appear in step stats and `/metrics`. */
export interface Metrics {
  /** Adds `by` (default 1) to a counter. */
  increment(name: string, by?: number): void;
  /** Sets a gauge to its latest value. */
  gauge(name: string, value: number): void;
  /** The current values, counters and gauges together. */
  snapshot(): Record<string, number>;
}

/** What every plugin call receives: where it runs and how to report. */
export interface PluginContext {
  logger: Logger;
  metrics: Metrics;
  /** Directory of the config file; relative paths in options resolve from here. */
  rootDir: string;
  /** `train`, `reward`, `eval`, `serve`, `judge`, ... */
  command: string;
  /** Aborted when the run is cancelled (Ctrl-C, server shutdown). */
  signal?: AbortSignal;
}

/** Passed to `RewardComponent.score`. */
export interface RewardContext extends PluginContext {
  /** Training step, when scoring happens inside training. */
  step?: number;
}

/**
 * A reward component scores a batch of rollouts.
 * It returns one entry per rollout, in order; `null` means "not applicable to this rollout"
 * (TRL's None), which the composer handles with its missing-value policy.
 */
export interface RewardComponent {
  /** Unique name, e.g. `rules/safety`; config refers to it with `use`. */
  name: string;
  /** One line shown by `medrl plugins`. */
  description?: string;
  score(rollouts: readonly Rollout[], ctx: RewardContext): Promise<(ComponentScore | null)[]>;
}

/** The four dimensions a medical judge scores, each 0..10. */
export interface JudgeScores {
  safety: number;
  reasoning: number;
  completeness: number;
  empathy: number;
}

/** Tokens a judge call used, for cost accounting. */
export interface JudgeUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens served from the provider's prompt cache (billed differently). */
  cachedPromptTokens?: number;
  /** Cost in the configured currency, when prices are configured. */
  cost?: number;
}

/** A judge's verdict on one answer. */
export interface Judgement {
  scores: JudgeScores;
  /** Overall quality in [0, 1], as the judge states it. */
  overall: number;
  critique: string;
  usage?: JudgeUsage;
  /** True when the judgement came from a cache rather than a fresh call. */
  cached?: boolean;
  /** Rubric mode: criterion ids that were met. */
  rubric?: { met: string[]; points: number; possible: number };
}

/** One item a judge is asked about. */
export interface JudgeItem {
  id: string;
  prompt: string;
  completion: string;
  meta?: SampleMeta;
}

/**
 * A judge scores answers on safety, reasoning, completeness and empathy.
 * It returns one entry per item; `null` means the judgement is missing (e.g. retries exhausted)
 * and must never be replaced by made-up scores.
 */
export interface Judge {
  name: string;
  description?: string;
  judge(items: readonly JudgeItem[], ctx: PluginContext): Promise<(Judgement | null)[]>;
  /** Usage so far (tokens, cost, cache hits, failures), for summaries and `/metrics`. */
  stats?(): Record<string, number>;
  /** Whether this judge can run here (e.g. an API key is set). Default: true. */
  available?(): boolean;
}

/** A named set of tensors in row-major Float32 form, the engine-neutral checkpoint format. */
export interface TensorData {
  shape: number[];
  data: Float32Array;
}

/** What a checkpoint writer receives. */
export interface Checkpoint {
  /** `full` weights (with a Hugging Face config) or `lora` adapters (with PEFT config). */
  kind: 'full' | 'lora';
  step: number;
  /** Tensors keyed by the Hugging Face / PEFT name the writer should use. */
  tensors: Record<string, TensorData>;
  /** config.json (full) or adapter_config.json (lora) content. */
  config: Record<string, unknown>;
  /** Trainer state (optimizer moments, RNG, cursor); writers that only export weights may ignore it. */
  state?: Record<string, unknown>;
}

/** Writes a checkpoint into a directory. Core makes the directory atomic around all writers. */
export interface CheckpointWriter {
  name: string;
  description?: string;
  write(checkpoint: Checkpoint, dir: string, ctx: PluginContext): Promise<void>;
}
