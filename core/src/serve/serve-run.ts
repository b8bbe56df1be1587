/**
 * Running `medrl serve`: one server process on an open run until SIGINT/SIGTERM, or several
 * node:cluster workers sharing the port (`serve.workers`), each with its own run (plugins,
 * composer, judge clients), supervised by a primary that loads no plugins.
 *
 * Workers never act on terminal signals themselves: Ctrl-C reaches the whole process group, and
 * only the primary decides, telling workers over IPC to drain (first signal) or stop (second).
 */
import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import type { Logger } from '@medrl/sdk';
import { AggregatorRegistry } from 'prom-client';
import type { ServeOptions } from '../config/sections/serve.js';
import { MedrlError, messageOf } from '../errors.js';
import { createLogger, registerSecret } from '../logging.js';
import type { Run } from '../runtime/run.js';
import { closeOnSignals } from './lifecycle.js';
import { ScorePool } from './score-pool.js';
import { createServer } from './server.js';

const SHUTDOWN = 'medrl:serve:shutdown';
const FORCE = 'medrl:serve:force';
const LISTENING = 'medrl:serve:listening';
const METRICS_REQUEST = 'medrl:serve:metrics';
const METRICS_REPLY = 'medrl:serve:metrics-reply';
/** How long a worker waits for the primary's aggregated metrics. */
const METRICS_TIMEOUT_MS = 10_000;
/** More worker deaths than this within CRASH_WINDOW_MS means a crash loop: stop instead of respawning. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

interface ClusterMessage {
  type?: string;
  url?: string;
  id?: number;
  body?: string;
  error?: string;
}

/**
 * A worker's GET /metrics: asks the primary, which collects every worker's registry over IPC
 * (prom-client's AggregatorRegistry) and answers with the sums.
 */
function clusterMetricsRenderer(): () => Promise<{ contentType: string; body: string }> {
  let next = 0;
  const waiting = new Map<number, { resolve: (body: string) => void; reject: (error: Error) => void }>();
  process.on('message', (message: ClusterMessage) => {
    if (message?.type !== METRICS_REPLY || message.id === undefined) return;
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) pending?.reject(new Error(`aggregating worker metrics failed: ${message.error}`));
    else pending?.resolve(message.body ?? '');
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the serve primary did not send aggregated metrics within ${METRICS_TIMEOUT_MS} ms`));
      }, METRICS_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (body) => {
          clearTimeout(timer);
          resolve({ contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE, body });
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send!({ type: METRICS_REQUEST, id });
    });
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

interface StopSource {
  source: Pick<EventEmitter, 'on' | 'removeListener'>;
  /** Called once the server has closed; a worker lets go of the primary so that it can exit. */
  release(): void;
}

/** Where this process takes its stop orders from: signals, or the primary when it is a worker. */
function stopSource(): StopSource {
  if (!cluster.isWorker) return { source: process, release: () => undefined };
  const source = new EventEmitter();
  const ignore = (): void => undefined;
  const onMessage = (message: unknown): void => {
    if (message === SHUTDOWN || message === FORCE) source.emit('SIGTERM', 'SIGTERM');
  };
  // The primary is gone (crashed or killed): drain and exit rather than linger as an orphan.
  const onDisconnect = (): void => void source.emit('SIGTERM', 'SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  process.on('message', onMessage);
  process.on('disconnect', onDisconnect);
  return {
    source,
    release() {
      process.removeListener('message', onMessage);
      process.removeListener('disconnect', onDisconnect);
      process.removeListener('SIGINT', ignore);
      process.removeListener('SIGTERM', ignore);
      if (process.connected) process.disconnect();
    },
  };
}

/** Serves the run's composer until told to stop; resolves once in-flight requests are done. */
export async function serveRun(run: Run, logger: Logger = createLogger('serve')): Promise<void> {
  const options = run.config.serve;
  const raw = process.env[options.tokenEnv];
  if (raw !== undefined && raw.trim() === '') {
    // Typically a failed `$(...)`: starting without a token would open the server to anyone.
    throw new MedrlError(
      `${options.tokenEnv} is set but empty: refusing to start an open server. Set a token, or unset ${options.tokenEnv} to serve without one`,
    );
  }
  const token = raw;
  registerSecret(token);
  const composer = run.composer; // built now, so that a bad reward config fails before listening
  let pool: ScorePool | undefined;
  if (options.threads > 0 && run.configPath) {
    pool = await ScorePool.start(options.threads, { configPath: run.configPath, cwd: run.rootDir }, logger);
  } else if (options.threads > 0) {
    logger.warn('serve.threads: the config is not a file, so requests are scored in the server thread');
  }
  const server = createServer({
    composer,
    pool,
    judges: pool ? pool.judgeViews() : run.registry.judges.entries().map((entry) => entry.value),
    options,
    token,
    logger,
    pluginMetrics: () => (pool ? pool.pluginMetrics() : run.metrics.snapshot()),
    ...(cluster.isWorker ? { renderMetrics: clusterMetricsRenderer() } : {}),
  });
  if (cluster.isWorker) {
    // What this worker reports when the primary collects metrics from all workers.
    AggregatorRegistry.setRegistries([server.metrics.registry]);
    new AggregatorRegistry(); // installs prom-client's worker-side IPC listener
  }
  const stop = stopSource();
  const shutdown = closeOnSignals(server, { logger, source: stop.source, inFlight: server.inFlight });

  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    shutdown.dispose();
    stop.release();
    await pool?.close();
    const code = (error as { code?: string }).code;
    const hint = code === 'EADDRINUSE' ? '; choose another with --port or serve.port' : '';
    throw new MedrlError(`cannot listen on ${options.host}:${options.port}: ${messageOf(error)}${hint}`, {
      cause: error,
    });
  }
  const who = cluster.isWorker ? `worker ${cluster.worker!.id} (pid ${process.pid}) ` : '';
  logger.info(
    `${who}listening on ${url} (POST /get_reward, POST /v1/reward, GET /healthz, GET /metrics); ` +
      `components: ${composer.componentNames.join(', ')}; token: ${token ? 'required' : 'none'}; ` +
      `scoring threads: ${pool ? options.threads : 0}`,
  );
  if (!token && !isLoopback(options.host)) {
    logger.warn(
      `bound to ${options.host} without a token: anyone who reaches this port can spend your judge budget; ` +
        `set ${options.tokenEnv}`,
    );
  }
  if (cluster.isWorker) process.send?.({ type: LISTENING, url });
  try {
    await shutdown.closed;
  } finally {
    stop.release();
  }
}

/**
 * The primary of a multi-worker server: forks `options.workers` workers (each re-runs this
 * command), replaces a worker that dies after it was listening, and on SIGINT/SIGTERM asks all to
 * drain. Fails if a worker dies before listening (a config or port error it has already printed).
 */
export async function superviseWorkers(options: ServeOptions, logger: Logger = createLogger('serve')): Promise<void> {
  const listening = new Set<number>();
  let stopping = false;
  let announced = false;
  const crashes: number[] = [];

  const aggregator = new AggregatorRegistry();

  return new Promise<void>((resolve, reject) => {
    const fork = (): Worker => cluster.fork();
    const alive = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    const tell = (message: string): void => {
      for (const worker of alive()) worker.send(message);
    };

    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn(`${signal} again: stopping workers without waiting`);
        tell(FORCE);
        for (const worker of alive()) worker.kill('SIGKILL');
        return;
      }
      stopping = true;
      logger.info(`${signal}: asking ${alive().length} worker(s) to finish in-flight requests`);
      tell(SHUTDOWN);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const finish = (error?: Error): void => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      cluster.removeListener('message', onMessage);
      cluster.removeListener('exit', onExit);
      if (error) reject(error);
      else resolve();
    };

    const onMessage = (worker: Worker, message: ClusterMessage): void => {
      if (message?.type === METRICS_REQUEST) {
        aggregator.clusterMetrics().then(
          (body) => worker.isConnected() && worker.send({ type: METRICS_REPLY, id: message.id, body }),
          (error: unknown) =>
            worker.isConnected() && worker.send({ type: METRICS_REPLY, id: message.id, error: messageOf(error) }),
        );
        return;
      }
      if (message?.type !== LISTENING) return;
      listening.add(worker.id);
      if (!announced && listening.size >= options.workers) {
        announced = true;
        logger.info(`${options.workers} workers listening on ${message.url}`);
      }
    };
    const onExit = (worker: Worker, code: number | null, signal: string | null): void => {
      const how = code !== null ? `exit code ${code}` : `signal ${signal}`;
      const wasListening = listening.delete(worker.id);
      if (stopping) {
        if (alive().length === 0) finish();
        return;
      }
      if (!wasListening) {
        stopping = true;
        // Listening workers only obey the primary; the others have no handler yet and just end.
        for (const other of alive()) {
          if (listening.has(other.id)) other.send(SHUTDOWN);
          else other.kill('SIGTERM');
        }
        finish(new MedrlError(`a serve worker exited before listening (${how}); see its error above`));
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes[0]! < now - CRASH_WINDOW_MS) crashes.shift();
      if (crashes.length > MAX_CRASHES) {
        stopping = true;
        tell(SHUTDOWN);
        finish(new MedrlError(`serve workers died ${crashes.length} times within a minute (last: ${how}); stopping`));
        return;
      }
      logger.warn(`worker ${worker.id} died (${how}); starting a replacement`);
      fork();
    };
    cluster.on('message', onMessage);
    cluster.on('exit', onExit);
    for (let i = 0; i < options.workers; i++) fork();
  });
}
