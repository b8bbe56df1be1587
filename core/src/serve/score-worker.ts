/**
 * A scoring thread of `medrl serve` (score-pool.ts): opens the same run as the server (config file,
 * plugins, composer) and answers raw request bodies with scoreRequest, so that decoding, validation
 * and CPU-bound components never hold up the server's event loop. Reports plugin metrics and judge
 * usage with every answer, for /metrics.
 */
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../errors.js';
import { openRun } from '../runtime/run.js';
import { HttpError } from './http-error.js';
import { scoreRequest, type ScoringRoute } from './requests.js';

export interface ScoreWorkerData {
  configPath?: string;
  cwd: string;
  overrides?: Record<string, unknown>;
}

export type ToWorker =
  | { type: 'score'; id: number; route: ScoringRoute; body: Uint8Array }
  | { type: 'abort'; id: number; reason: string }
  | { type: 'close' };

export interface WorkerSnapshot {
  pluginMetrics: Record<string, number>;
  judges: Record<string, Record<string, number>>;
}

export type FromWorker =
  | { type: 'ready'; componentNames: string[]; judgeNames: string[] }
  | { type: 'failed'; message: string }
  | ({ type: 'done'; id: number; result: { body: unknown; items: number; dropped: number } } & WorkerSnapshot)
  | ({
      type: 'error';
      id: number;
      http?: { statusCode: number; code: string; message: string; extra: HttpError['extra'] };
      message: string;
    } & WorkerSnapshot)
  | { type: 'closed' };

const port = parentPort!;
const data = workerData as ScoreWorkerData;

try {
  const run = await openRun({
    command: 'serve',
    configPath: data.configPath,
    cwd: data.cwd,
    overrides: data.overrides,
  });
  const composer = run.composer;
  const options = run.config.serve;
  const controllers = new Map<number, AbortController>();
  const snapshot = (): WorkerSnapshot => ({
    pluginMetrics: run.metrics.snapshot(),
    judges: Object.fromEntries(run.registry.judges.entries().map((e) => [e.value.name, e.value.stats?.() ?? {}])),
  });

  port.on('message', (message: ToWorker) => {
    if (message.type === 'abort') {
      controllers.get(message.id)?.abort(new Error(message.reason));
      return;
    }
    if (message.type === 'close') {
      void run.close().finally(() => {
        port.postMessage({ type: 'closed' } satisfies FromWorker);
        port.close();
      });
      return;
    }
    const controller = new AbortController();
    controllers.set(message.id, controller);
    const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength);
    scoreRequest(message.route, body, composer, options, controller.signal)
      .then(
        (result) => port.postMessage({ type: 'done', id: message.id, result, ...snapshot() } satisfies FromWorker),
        (error: unknown) =>
          port.postMessage({
            type: 'error',
            id: message.id,
            message: messageOf(error),
            ...(error instanceof HttpError
              ? { http: { statusCode: error.statusCode, code: error.code, message: error.message, extra: error.extra } }
              : {}),
            ...snapshot(),
          } satisfies FromWorker),
      )
      .finally(() => controllers.delete(message.id));
  });
  port.postMessage({
    type: 'ready',
    componentNames: composer.componentNames,
    judgeNames: run.registry.judges.names(),
  } satisfies FromWorker);
} catch (error) {
  port.postMessage({ type: 'failed', message: messageOf(error) } satisfies FromWorker);
}
