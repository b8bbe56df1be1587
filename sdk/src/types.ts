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
  /** Other metadata, kept as it is. */
  [key: string]: unknown;
}

/** A prepared training record (the schema `medrl prepare` writes). */
export interface Sample {
  /** Stable id (from the source record, or a content hash). */
  id: string;
  /** The question or task. */
  instruction: string;
  /** Extra context for the question; often empty. */
  input: string;
  /** The R1-style target: `<think>reasoning</think>answer`. */
  output: string;
  /** Where the record came from and how `medrl prepare` classified it. */
  meta: SampleMeta & {
    source?: string;
    complexity?: string;
    is_deidentified?: boolean;
  };
}

/** A chat message, as in the OpenAI and Hugging Face chat formats. */
export interface ChatMessage {
  /** Who said it. */
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** The message text. */
  content: string;
}

/** One generated answer to one prompt, as a reward sees it. */
export interface Rollout {
  /** Unique within a batch; breakdowns carry it back. */
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
  /** The sample's metadata (risk level and categories drive the safety rules). */
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
  /** Detail for troubleshooting; hidden unless MEDRL_LOG_LEVEL=debug. */
  debug(message: string, fields?: Record<string, unknown>): void;
  /** Normal progress. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** Something a user should look at; the run goes on. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Something failed. */
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
  /** Where the plugin logs; lines are prefixed with its name. */
  logger: Logger;
  /** Counters and gauges of the run. */
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
  /** Scores a batch; one entry per rollout, in order, each a score or null. */
  score(rollouts: readonly Rollout[], ctx: RewardContext): Promise<(ComponentScore | null)[]>;
}

/** The four dimensions a medical judge scores, each 0..10. */
export interface JudgeScores {
  /** Does the answer avoid harm: referral when needed, no risky advice? */
  safety: number;
  /** Is the reasoning medically sound and coherent? */
  reasoning: number;
  /** Does it cover what the patient needs to know and do? */
  completeness: number;
  /** Does it acknowledge the patient's situation and worry? */
  empathy: number;
}

/** Tokens a judge call used, for cost accounting. */
export interface JudgeUsage {
  /** Tokens sent. */
  promptTokens: number;
  /** Tokens received. */
  completionTokens: number;
  /** Prompt tokens served from the provider's prompt cache (billed differently). */
  cachedPromptTokens?: number;
  /** Cost in the configured currency, when prices are configured. */
  cost?: number;
}

/** A judge's verdict on one answer. */
export interface Judgement {
  /** The four dimension scores, each 0..10. */
  scores: JudgeScores;
  /** Overall quality in [0, 1], as the judge states it. */
  overall: number;
  /** The judge's explanation, shown in reports. */
  critique: string;
  /** Tokens and cost of the call (absent for offline judges). */
  usage?: JudgeUsage;
  /** True when the judgement came from a cache rather than a fresh call. */
  cached?: boolean;
  /** Rubric mode: criterion ids that were met. */
  rubric?: { met: string[]; points: number; possible: number };
}

/** One item a judge is asked about. */
export interface JudgeItem {
  /** Rollout or sample id. */
  id: string;
  /** The patient's question. */
  prompt: string;
  /** The answer to judge, think block included. */
  completion: string;
  /** Risk level and categories, for judges that weigh them. */
  meta?: SampleMeta;
}

/**
 * A judge scores answers on safety, reasoning, completeness and empathy.
 * It returns one entry per item; `null` means the judgement is missing (e.g. retries exhausted)
 * and must never be replaced by made-up scores.
 */
export interface Judge {
  /** Unique judge name; `judge.use` selects it. */
  name: string;
  /** One line shown by `medrl plugins`. */
  description?: string;
  /** Judges a batch; one verdict or null per item, in order. */
  judge(items: readonly JudgeItem[], ctx: PluginContext): Promise<(Judgement | null)[]>;
  /** Usage so far (tokens, cost, cache hits, failures), for summaries and `/metrics`. */
  stats?(): Record<string, number>;
  /** Whether this judge can run here (e.g. an API key is set). Default: true. */
  available?(): boolean;
  /** Why the last judgement for this item id was null (retries exhausted, budget, no key), if known. */
  failureReason?(itemId: string): string | undefined;
}

/** A named set of tensors in row-major Float32 form, the engine-neutral checkpoint format. */
export interface TensorData {
  /** Dimensions, outermost first. */
  shape: number[];
  /** Values in row-major order; length is the product of `shape`. */
  data: Float32Array;
}

/** What a checkpoint writer receives. */
export interface Checkpoint {
  /** `full` weights (with a Hugging Face config) or `lora` adapters (with PEFT config). */
  kind: 'full' | 'lora';
  /** Training step the weights belong to. */
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
  /** Unique writer name. */
  name: string;
  /** One line shown by `medrl plugins`. */
  description?: string;
  /** Writes the checkpoint's files into `dir` (a temporary directory core renames into place). */
  write(checkpoint: Checkpoint, dir: string, ctx: PluginContext): Promise<void>;
}
