/**
 * One reward request from raw body bytes to the answer, without HTTP: UTF-8 and JSON checks,
 * validation, rollouts, scoring, the response. The server runs it in its main thread or on a
 * scoring thread (score-pool.ts); either way the same code answers, and every refusal is an
 * HttpError naming what to fix.
 */
import { isUtf8 } from 'node:buffer';
import secureJson from 'secure-json-parse';
import type { RewardBreakdown, Rollout } from '@medrl/sdk';
import type { ServeOptions } from '../config/sections/serve.js';
import { toRollout } from '../reward/rollout.js';
import { HttpError, invalidBody } from './http-error.js';
import { QuerySplitError, metaFromLabel, splitQuery, toGetRewardResponse } from './openrlhf.js';
import { fieldIssues, getRewardSchema, issuePath, metaSchema, rewardItemsSchema } from './schemas.js';

export type ScoringRoute = '/get_reward' | '/v1/reward';

/** What the server needs of the composer. */
export interface RewardScorer {
  score(rollouts: readonly Rollout[], opts?: { step?: number; signal?: AbortSignal }): Promise<RewardBreakdown[]>;
  /** Component names in config order, so `extra_logs` keys come out in a stable order. */
  readonly componentNames?: readonly string[];
}

export interface ScoredRequest {
  /** The JSON answer. */
  body: unknown;
  items: number;
  dropped: number;
}

/** A character that marks where invalid bytes were (a noncharacter, checked absent from the body). */
const SENTINEL = '\uFDD0';
const SENTINEL_BYTES = Buffer.from(SENTINEL, 'utf8');

/** The first invalid UTF-8 sequence's offset and the body decoded with SENTINEL in place of each one. */
function decodeMarked(bytes: Buffer): { offset: number; text: string } {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  let offset = -1;
  let start = 0;
  // Bisect-free scan: find each maximal valid run by trying to decode up to the next bad byte.
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    if (offset === -1) offset = i;
    text += decoder.decode(bytes.subarray(start, i)) + SENTINEL;
    i += 1;
    start = i;
  }
  text += decoder.decode(bytes.subarray(start));
  return { offset, text };
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const c1 = b[i + 1];
    if (c1 === undefined || (c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f)) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const c1 = b[i + 1];
    if (c1 === undefined || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Paths of the strings holding SENTINEL, e.g. `items.2.completion`. */
function sentinelPaths(value: unknown, path: (string | number)[] = [], out: string[] = []): string[] {
  if (out.length >= 5) return out;
  if (typeof value === 'string') {
    if (value.includes(SENTINEL)) out.push(issuePath(path));
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => sentinelPaths(v, [...path, i], out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes(SENTINEL)) out.push(issuePath([...path, k]));
      sentinelPaths(v, [...path, k], out);
    }
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    // Like fastify's own parser: a body with __proto__ or constructor.prototype keys is refused.
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const detail = (error as Error).message;
    const poisoned = /prototype/i.test(detail);
    throw new HttpError(
      400,
      'invalid_json',
      poisoned
        ? 'request body has a forbidden __proto__ or constructor.prototype key'
        : 'request body is not valid JSON',
    );
  }
}

/**
 * The JSON body of raw bytes. Invalid UTF-8 is refused naming the item that holds it (the data
 * pipeline refuses it too): silently replacing it with U+FFFD would score other text than was sent.
 */
export function parseBody(bytes: Buffer): unknown {
  if (bytes.length === 0) throw new HttpError(400, 'invalid_json', 'the JSON body is empty');
  if (isUtf8(bytes)) return parseJson(bytes.toString('utf8'));
  const { offset, text } = decodeMarked(bytes);
  const where = (paths: string[]) => (paths.length > 0 ? paths.join(', ') : '(body)');
  // A body that legitimately holds the marker cannot say which item is broken: name the body.
  const body = bytes.includes(SENTINEL_BYTES) ? undefined : parseJsonOrUndefined(text);
  const paths = body === undefined ? [] : sentinelPaths(body);
  throw new HttpError(
    400,
    'invalid_utf8',
    `${where(paths)}: not valid UTF-8 (first bad byte at offset ${offset} of the body); send text as UTF-8`,
    { issues: paths.map((path) => ({ path, message: 'not valid UTF-8' })) },
  );
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Rollouts of a request body, or 400 naming the field. */
export function requestRollouts(
  route: ScoringRoute,
  body: unknown,
  options: Pick<ServeOptions, 'maxBatchSize'>,
): { rollouts: Rollout[]; step?: number } {
  if (route === '/v1/reward') {
    const parsed = rewardItemsSchema(options.maxBatchSize).safeParse(body);
    if (!parsed.success) throw invalidBody(fieldIssues(parsed.error));
    return { rollouts: parsed.data.items.map((item, i) => toRollout(item, String(i))), step: parsed.data.step };
  }
  const parsed = getRewardSchema(options.maxBatchSize).safeParse(body);
  if (!parsed.success) throw invalidBody(fieldIssues(parsed.error));
  const { query, prompts, labels } = parsed.data;
  const rollouts = query.map((text, i) => {
    let split;
    try {
      split = splitQuery(text, prompts?.[i], i);
    } catch (error) {
      if (error instanceof QuerySplitError) throw invalidBody([{ path: `query.${i}`, message: error.message }]);
      throw error;
    }
    const meta = metaSchema.safeParse(metaFromLabel(labels?.[i]));
    if (!meta.success) {
      throw invalidBody(
        meta.error.issues.map((issue) => ({
          path: issuePath(['labels', i, ...issue.path]),
          message: `${issue.message} (a JSON-object label is read as sample meta)`,
        })),
      );
    }
    const rollout = toRollout({ id: String(i), prompt: split.question, completion: split.completion, meta: meta.data });
    return split.messages && split.messages.length > 0 ? { ...rollout, messages: split.messages } : rollout;
  });
  return { rollouts };
}

/** The answer of a scoring route from the composer's breakdowns. */
export function requestAnswer(
  route: ScoringRoute,
  breakdowns: readonly RewardBreakdown[],
  componentNames: readonly string[],
  options: Pick<ServeOptions, 'droppedReward'>,
): ScoredRequest {
  const dropped = breakdowns.filter((b) => b.total === null).length;
  const body =
    route === '/get_reward'
      ? toGetRewardResponse(breakdowns, componentNames, options.droppedReward)
      : { totals: breakdowns.map((b) => b.total), breakdowns };
  return { body, items: breakdowns.length, dropped };
}

/** Bytes in, answer out: what one scoring request costs, wherever it runs. */
export async function scoreRequest(
  route: ScoringRoute,
  bytes: Buffer,
  composer: RewardScorer,
  options: Pick<ServeOptions, 'maxBatchSize' | 'droppedReward'>,
  signal?: AbortSignal,
): Promise<ScoredRequest> {
  const { rollouts, step } = requestRollouts(route, parseBody(bytes), options);
  const breakdowns = await composer.score(rollouts, { step, signal });
  if (!Array.isArray(breakdowns) || breakdowns.length !== rollouts.length) {
    throw new Error(`the composer returned ${String(breakdowns?.length)} breakdowns for ${rollouts.length} rollouts`);
  }
  return requestAnswer(route, breakdowns, composer.componentNames ?? [], options);
}
