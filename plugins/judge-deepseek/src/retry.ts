/**
 * Retry policy as pure functions: which failures are worth another attempt and how long to wait.
 * Exponential backoff with "equal jitter" (half fixed, half random), never shorter than what the
 * server asked for with Retry-After / retry-after-ms (capped by retryAfterMaxMs).
 */
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { InvalidReplyError } from './reply.js';

export interface RetryTiming {
  retryBaseMs: number;
  retryMaxMs: number;
  retryAfterMaxMs: number;
}

/** True for 408, 409, 429, 5xx, timeouts, network errors and invalid replies. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof InvalidReplyError) return true;
  if (error instanceof APIUserAbortError) return false;
  if (error instanceof APIConnectionError) return true; // includes APIConnectionTimeoutError
  if (error instanceof APIError) {
    const status = error.status;
    return status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
  }
  return false;
}

/** The server's requested wait in ms, from `retry-after-ms` or `retry-after` (seconds or HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Delay before retry number `retry` (0 for the first retry).
 * backoff = min(retryMaxMs, retryBaseMs * 2^retry); delay = backoff/2 + random * backoff/2,
 * raised to the server's Retry-After (capped at retryAfterMaxMs) when it sent one.
 */
export function retryDelayMs(
  retry: number,
  timing: RetryTiming,
  serverWaitMs?: number,
  random = Math.random(),
): number {
  const backoff = Math.min(timing.retryMaxMs, timing.retryBaseMs * 2 ** retry);
  const jittered = backoff / 2 + random * (backoff / 2);
  if (serverWaitMs === undefined) return jittered;
  return Math.max(jittered, Math.min(serverWaitMs, timing.retryAfterMaxMs));
}

/** The Retry-After an error carries, if it is an HTTP error with one. */
export function serverWaitOf(error: unknown): number | undefined {
  return error instanceof APIError ? retryAfterMs(error.headers) : undefined;
}

/** Resolves after `ms`, or rejects early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
