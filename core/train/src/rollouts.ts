/**
 * Rollouts of one step: the policy answers the step's prompts chunk by chunk, and each finished
 * chunk goes to the reward composer at once, so a slow judge works while later chunks are still
 * generating (generation awaits between decoding steps, which lets the judge's I/O progress).
 * At most `concurrency` composer calls are in flight.
 */
import type { RewardBreakdown, Rollout } from '@medrl/sdk';
import { generate, type GenerationTokenizer, type EngineRng, type Tokenizer } from '@medrl/engine';
import { type RewardComposer, toRollout } from '@medrl/core';
import type { Policy } from './policy.js';
import type { TrainPrompt } from './prompts.js';

export interface Sampling {
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
}

export interface ScoredSample {
  prompt: TrainPrompt;
  queryIds: number[];
  /** Generated ids, the stop token included when one ended the answer. */
  responseIds: number[];
  finishReason: 'stop' | 'length';
  rollout: Rollout;
  breakdown: RewardBreakdown;
  /** The composed reward; null when the composer dropped the sample. */
  score: number | null;
}

/** What happened when, for tests and profiling: generation and scoring of each chunk. */
export type RolloutEvent =
  | { kind: 'generated'; chunk: number; at: number }
  | { kind: 'scoreStart'; chunk: number; at: number }
  | { kind: 'scoreEnd'; chunk: number; at: number };

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

export interface RolloutOptions {
  policy: Policy;
  composer: RewardComposer;
  /** One entry per rollout (GRPO repeats each prompt num_generations times, consecutively). */
  prompts: readonly TrainPrompt[];
  step: number;
  chunkSize: number;
  sampling: Sampling;
  maxPromptLength: number;
  rng: EngineRng;
  concurrency: number;
  signal?: AbortSignal;
  onEvent?: (event: RolloutEvent) => void;
}

export interface RolloutResult {
  samples: ScoredSample[];
  /** Seconds spent generating, and waiting for rewards after generation ended. */
  generateSeconds: number;
  rewardWaitSeconds: number;
}

export async function generateAndScore(opts: RolloutOptions): Promise<RolloutResult> {
  const { policy, composer, prompts, step } = opts;
  const tokenizer = policy.tokenizer;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  const inFlight = new Set<Promise<void>>();
  const samples: ScoredSample[] = new Array(prompts.length);
  const emit = (event: Omit<RolloutEvent, 'at'>) => opts.onEvent?.({ ...event, at: performance.now() } as RolloutEvent);

  for (let start = 0, chunk = 0; start < prompts.length; start += opts.chunkSize, chunk++) {
    const chunkPrompts = prompts.slice(start, start + opts.chunkSize);
    const queries = chunkPrompts.map((p) => encodePrompt(tokenizer, p, opts.maxPromptLength));
    const results = await generate(policy.model, safeDecoding(tokenizer), queries, {
      maxNewTokens: opts.sampling.maxNewTokens,
      temperature: opts.sampling.temperature,
      topK: opts.sampling.topK,
      topP: opts.sampling.topP,
      rng: opts.rng,
    });
    emit({ kind: 'generated', chunk });
    const partial = results.map((r, i) => {
      const prompt = chunkPrompts[i]!;
      const index = start + i;
      return {
        prompt,
        queryIds: queries[i]!,
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
    });
    while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
    emit({ kind: 'scoreStart', chunk });
    const job = composer
      .score(
        partial.map((p) => p.rollout),
        { step, signal: opts.signal },
      )
      .then((breakdowns) => {
        emit({ kind: 'scoreEnd', chunk });
        breakdowns.forEach((breakdown, i) => {
          samples[start + i] = { ...partial[i]!, breakdown, score: breakdown.total };
        });
      });
    const tracked = job.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    pending.push(tracked);
  }
  const generated = performance.now();
  await Promise.all(pending);
  return {
    samples,
    generateSeconds: (generated - started) / 1000,
    rewardWaitSeconds: (performance.now() - generated) / 1000,
  };
}
