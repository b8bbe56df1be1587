/**
 * Rollouts of one batch: the policy answers all of the batch's prompts at once, and each row goes
 * to the reward composer the moment it finishes (its stop token or max_new_tokens), so a slow judge
 * works while the other rows are still generating — and, when the loop overlaps judging with the
 * next step, while the policy trains. The composer's calls only collect component scores; the batch
 * is composed (normalized, weighted) once, in rollout order, when the trainer takes it, so calls may
 * finish in any order without changing a number. At most `ComposerSlots.limit` calls are in flight
 * run-wide; rows that finish while every slot is taken go out together in the next free one.
 */
import type { RewardBreakdown, Rollout } from '@medrl/sdk';
import {
  generate,
  type GenerateOptions,
  type GenerationResult,
  type GenerationTokenizer,
  type EngineRng,
  type Tokenizer,
} from '@medrl/engine';
import { type ComponentScores, type RewardComposer, toRollout } from '@medrl/core';
import type { Policy } from './policy.js';
import type { TrainPrompt } from './prompts.js';

export interface Sampling {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
}

/** A generated rollout before its reward. */
export interface GeneratedSample {
  prompt: TrainPrompt;
  queryIds: number[];
  /** Generated ids, the stop token included when one ended the answer. */
  responseIds: number[];
  finishReason: 'stop' | 'length';
  rollout: Rollout;
}

export interface ScoredSample extends GeneratedSample {
  breakdown: RewardBreakdown;
  /** The composed reward; null when the composer dropped the sample. */
  score: number | null;
}

/** What happened when, for tests and profiling. `batch` tells training rollouts from safety-gate answers. */
export type RolloutEvent = { batch: 'rollouts' | 'gate'; step: number; at: number } & (
  | { kind: 'rowDone'; row: number }
  | { kind: 'generated' }
  | { kind: 'scoreStart'; rows: number[] }
  | { kind: 'scoreEnd'; rows: number[] }
);

/**
 * The tokenizer as generation sees it, decoding an empty id list to '' (an answer that stops at
 * its first token; the @huggingface/tokenizers decoder rejects empty lists).
 */
export function safeDecoding(tokenizer: Tokenizer): GenerationTokenizer {
  return {
    encode: (text) => tokenizer.encode(text),
    decode: (ids, options) => (ids.length === 0 ? '' : tokenizer.decode(ids, options)),
    eosTokenIds: tokenizer.eosTokenIds,
    padTokenId: tokenizer.padTokenId,
  };
}

/** The chat-template rendering of a prompt with the generation prompt, cut from the left to `maxLength`. */
export function encodePrompt(tokenizer: Tokenizer, prompt: TrainPrompt, maxLength: number): number[] {
  const ids = tokenizer.encodeChat(prompt.messages, { addGenerationPrompt: true });
  return ids.length > maxLength ? ids.slice(ids.length - maxLength) : ids;
}

/**
 * Lets a few macrotasks run: judge requests started by rows that finished at the very last
 * decoding step need two or three event-loop turns to reach the socket, which CPU-bound work
 * (a forward pass, an update) would otherwise hold back until it ends.
 */
export async function letRequestsLeave(turns = 4): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The run-wide cap on composer calls in flight (`reward_concurrency`), shared by every batch. */
export class ComposerSlots {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Resolves once a slot is taken (first come, first served); `release` gives it back. */
  acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
}

/**
 * Sends rows of one batch to the composer as they are added and collects their component scores
 * by row index. Rows added in the same synchronous stretch (finishing at the same decoding step)
 * and rows that wait for a slot go out in one call.
 */
export class RowScorer {
  private readonly rollouts: Rollout[];
  private readonly perTerm: ComponentScores;
  private queue: number[] = [];
  private waitingForSlot = false;
  private calls = 0;
  private closed = false;
  private failure: { error: unknown } | undefined;
  private settle!: { resolve: (scores: ComponentScores) => void; reject: (error: unknown) => void };
  /** Every row's component scores, once the batch is closed and every call answered. */
  readonly scores: Promise<ComponentScores>;

  constructor(
    private readonly composer: RewardComposer,
    size: number,
    private readonly opts: {
      slots: ComposerSlots;
      step: number;
      signal?: AbortSignal;
      batch: 'rollouts' | 'gate';
      onEvent?: (event: RolloutEvent) => void;
    },
  ) {
    this.rollouts = new Array(size);
    this.perTerm = composer.terms.map(() => ({
      scores: new Array<null>(size).fill(null),
      missing: new Array<undefined>(size).fill(undefined),
    }));
    this.scores = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // Nobody may be waiting yet when a call fails (the batch is judged ahead); the taker sees it.
    this.scores.catch(() => undefined);
  }

  add(row: number, rollout: Rollout): void {
    if (this.closed) throw new Error('RowScorer: add after close');
    this.rollouts[row] = rollout;
    this.queue.push(row);
    this.requestSlot();
  }

  /** No more rows will come. */
  close(): void {
    this.closed = true;
    this.checkDone();
  }

  private requestSlot(): void {
    if (this.waitingForSlot) return;
    this.waitingForSlot = true;
    // The slot resolves in a microtask at the earliest: rows added meanwhile join this call.
    void this.opts.slots.acquire().then(() => {
      this.waitingForSlot = false;
      const rows = this.queue;
      this.queue = [];
      this.dispatch(rows);
    });
  }

  private dispatch(rows: number[]): void {
    const { step, batch, onEvent } = this.opts;
    this.calls += 1;
    onEvent?.({ kind: 'scoreStart', batch, step, rows, at: performance.now() });
    this.composer
      .scoreComponents(
        rows.map((r) => this.rollouts[r]!),
        { step, signal: this.opts.signal },
      )
      .then(
        (perTerm) => {
          perTerm.forEach(({ scores, missing }, t) =>
            rows.forEach((row, i) => {
              this.perTerm[t]!.scores[row] = scores[i] ?? null;
              this.perTerm[t]!.missing[row] = missing[i];
            }),
          );
          onEvent?.({ kind: 'scoreEnd', batch, step, rows, at: performance.now() });
        },
        (error: unknown) => {
          this.failure ??= { error };
        },
      )
      .finally(() => {
        this.opts.slots.release();
        this.calls -= 1;
        if (this.queue.length > 0) this.requestSlot();
        this.checkDone();
      });
  }

  private checkDone(): void {
    if (!this.closed || this.calls > 0 || this.waitingForSlot || this.queue.length > 0) return;
    if (this.failure) this.settle.reject(this.failure.error);
    else this.settle.resolve(this.perTerm);
  }
}

/** A generated batch being scored; what a checkpoint keeps of a batch generated ahead of its step. */
export interface PendingBatchState {
  step: number;
  /** Updates the policy had taken when it sampled the batch. */
  policy_version: number;
  /** Indices of the step's prompts in the prompt file (one per prompt, before repetition). */
  prompt_indices: number[];
  rows: { query_ids: number[]; response_ids: number[]; finish_reason: 'stop' | 'length'; completion: string }[];
}

export class RolloutBatch {
  private composed: Promise<ScoredSample[]> | undefined;

  constructor(
    readonly step: number,
    readonly promptIndices: readonly number[],
    readonly samples: readonly GeneratedSample[],
    private readonly scorer: RowScorer,
    private readonly composer: RewardComposer,
    /** Seconds the generation took (0 for a batch restored from a checkpoint). */
    readonly generateSeconds: number,
    /** Updates the policy had taken when it sampled the batch. */
    readonly policyVersion: number,
  ) {}

  /** Waits for every row's scores and composes them in rollout order (once; later calls share it). */
  scored(): Promise<ScoredSample[]> {
    this.composed ??= this.scorer.scores.then((perTerm) => {
      const breakdowns = this.composer.compose(
        this.samples.map((s) => s.rollout),
        perTerm,
      );
      return this.samples.map((s, i) => ({ ...s, breakdown: breakdowns[i]!, score: breakdowns[i]!.total }));
    });
    return this.composed;
  }

  state(): PendingBatchState {
    return {
      step: this.step,
      policy_version: this.policyVersion,
      prompt_indices: [...this.promptIndices],
      rows: this.samples.map((s) => ({
        query_ids: s.queryIds,
        response_ids: s.responseIds,
        finish_reason: s.finishReason,
        completion: s.rollout.completion,
      })),
    };
  }
}

export interface RolloutOptions {
  policy: Policy;
  composer: RewardComposer;
  slots: ComposerSlots;
  /** All prompts of the file; the batch answers `promptIndices`, each `generationsPerPrompt` times in a row. */
  prompts: readonly TrainPrompt[];
  promptIndices: readonly number[];
  generationsPerPrompt: number;
  step: number;
  /** Updates the policy has taken so far. */
  policyVersion: number;
  sampling: Sampling;
  maxPromptLength: number;
  rng: EngineRng;
  signal?: AbortSignal;
  onEvent?: (event: RolloutEvent) => void;
}

function sampleOf(step: number, index: number, prompt: TrainPrompt, query: number[], r: GeneratedRow): GeneratedSample {
  return {
    prompt,
    queryIds: query,
    responseIds: r.tokenIds,
    finishReason: r.finishReason,
    rollout: toRollout({
      id: `${step}-${index}-${prompt.id}`,
      prompt: prompt.prompt,
      completion: r.text,
      meta: prompt.meta,
      tokens: r.tokenIds,
    }),
  };
}

type GeneratedRow = Pick<GenerationResult, 'tokenIds' | 'text' | 'finishReason'>;

function batchPrompts(opts: Pick<RolloutOptions, 'prompts' | 'promptIndices' | 'generationsPerPrompt'>): TrainPrompt[] {
  return opts.promptIndices.flatMap((i) => Array.from({ length: opts.generationsPerPrompt }, () => opts.prompts[i]!));
}

/** Where a generation pass sends its rows, and what it reports. */
interface StreamTarget {
  policy: Policy;
  composer: RewardComposer;
  slots: ComposerSlots;
  step: number;
  batch: 'rollouts' | 'gate';
  signal?: AbortSignal;
  onEvent?: (event: RolloutEvent) => void;
}

/** One generation pass whose rows go to the composer as they finish (as `rolloutOf` makes them). */
async function generateStreamed(
  target: StreamTarget,
  queries: readonly number[][],
  options: Pick<GenerateOptions, 'maxNewTokens' | 'temperature' | 'topK' | 'topP' | 'rng'>,
  rolloutOf: (row: number, result: GenerationResult) => Rollout,
): Promise<{ results: GenerationResult[]; rollouts: Rollout[]; scorer: RowScorer }> {
  const { policy, step, batch, onEvent } = target;
  const scorer = new RowScorer(target.composer, queries.length, target);
  const rollouts: Rollout[] = new Array(queries.length);
  const results = await generate(policy.model, safeDecoding(policy.tokenizer), queries, {
    ...options,
    onRowDone: (row, result) => {
      rollouts[row] = rolloutOf(row, result);
      onEvent?.({ kind: 'rowDone', batch, step, row, at: performance.now() });
      scorer.add(row, rollouts[row]);
    },
  });
  scorer.close();
  onEvent?.({ kind: 'generated', batch, step, at: performance.now() });
  return { results, rollouts, scorer };
}

/** Generates the batch in one pass; rows go to the composer as they finish. Resolves once every row is generated. */
export async function generateBatch(opts: RolloutOptions): Promise<RolloutBatch> {
  const { policy, composer, step } = opts;
  const started = performance.now();
  const prompts = batchPrompts(opts);
  const queries = prompts.map((p) => encodePrompt(policy.tokenizer, p, opts.maxPromptLength));
  const samples: GeneratedSample[] = new Array(prompts.length);
  const { scorer } = await generateStreamed(
    { ...opts, batch: 'rollouts' },
    queries,
    { ...opts.sampling, rng: opts.rng },
    (row, result) => {
      samples[row] = sampleOf(step, row, prompts[row]!, queries[row]!, result);
      return samples[row].rollout;
    },
  );
  const seconds = (performance.now() - started) / 1000;
  return new RolloutBatch(step, opts.promptIndices, samples, scorer, composer, seconds, opts.policyVersion);
}

/** A batch a checkpoint kept (generated ahead of its step): the same rows, scored again. */
export function restoreBatch(
  state: PendingBatchState,
  opts: Pick<RolloutOptions, 'composer' | 'slots' | 'prompts' | 'generationsPerPrompt' | 'signal' | 'onEvent'>,
): RolloutBatch {
  const prompts = batchPrompts({ ...opts, promptIndices: state.prompt_indices });
  if (prompts.length !== state.rows.length || prompts.some((p) => p === undefined)) {
    throw new Error(
      `pending batch of step ${state.step}: ${state.rows.length} rows for ${prompts.length} prompts; the prompt file changed since the checkpoint`,
    );
  }
  const scorer = new RowScorer(opts.composer, prompts.length, {
    slots: opts.slots,
    step: state.step,
    signal: opts.signal,
    batch: 'rollouts',
    onEvent: opts.onEvent,
  });
  const samples = state.rows.map((r, i) =>
    sampleOf(state.step, i, prompts[i]!, r.query_ids, {
      tokenIds: r.response_ids,
      text: r.completion,
      finishReason: r.finish_reason,
    }),
  );
  samples.forEach((s, i) => scorer.add(i, s.rollout));
  scorer.close();
  return new RolloutBatch(state.step, state.prompt_indices, samples, scorer, opts.composer, 0, state.policy_version);
}

/**
 * Answers of the safety gate: generated in one pass (greedy), each row scored as it finishes;
 * `scores` resolves to the component scores once every row is in.
 */
export async function generateGateAnswers(
  opts: Omit<StreamTarget, 'batch'> & {
    prompts: readonly TrainPrompt[];
    maxNewTokens: number;
    maxPromptLength: number;
  },
): Promise<{ rollouts: Rollout[]; scores: Promise<ComponentScores> }> {
  const queries = opts.prompts.map((p) => encodePrompt(opts.policy.tokenizer, p, opts.maxPromptLength));
  const { rollouts, scorer } = await generateStreamed(
    { ...opts, batch: 'gate' },
    queries,
    { maxNewTokens: opts.maxNewTokens, temperature: 0 },
    (row, r) =>
      toRollout({
        id: `gate-${opts.step}-${row}`,
        prompt: opts.prompts[row]!.prompt,
        completion: r.text,
        meta: opts.prompts[row]!.meta,
        tokens: r.tokenIds,
      }),
  );
  return { rollouts, scores: scorer.scores };
}
