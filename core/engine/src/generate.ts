/**
 * Batched text generation: left-padded prompts, a KV cache (or none, for comparison), temperature,
 * top-k, top-p, EOS stop and seeded sampling, with the log-probability of every sampled token.
 *
 * Reported logprobs are log softmax(logits / temperature) of the chosen token (temperature 1 for
 * greedy), before top-k/top-p filtering: the quantity PPO's old-policy logprobs must match.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineRng } from './rng.js';
import { KVCache, type Qwen3Model } from './qwen3/model.js';

/** What generation needs from a tokenizer (tokenizer.ts's Tokenizer satisfies it). */
export interface GenerationTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
}

export interface SamplingOptions {
  /** 0 = greedy (argmax); otherwise logits are divided by it. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens; 0 = off. Default 0. */
  topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p; 1 = off. Default 1. */
  topP?: number;
}

export interface GenerateOptions extends SamplingOptions {
  /** Most tokens generated per prompt. Default 256. */
  maxNewTokens?: number;
  /** Seed of a fresh sampler; ignored when `rng` is given. Default 0. */
  seed?: number;
  /** The sampler to draw from (advanced in place, so its state can be checkpointed). */
  rng?: EngineRng;
  /** Token ids that end a sequence. Default: the tokenizer's eosTokenIds. */
  stopTokenIds?: readonly number[];
  /** Reuse keys/values of earlier tokens. false recomputes the whole sequence each step (benchmarks). Default true. */
  useCache?: boolean;
  /** Apply attached LoRA adapters. Default true. */
  adapters?: boolean;
  /** Called after each decoding step with the number of tokens generated so far. */
  onStep?: (step: number) => void;
  /**
   * Called the moment a row is finished — at its stop token, or when it reaches the token limit —
   * with its final result (rows finishing at the same decoding step: in row order, synchronously
   * one after another). When given, every decoding step also yields to the event loop (one
   * macrotask), so that I/O the callback starts (a judge request) makes progress while the other
   * rows are still generating.
   */
  onRowDone?: (row: number, result: GenerationResult) => void;
}

export interface GenerationResult {
  /** The prompt's token ids (no padding). */
  promptIds: number[];
  /** Generated ids, including the stop token when one ended the sequence. */
  tokenIds: number[];
  /** Decoded generated text without the stop token. */
  text: string;
  /** log-probability of each generated token (same length as tokenIds). */
  logprobs: number[];
  finishReason: 'stop' | 'length';
}

/**
 * Picks the next token from one row of logits. Returns the id and its logprob under
 * softmax(logits / temperature).
 */
export function sampleToken(
  logits: Float32Array,
  options: SamplingOptions,
  rng: EngineRng,
): { id: number; logprob: number } {
  const temperature = options.temperature ?? 1;
  const topK = options.topK ?? 0;
  const topP = options.topP ?? 1;
  const scale = temperature > 0 ? 1 / temperature : 1;
  const v = logits.length;
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < v; i++) {
    if (logits[i]! > max) {
      max = logits[i]!;
      argmax = i;
    }
  }
  // Unnormalized probabilities of the tempered distribution and its log-normalizer.
  const weights = new Float64Array(v);
  let total = 0;
  for (let i = 0; i < v; i++) {
    const w = Math.exp((logits[i]! - max) * scale);
    weights[i] = w;
    total += w;
  }
  const logZ = Math.log(total);
  const logprobOf = (id: number) => (logits[id]! - max) * scale - logZ;
  if (temperature === 0) return { id: argmax, logprob: logprobOf(argmax) };

  let candidates: number[] | undefined; // undefined = the whole vocabulary
  if (topK > 0 && topK < v) candidates = largest(weights, topK);
  if (topP < 1) {
    // The nucleus lies among tokens above a tiny threshold unless they carry less than topP of the mass.
    let pool = candidates ?? aboveThreshold(weights, total * 1e-9);
    const poolMass = pool.reduce((s, i) => s + weights[i]!, 0);
    const mass = candidates ? poolMass : total;
    if (!candidates && poolMass < topP * total) pool = Array.from({ length: v }, (_, i) => i);
    pool.sort((a, b) => weights[b]! - weights[a]! || a - b);
    const kept: number[] = [];
    let cumulative = 0;
    for (const id of pool) {
      kept.push(id);
      cumulative += weights[id]!;
      if (cumulative >= topP * mass) break;
    }
    candidates = kept;
  }
  let id: number;
  if (candidates) {
    const mass = candidates.reduce((s, i) => s + weights[i]!, 0);
    let u = rng.float() * mass;
    id = candidates[candidates.length - 1]!;
    for (const c of candidates) {
      u -= weights[c]!;
      if (u < 0) {
        id = c;
        break;
      }
    }
  } else {
    let u = rng.float() * total;
    id = argmax;
    for (let i = 0; i < v; i++) {
      u -= weights[i]!;
      if (u < 0) {
        id = i;
        break;
      }
    }
  }
  return { id, logprob: logprobOf(id) };
}

/** Indices of the k largest weights (ties: lower index first), in index order. */
function largest(weights: Float64Array, k: number): number[] {
  // The k-th largest value (with repeats) from a size-k min-heap: O(v log k) instead of sorting all
  // v values per row, which cost more than the model's forward pass for a 10k vocabulary.
  const threshold = kthLargest(weights, k);
  const above: number[] = [];
  const equal: number[] = [];
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! > threshold) above.push(i);
    else if (weights[i] === threshold) equal.push(i);
  }
  return [...above, ...equal.slice(0, k - above.length)].sort((a, b) => a - b);
}

/** The k-th largest of `values`, counting repeats (what sorting ascending and reading index v - k gives). */
export function kthLargest(values: Float64Array, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (size < k) {
      // Sift up.
      let j = size++;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (heap[parent]! <= x) break;
        heap[j] = heap[parent]!;
        j = parent;
      }
      heap[j] = x;
    } else if (x > heap[0]!) {
      // Replace the root and sift down.
      let j = 0;
      for (;;) {
        const left = 2 * j + 1;
        if (left >= k) break;
        const child = left + 1 < k && heap[left + 1]! < heap[left]! ? left + 1 : left;
        if (heap[child]! >= x) break;
        heap[j] = heap[child]!;
        j = child;
      }
      heap[j] = x;
    }
  }
  return heap[0]!;
}

function aboveThreshold(weights: Float64Array, threshold: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < weights.length; i++) if (weights[i]! >= threshold) out.push(i);
  return out;
}

/** Validates sampling options; names the offending field. */
function checkOptions(options: GenerateOptions): void {
  const { temperature = 1, topK = 0, topP = 1, maxNewTokens = 256 } = options;
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw new Error(`generate: temperature must be >= 0, got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0)
    throw new Error(`generate: topK must be a non-negative integer, got ${topK}`);
  if (!(topP > 0 && topP <= 1)) throw new Error(`generate: topP must be in (0, 1], got ${topP}`);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new Error(`generate: maxNewTokens must be a positive integer, got ${maxNewTokens}`);
  }
}

/**
 * Generates a continuation of each prompt (a string, encoded as is, or token ids). Prompts are
 * left-padded into one batch; finished rows keep running as padding until every row is done.
 */
export async function generate(
  model: Qwen3Model,
  tokenizer: GenerationTokenizer,
  prompts: readonly (string | readonly number[])[],
  options: GenerateOptions = {},
): Promise<GenerationResult[]> {
  checkOptions(options);
  if (prompts.length === 0) return [];
  const promptIds = prompts.map((p, i) => {
    const ids = typeof p === 'string' ? tokenizer.encode(p) : [...p];
    if (ids.length === 0) throw new Error(`generate: prompt ${i} is empty`);
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= model.config.vocab_size) {
        throw new Error(
          `generate: prompt ${i} has token id ${id} outside the model's vocabulary (${model.config.vocab_size})`,
        );
      }
    }
    return ids;
  });
  const batch = promptIds.length;
  const promptLength = Math.max(...promptIds.map((ids) => ids.length));
  const room = model.config.max_position_embeddings - promptLength;
  if (room < 1)
    throw new Error(
      `generate: prompt of ${promptLength} tokens leaves no room (max_position_embeddings ${model.config.max_position_embeddings})`,
    );
  const maxNew = Math.min(options.maxNewTokens ?? 256, room);
  const stop = new Set(options.stopTokenIds ?? tokenizer.eosTokenIds);
  const rng = options.rng ?? EngineRng.fromSeed(options.seed ?? 0);
  const pad = tokenizer.padTokenId;
  const useCache = options.useCache ?? true;

  // Left padding: [B, L] ids and mask.
  const rows: number[][] = promptIds.map((ids) => [...new Array<number>(promptLength - ids.length).fill(pad), ...ids]);
  const maskRows: number[][] = promptIds.map((ids) => [
    ...new Array<number>(promptLength - ids.length).fill(0),
    ...new Array<number>(ids.length).fill(1),
  ]);
  const generated: number[][] = promptIds.map(() => []);
  const logprobs: number[][] = promptIds.map(() => []);
  const done = new Array<boolean>(batch).fill(false);
  const cache = useCache ? new KVCache(model.config.num_hidden_layers) : undefined;
  const forwardOptions = { adapters: options.adapters ?? true };
  const resultOf = (b: number): GenerationResult => {
    const tokenIds = generated[b]!;
    const last = tokenIds[tokenIds.length - 1];
    const stopped = last !== undefined && stop.has(last);
    return {
      promptIds: promptIds[b]!,
      tokenIds,
      text: tokenizer.decode(stopped ? tokenIds.slice(0, -1) : tokenIds),
      logprobs: logprobs[b]!,
      finishReason: stopped ? 'stop' : 'length',
    };
  };
  const results: (GenerationResult | undefined)[] = new Array(batch);
  const onRowDone = options.onRowDone;
  const finish = (b: number) => {
    results[b] = resultOf(b);
    onRowDone?.(b, results[b]);
  };

  await model.withInferenceWeights(async () => {
    try {
      let inputs = { ids: rows, mask: maskRows };
      for (let step = 0; step < maxNew; step++) {
        const width = inputs.ids[0]!.length;
        const ids = tf.tensor2d(inputs.ids, [batch, width], 'int32');
        const mask = tf.tensor2d(inputs.mask, [batch, width], 'int32');
        const { logits } = model.forward(ids, { ...forwardOptions, attentionMask: mask, cache, logitsFrom: width - 1 });
        ids.dispose();
        mask.dispose();
        const values = (await logits.data()) as Float32Array;
        logits.dispose();
        const v = model.config.vocab_size;
        const next: number[] = [];
        for (let b = 0; b < batch; b++) {
          if (done[b]) {
            next.push(pad);
            continue;
          }
          const { id, logprob } = sampleToken(values.subarray(b * v, (b + 1) * v), options, rng);
          generated[b]!.push(id);
          logprobs[b]!.push(logprob);
          if (stop.has(id)) done[b] = true;
          next.push(id);
        }
        for (let b = 0; b < batch; b++) if (results[b] === undefined && (done[b] || step + 1 === maxNew)) finish(b);
        options.onStep?.(step + 1);
        if (done.every(Boolean)) break;
        // setImmediate runs after the poll phase: sockets the callbacks opened get served.
        if (onRowDone) await new Promise<void>((resolve) => setImmediate(resolve));
        const nextMask = done.map((d) => (d ? 0 : 1)); // finished rows continue as padding
        if (useCache) {
          inputs = { ids: next.map((id) => [id]), mask: nextMask.map((m) => [m]) };
        } else {
          inputs = {
            ids: inputs.ids.map((row, b) => [...row, next[b]!]),
            mask: inputs.mask.map((row, b) => [...row, nextMask[b]!]),
          };
        }
      }
    } finally {
      cache?.dispose();
    }
  });

  return results.map((r, b) => r ?? resultOf(b));
}
