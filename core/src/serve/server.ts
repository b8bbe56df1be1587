/**
 * The HTTP server of `medrl serve`: the composed reward over fastify.
 *
 *   POST /get_reward  OpenRLHF's remote reward protocol (openrlhf.ts)
 *   POST /v1/reward   medrl's own: {items: [{prompt, completion, meta?}]} -> totals and full breakdowns
 *   GET  /healthz     liveness and readiness (503 while shutting down); never needs the token
 *   GET  /metrics     Prometheus text format (metrics.ts)
 *
 * The scorer is injected (`{ score(rollouts) }`, the run's RewardComposer in production), so the
 * server is tested with a fake and knows nothing of plugins or config files.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Judge, Logger, RewardBreakdown, Rollout } from '@medrl/sdk';
import { serveSchema, type ServeOptions } from '../config/sections/serve.js';
import { messageOf } from '../errors.js';
import { createLogger, redactText } from '../logging.js';
import { toRollout } from '../reward/rollout.js';
import { bearerChecker } from './auth.js';
import { ServeMetrics } from './metrics.js';
import { QuerySplitError, metaFromLabel, splitQuery, toGetRewardResponse } from './openrlhf.js';
import { fieldIssues, getRewardSchema, issuePath, metaSchema, rewardItemsSchema, type FieldIssue } from './schemas.js';

/** What the server needs of the composer. */
export interface RewardScorer {
  score(rollouts: readonly Rollout[], opts?: { step?: number; signal?: AbortSignal }): Promise<RewardBreakdown[]>;
  /** Component names in config order, so `extra_logs` keys come out in a stable order. */
  readonly componentNames?: readonly string[];
}

export interface CreateServerOptions {
  composer: RewardScorer;
  /** Judges whose stats() appear in /metrics. */
  judges?: readonly Judge[];
  /** The `serve` config section; omitted fields take the schema's defaults. */
  options?: Partial<ServeOptions>;
  /** Bearer token required on every route but /healthz; none when undefined or empty. */
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
   * Graceful shutdown: refuses new requests (503), lets in-flight ones finish, and after
   * `shutdownTimeout` closes whatever connections remain. Idempotent.
   */
  close(): Promise<void>;
}

/** A refusal with a status code; the error handler renders it as JSON. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: { issues?: FieldIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
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
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'invalid_json', message: 'the JSON body is empty' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'invalid_json', message: 'request body is not valid JSON' };
    default:
      return { code: error.code ?? 'error', message: error.message };
  }
}

export function createServer(init: CreateServerOptions): MedrlServer {
  const options = serveSchema.parse(init.options ?? {});
  const logger = init.logger ?? createLogger('serve');
  const composer = init.composer;
  const metrics = new ServeMetrics({
    judges: init.judges,
    pluginMetrics: init.pluginMetrics,
    processMetrics: init.processMetrics,
  });
  const checkToken = init.token ? bearerChecker(init.token) : undefined;
  const getRewardBody = getRewardSchema(options.maxBatchSize);
  const rewardItemsBody = rewardItemsSchema(options.maxBatchSize);
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

  // JSON only: a text/plain body would otherwise reach validation as a string.
  app.removeContentTypeParser('text/plain');

  let inFlight = 0;
  /** Scoring requests whose response has not closed yet (inFlight drops before the answer is written). */
  let unanswered = 0;
  let draining = false;
  let closing: Promise<void> | undefined;

  /**
   * Once shutting down and every scoring request is answered, nothing worth waiting for is left:
   * new requests only get 503. Closing every connection then stops close() from waiting on
   * clients that keep spare keep-alive connections open.
   */
  function closeConnectionsIfDrained(): void {
    if (draining && unanswered === 0) app.server.closeAllConnections();
  }

  // While shutting down, every answer (including in-flight ones) ends its keep-alive connection,
  // so that closing does not wait for idle clients.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });

  app.addHook('onRequest', async (request) => {
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
      return reply.code(error.statusCode).send({
        statusCode: error.statusCode,
        error: STATUS_TEXT[error.statusCode] ?? 'Error',
        code: error.code,
        message: error.message,
        ...(error.extra.issues ? { issues: error.extra.issues } : {}),
      });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) logger.error(`${request.method} ${request.url} failed: ${messageOf(error)}`);
    const scoring = request.routeOptions.url === '/get_reward' || request.routeOptions.url === '/v1/reward';
    // Registered secrets (API keys, the token) are scrubbed from answers as they are from logs.
    const described =
      status >= 500
        ? { code: 'internal', message: redactText(`${scoring ? 'scoring failed' : 'failed'}: ${messageOf(error)}`) }
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
   * Scores rollouts under the concurrency limit and the per-request timeout. The components get an
   * AbortSignal that fires on timeout or when the client goes away, so judges can stop paying.
   */
  async function scoreWithLimits(
    reply: FastifyReply,
    rollouts: readonly Rollout[],
    step?: number,
  ): Promise<RewardBreakdown[]> {
    if (inFlight >= options.maxConcurrency) {
      metrics.rejected.inc({ reason: 'saturated' });
      throw new HttpError(
        429,
        'saturated',
        `${inFlight} requests are being scored (serve.maxConcurrency = ${options.maxConcurrency}); retry later`,
        { headers: { 'retry-after': retryAfter } },
      );
    }
    inFlight += 1;
    metrics.inFlight.set(inFlight);
    unanswered += 1;
    const controller = new AbortController();
    // 'close' comes once per response: after it was sent, or when the client went away first.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('the client closed the connection'));
      unanswered -= 1;
      closeConnectionsIfDrained();
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = composer.score(rollouts, { step, signal: controller.signal });
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
      const breakdowns = await Promise.race([work, timeout]);
      if (!Array.isArray(breakdowns) || breakdowns.length !== rollouts.length) {
        throw new Error(
          `the composer returned ${String(breakdowns?.length)} breakdowns for ${rollouts.length} rollouts`,
        );
      }
      return breakdowns;
    } catch (error) {
      if (error instanceof HttpError && error.code === 'timeout') metrics.rejected.inc({ reason: 'timeout' });
      throw error;
    } finally {
      clearTimeout(timer);
      inFlight -= 1;
      metrics.inFlight.set(inFlight);
    }
  }

  function invalid(issues: FieldIssue[]): HttpError {
    const first = issues[0]!;
    return new HttpError(400, 'invalid_body', `${first.path}: ${first.message}`, { issues });
  }

  app.post('/get_reward', async (request: FastifyRequest, reply) => {
    const parsed = getRewardBody.safeParse(request.body);
    if (!parsed.success) throw invalid(fieldIssues(parsed.error));
    const { query, prompts, labels } = parsed.data;

    const rollouts: Rollout[] = query.map((text, i) => {
      let split;
      try {
        split = splitQuery(text, prompts?.[i], i);
      } catch (error) {
        if (error instanceof QuerySplitError) throw invalid([{ path: `query.${i}`, message: error.message }]);
        throw error;
      }
      const meta = metaSchema.safeParse(metaFromLabel(labels?.[i]));
      if (!meta.success) {
        throw invalid(
          meta.error.issues.map((issue) => ({
            path: issuePath(['labels', i, ...issue.path]),
            message: `${issue.message} (a JSON-object label is read as sample meta)`,
          })),
        );
      }
      const rollout = toRollout({
        id: String(i),
        prompt: split.question,
        completion: split.completion,
        meta: meta.data,
      });
      return split.messages && split.messages.length > 0 ? { ...rollout, messages: split.messages } : rollout;
    });

    const breakdowns = await scoreWithLimits(reply, rollouts);
    const response = toGetRewardResponse(breakdowns, composer.componentNames ?? [], options.droppedReward);
    metrics.items.inc({ route: '/get_reward' }, rollouts.length);
    if (response.dropped) metrics.dropped.inc({ route: '/get_reward' }, response.dropped.length);
    return response;
  });

  app.post('/v1/reward', async (request: FastifyRequest, reply) => {
    const parsed = rewardItemsBody.safeParse(request.body);
    if (!parsed.success) throw invalid(fieldIssues(parsed.error));
    const rollouts = parsed.data.items.map((item, i) => toRollout(item, String(i)));

    const breakdowns = await scoreWithLimits(reply, rollouts, parsed.data.step);
    const dropped = breakdowns.filter((b) => b.total === null).length;
    metrics.items.inc({ route: '/v1/reward' }, rollouts.length);
    if (dropped > 0) metrics.dropped.inc({ route: '/v1/reward' }, dropped);
    return { totals: breakdowns.map((b) => b.total), breakdowns };
  });

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
        draining = true;
        const deadline = setTimeout(() => {
          logger.warn(
            `shutdown: ${inFlight} request(s) still running after ${options.shutdownTimeout} ms; closing them`,
          );
          app.server.closeAllConnections();
        }, options.shutdownTimeout);
        try {
          const closed = app.close();
          closeConnectionsIfDrained();
          await closed;
        } finally {
          clearTimeout(deadline);
        }
      })();
      return closing;
    },
  };
}
