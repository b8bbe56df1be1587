/**
 * Config section `serve`: `medrl serve`, the composed reward over HTTP (core/src/serve/, docs/scaling.md).
 * Defaults are safe for one trainer on the same machine: loopback only, bounded bodies, bounded work.
 */
import { z } from 'zod';

const MB = 1024 * 1024;

export const serveSchema = z.strictObject({
  /** Interface to bind. Loopback by default; use `0.0.0.0` only behind a firewall or load balancer. */
  host: z.string().min(1).default('127.0.0.1'),
  /** TCP port; 0 picks a free one (printed at start). */
  port: z.number().int().min(0).max(65535).default(8000),
  /**
   * Name of the environment variable holding the bearer token. When that variable is set, every
   * route but GET /healthz requires `Authorization: Bearer <token>` (401 otherwise). The token
   * itself never goes in the config file.
   */
  tokenEnv: z.string().min(1).default('MEDRL_SERVE_TOKEN'),
  /** Whether GET /metrics also requires the token (when one is set). */
  metricsRequireToken: z.boolean().default(true),
  /** Largest request body in bytes; larger bodies get 413. Default 10 MB. */
  bodyLimit: z
    .number()
    .int()
    .positive()
    .default(10 * MB),
  /** Most items (samples) in one request; more get 400. */
  maxBatchSize: z.number().int().positive().default(4096),
  /**
   * Milliseconds one request may spend scoring before it is abandoned with 503 (its scoring is
   * aborted through the AbortSignal components receive). Kept below OpenRLHF's 180 s client timeout.
   */
  requestTimeout: z.number().int().positive().default(120_000),
  /** Requests scored at once; one more gets 429 with Retry-After. */
  maxConcurrency: z.number().int().positive().default(256),
  /** Seconds sent in Retry-After with 429 and 503 answers. */
  retryAfter: z.number().int().min(0).default(1),
  /** Milliseconds an idle keep-alive connection stays open; keep it above your load balancer's idle timeout. */
  keepAliveTimeout: z.number().int().positive().default(72_000),
  /** Milliseconds graceful shutdown waits for in-flight requests before closing their connections. */
  shutdownTimeout: z.number().int().positive().default(30_000),
  /**
   * What POST /get_reward answers for a dropped sample (total null, `reward.onMissing: drop`) in
   * `rewards` and `scores`: null (default) sends JSON null, so the trainer fails loudly rather than
   * train on an invented number; a number sends that number. Either way the sample is flagged in
   * `extra_logs.dropped` and listed in `dropped` with its reason.
   */
  droppedReward: z.number().finite().nullable().default(null),
  /** Worker processes (node:cluster) sharing the port; each loads the config and plugins itself. */
  workers: z.number().int().min(1).max(64).default(1),
  /**
   * Scoring threads per process (worker_threads), each with its own copy of the plugins: bodies are
   * decoded, validated and scored there, so /healthz and /metrics answer at once while large bodies
   * are scored. 0 scores in the server's own thread (a large body then delays every other answer).
   * Needs a config file (an inline config scores in the server's thread).
   */
  threads: z.number().int().min(0).max(64).default(1),
});

export type ServeOptions = z.output<typeof serveSchema>;
