/**
 * The HTTP server of `medrl serve`: the composed reward over fastify.
 *
 *   POST /get_reward  OpenRLHF's remote reward protocol (openrlhf.ts)
 *   POST /v1/reward   medrl's own: {items: [{prompt, completion, meta?}]} -> totals and full breakdowns
 *   GET  /healthz     liveness and readiness (503 while shutting down); never needs the token
 *   GET  /metrics     Prometheus text format (metrics.ts)
 *
 * The scorer is injected (`{ score(rollouts) }`, the run's RewardComposer in production), so the
 * server is tested with a fake and knows nothing of plugins or config files. Bodies arrive as raw
 * bytes; decoding, validation and scoring (requests.ts) run in this thread, or on scoring threads
 * (`pool`, score-pool.ts) so that a large body never keeps /healthz waiting.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Judge, Logger } from '@medrl/sdk';
import { serveSchema, type ServeOptions } from '../config/sections/serve.js';
import { messageOf } from '../errors.js';
import { createLogger, redactText } from '../logging.js';
import { bearerChecker } from './auth.js';
import { HttpError } from './http-error.js';
import { ServeMetrics } from './metrics.js';
import { scoreRequest, type RewardScorer, type ScoredRequest, type ScoringRoute } from './requests.js';

export { HttpError } from './http-error.js';
export type { RewardScorer } from './requests.js';

/** Scores raw request bodies somewhere else (the scoring threads of score-pool.ts). */
export interface RequestScorer {
  score(route: ScoringRoute, body: Buffer, signal: AbortSignal): Promise<ScoredRequest>;
  close(): Promise<void>;
}

export interface CreateServerOptions {
  /** Scores in this thread (and names the components in /healthz and `extra_logs`). */
  composer: RewardScorer;
  /** When given, requests are scored there instead of by `composer`; closed with the server. */
  pool?: RequestScorer;
  /** Judges whose stats() appear in /metrics. */
  judges?: readonly Pick<Judge, 'name' | 'stats'>[];
  /** The `serve` config section; omitted fields take the schema's defaults. */
  options?: Partial<ServeOptions>;
  /** Bearer token required on every route but /healthz; none when undefined. An empty token is refused. */
  token?: string;
  logger?: Logger;
  /** Plugin counters and gauges for /metrics (`run.metrics.snapshot`). */
  pluginMetrics?: () => Record<string, number>;
  /** Process metrics (RSS, heap, event loop) in /metrics; default true. */
  processMetrics?: boolean;
  /**
   * Renders GET /metrics instead of this server's own registry: a cluster worker asks the primary
   * for the sum over all workers, so that a scrape never sees one worker only.
   */
  renderMetrics?: () => Promise<{ contentType: string; body: string }>;
}

export interface MedrlServer {
  readonly app: FastifyInstance;
  readonly metrics: ServeMetrics;
  readonly options: ServeOptions;
  /** Reward requests being scored now. */
  inFlight(): number;
  /** Starts listening on options.host:options.port; resolves to the base URL. */
  listen(): Promise<string>;
  /**
   * Graceful shutdown: keeps listening but answers every new request (new connections included)
   * with 503, lets in-flight ones finish (at most `shutdownTimeout`, then their connections are
   * closed), then stops listening. Idempotent.
   */
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

interface RouteConfig {
  /** Reachable without the bearer token. */
  public?: boolean;
}

/** Fastify's own errors (body parsing, limits) become a code and a message naming what to change. */
function describeFastifyError(
  error: { code?: string; message: string },
  options: ServeOptions,
): { code: string; message: string } {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        code: 'body_too_large',
        message: `request body is larger than serve.bodyLimit (${options.bodyLimit} bytes)`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', message: 'send the body as Content-Type: application/json' };
    default:
      return { code: error.code ?? 'error', message: error.message };
  }
}

/** Largest error body, in bytes; longer ones lose their issue list. */
const MAX_ERROR_BODY = 16 * 1024;

export function createServer(init: CreateServerOptions): MedrlServer {
  const options = serveSchema.parse(init.options ?? {});
  const logger = init.logger ?? createLogger('serve');
  const composer = init.composer;
  const pool = init.pool;
  const metrics = new ServeMetrics({
    judges: init.judges,
    pluginMetrics: init.pluginMetrics,
    processMetrics: init.processMetrics,
  });
  if (init.token !== undefined && init.token.trim() === '') {
    throw new Error('the bearer token is empty: give a token or none at all');
  }
  const checkToken = init.token ? bearerChecker(init.token) : undefined;
  const retryAfter = String(options.retryAfter);

  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit,
    keepAliveTimeout: options.keepAliveTimeout,
    // Time to receive a whole request (slow clients); scoring time is bounded separately below.
    requestTimeout: options.requestTimeout,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });

  // JSON only (a text/plain body would otherwise reach validation as a string), kept as bytes:
  // decoding and parsing happen where the request is scored, so that invalid UTF-8 is refused
  // naming the item and a large body is parsed off the main thread when scoring threads run.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  let inFlight = 0;
  /** Scoring requests whose response has not closed yet (inFlight drops before the answer is written). */
  let unanswered = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  // While shutting down, every answer (including in-flight ones) ends its keep-alive connection,
  // so that closing does not wait for idle clients.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });

  app.addHook('onRequest', async (request) => {
    if (draining) {
      metrics.rejected.inc({ reason: 'shutting_down' });
      throw new HttpError(503, 'shutting_down', 'the server is shutting down; retry (another replica)', {
        headers: { 'retry-after': retryAfter },
      });
    }
    if (!checkToken || (request.routeOptions.config as RouteConfig | undefined)?.public) return;
    if (!checkToken(request.headers.authorization)) {
      metrics.rejected.inc({ reason: 'unauthorized' });
      throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token (Authorization: Bearer <token>)', {
        headers: { 'www-authenticate': 'Bearer realm="medrl"' },
      });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.extra.headers ?? {})) reply.header(name, value);
      const body: Record<string, unknown> = {
        statusCode: error.statusCode,
        error: STATUS_TEXT[error.statusCode] ?? 'Error',
        code: error.code,
        message: error.message,
        ...(error.extra.issues ? { issues: error.extra.issues } : {}),
        ...(error.extra.issuesOmitted ? { issuesOmitted: error.extra.issuesOmitted } : {}),
      };
      // The answer to a bad body stays small, whatever the body was.
      if (Buffer.byteLength(JSON.stringify(body)) > MAX_ERROR_BODY) {
        delete body.issues;
        body.message = String(body.message).slice(0, 1000);
      }
      return reply.code(error.statusCode).send(body);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) logger.error(`${request.method} ${request.url} failed: ${messageOf(error)}`);
    const scoring = request.routeOptions.url === '/get_reward' || request.routeOptions.url === '/v1/reward';
    // Registered secrets (API keys, the token) are scrubbed from answers as they are from logs.
    const described =
      status >= 500
        ? {
            code: 'internal',
            message: redactText(`${scoring ? 'scoring failed' : 'failed'}: ${messageOf(error)}`).slice(0, 2000),
          }
        : describeFastifyError(error, options);
    return reply.code(status).send({ statusCode: status, error: STATUS_TEXT[status] ?? 'Error', ...described });
  });

  app.setNotFoundHandler(async (request) => {
    throw new HttpError(
      404,
      'not_found',
      `no route ${request.method} ${request.url}; routes: POST /get_reward, POST /v1/reward, GET /healthz, GET /metrics`,
    );
  });

  /**
   * Scores one request under the concurrency limit and the per-request timeout. The components get
   * an AbortSignal that fires on timeout or when the client goes away, so judges can stop paying.
   */
  async function scoreWithLimits(route: ScoringRoute, request: FastifyRequest, reply: FastifyReply) {
    if (inFlight >= options.maxConcurrency) {
      metrics.rejected.inc({ reason: 'saturated' });
      throw new HttpError(
        429,
        'saturated',
        `${inFlight} requests are being scored (serve.maxConcurrency = ${options.maxConcurrency}); retry later`,
        { headers: { 'retry-after': retryAfter } },
      );
    }
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    inFlight += 1;
    metrics.inFlight.set(inFlight);
    unanswered += 1;
    const controller = new AbortController();
    // 'close' comes once per response: after it was sent, or when the client went away first.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the connection'));
      unanswered -= 1;
      if (unanswered === 0) drained?.();
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = pool
        ? pool.score(route, body, controller.signal)
        : scoreRequest(route, body, composer, options, controller.signal);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new HttpError(
            503,
            'timeout',
            `scoring took longer than serve.requestTimeout (${options.requestTimeout} ms)`,
            { headers: { 'retry-after': retryAfter } },
          );
          controller.abort(error);
          reject(error);
        }, options.requestTimeout);
      });
      // Scoring abandoned after a timeout may still reject later; that must not crash the process.
      work.catch(() => undefined);
      const scored = await Promise.race([work, timeout]);
      metrics.items.inc({ route }, scored.items);
      if (scored.dropped > 0) metrics.dropped.inc({ route }, scored.dropped);
      return scored.body;
    } catch (error) {
      if (error instanceof HttpError && error.code === 'timeout') metrics.rejected.inc({ reason: 'timeout' });
      throw error;
    } finally {
      clearTimeout(timer);
      inFlight -= 1;
      metrics.inFlight.set(inFlight);
    }
  }

  app.post('/get_reward', (request, reply) => scoreWithLimits('/get_reward', request, reply));
  app.post('/v1/reward', (request, reply) => scoreWithLimits('/v1/reward', request, reply));

  app.get('/healthz', { config: { public: true } satisfies RouteConfig }, async () => ({
    status: 'ok',
    inFlight,
    components: composer.componentNames ?? [],
  }));

  app.get('/metrics', { config: { public: !options.metricsRequireToken } satisfies RouteConfig }, async (_, reply) => {
    const { contentType, body } = await (init.renderMetrics ?? (() => metrics.render()))();
    return reply.type(contentType).send(body);
  });

  return {
    app,
    metrics,
    options,
    inFlight: () => inFlight,
    async listen() {
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      return `http://${host}:${port}`;
    },
    close() {
      closing ??= (async () => {
        // Still listening: new requests and connections get 503 while the in-flight ones finish.
        draining = true;
        if (unanswered > 0) {
          let deadline: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            drained = resolve;
            deadline = setTimeout(() => {
              logger.warn(
                `shutdown: ${inFlight} request(s) still running after ${options.shutdownTimeout} ms; closing them`,
              );
              app.server.closeAllConnections();
              resolve();
            }, options.shutdownTimeout);
          });
          clearTimeout(deadline);
        }
        const closed = app.close();
        app.server.closeAllConnections();
        await closed;
        await pool?.close();
      })();
      return closing;
    },
  };
}
