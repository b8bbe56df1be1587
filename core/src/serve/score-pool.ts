/**
 * Scoring threads of `medrl serve` (`serve.threads`): each worker thread opens the run itself
 * (score-worker.ts) and scores raw bodies, so the server's event loop only moves bytes and keeps
 * answering /healthz and /metrics within milliseconds while large bodies are decoded and scored.
 * A request goes to the thread with the fewest pending; a thread that dies is replaced and its
 * pending requests fail with 500.
 *
 * What is per thread, as it is per process with `serve.workers`: the judges' pacing and budget,
 * the judge cache's in-memory view, and `reward.normalize: running` moments.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@medrl/sdk';
import { MedrlError } from '../errors.js';
import { HttpError } from './http-error.js';
import type { ScoredRequest, ScoringRoute } from './requests.js';
import type { FromWorker, ScoreWorkerData, ToWorker, WorkerSnapshot } from './score-worker.js';
import type { RequestScorer } from './server.js';

interface Pending {
  resolve: (result: ScoredRequest) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  snapshot: WorkerSnapshot;
}

/**
 * A worker running score-worker: the built .js, or under tsx and vitest the .ts source through
 * tsx's loader (registered inside the thread: Node 20 ignores --import in a worker's execArgv).
 */
function startWorker(data: ScoreWorkerData): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./score-worker.js', self), { workerData: data });
  const require = createRequire(self);
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const entry = new URL('./score-worker.ts', self).href;
  const code = `(async () => { const { register } = await import(${JSON.stringify(tsxApi)}); register(); await import(${JSON.stringify(entry)}); })();`;
  return new Worker(code, { eval: true, workerData: data });
}

export class ScorePool implements RequestScorer {
  private readonly threads: Thread[] = [];
  private next = 0;
  private closing = false;

  private constructor(
    private readonly data: ScoreWorkerData,
    private readonly logger: Logger,
    readonly componentNames: readonly string[],
    readonly judgeNames: readonly string[],
  ) {}

  /** Starts `size` threads and waits until each has built its composer (a bad config fails here). */
  static async start(size: number, data: ScoreWorkerData, logger: Logger): Promise<ScorePool> {
    const pool = new ScorePool(data, logger, [], []);
    try {
      const [first] = await Promise.all(Array.from({ length: size }, () => pool.spawn()));
      Object.assign(pool, { componentNames: first?.componentNames ?? [], judgeNames: first?.judgeNames ?? [] });
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  private spawn(): Promise<{ componentNames: string[]; judgeNames: string[] }> {
    const worker = startWorker(this.data);
    const thread: Thread = { worker, pending: new Map(), snapshot: { pluginMetrics: {}, judges: {} } };
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          ready = true;
          this.threads.push(thread);
          resolve({ componentNames: message.componentNames, judgeNames: message.judgeNames });
        } else if (message.type === 'failed') {
          reject(new MedrlError(`serve: a scoring thread could not start: ${message.message}`));
        } else if (message.type === 'done' || message.type === 'error') {
          thread.snapshot = { pluginMetrics: message.pluginMetrics, judges: message.judges };
          const pending = thread.pending.get(message.id);
          thread.pending.delete(message.id);
          if (!pending) return;
          if (message.type === 'done') pending.resolve(message.result);
          else if (message.http) {
            const { statusCode, code, message: text, extra } = message.http;
            pending.reject(new HttpError(statusCode, code, text, extra));
          } else pending.reject(new Error(message.message));
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(new MedrlError(`serve: a scoring thread failed: ${error.message}`));
      });
      worker.on('exit', (code) => {
        const index = this.threads.indexOf(thread);
        if (index !== -1) this.threads.splice(index, 1);
        for (const pending of thread.pending.values()) {
          pending.reject(new Error(`the scoring thread exited (code ${code})`));
        }
        thread.pending.clear();
        if (!ready) reject(new MedrlError(`serve: a scoring thread exited while starting (code ${code})`));
        else if (!this.closing) {
          this.logger.warn(`scoring thread exited (code ${code}); starting a replacement`);
          this.spawn().catch((error: unknown) => this.logger.error(String((error as Error).message)));
        }
      });
    });
  }

  score(route: ScoringRoute, body: Buffer, signal: AbortSignal): Promise<ScoredRequest> {
    const thread = this.pick();
    if (!thread) return Promise.reject(new Error('no scoring thread is running'));
    const id = this.next++;
    // A copy the thread owns: fastify's buffer may share memory that must not be transferred.
    const bytes = new Uint8Array(body);
    return new Promise<ScoredRequest>((resolve, reject) => {
      const onAbort = () =>
        thread.worker.postMessage({ type: 'abort', id, reason: String(signal.reason) } satisfies ToWorker);
      signal.addEventListener('abort', onAbort, { once: true });
      const done = () => signal.removeEventListener('abort', onAbort);
      thread.pending.set(id, {
        resolve: (r) => (done(), resolve(r)),
        reject: (e) => (done(), reject(e)),
      });
      thread.worker.postMessage({ type: 'score', id, route, body: bytes } satisfies ToWorker, [bytes.buffer]);
    });
  }

  private pick(): Thread | undefined {
    let best: Thread | undefined;
    for (const thread of this.threads) if (!best || thread.pending.size < best.pending.size) best = thread;
    return best;
  }

  /** Each judge's stats() summed over the threads, as /metrics shows them. */
  judgeViews(): { name: string; stats: () => Record<string, number> }[] {
    return this.judgeNames.map((name) => ({ name, stats: () => this.sum((t) => t.snapshot.judges[name] ?? {}) }));
  }

  /** Plugin counters and gauges summed over the threads. */
  pluginMetrics(): Record<string, number> {
    return this.sum((t) => t.snapshot.pluginMetrics);
  }

  private sum(pick: (thread: Thread) => Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const thread of this.threads) {
      for (const [key, value] of Object.entries(pick(thread))) out[key] = (out[key] ?? 0) + value;
    }
    return out;
  }

  /** Closes every thread's run (plugins' dispose, the missing-judgement report) and ends it. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [...this.threads].map(
        (thread) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void thread.worker.terminate().then(() => resolve()), 10_000);
            thread.worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            thread.worker.postMessage({ type: 'close' } satisfies ToWorker);
          }),
      ),
    );
  }
}
