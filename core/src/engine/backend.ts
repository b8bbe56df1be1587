/**
 * TensorFlow.js backend selection for the engine.
 *
 * `auto` tries, in order: @tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node (optional peer
 * dependencies: their install downloads libtensorflow), the WebAssembly backend (SIMD, always
 * installed) and the pure-JS cpu backend. A candidate counts only when it loads AND computes a small
 * matmul correctly, so a half-installed native addon falls through instead of failing later.
 *
 * We import '@tensorflow/tfjs' (not tfjs-core alone) so that every op's gradient is registered.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '@medrl/sdk';
import { MedrlError, messageOf } from '../errors.js';
import { releaseEarly } from './tape.js';
import { registerWasmKernels } from './wasm-kernels.js';
import { allCores, MAX_WASM_THREADS, settleThreadPool, withThreadedWasmStart } from './wasm-threads.js';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** A backend we can actually run on, with the tfjs name it registers under. */
export type ConcreteBackend = Exclude<BackendChoice, 'auto'>;

interface Candidate {
  choice: ConcreteBackend;
  /** Name under which tfjs registers the backend. */
  tfName: string;
  /** Registers the backend with tfjs (side-effect import). */
  load: () => Promise<unknown>;
  /** How to make it available when it is missing. */
  installHint: string;
}

// Module names live in variables so that TypeScript does not require the optional peers' types.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

const CANDIDATES: Record<ConcreteBackend, Candidate> = {
  'tensorflow-gpu': {
    choice: 'tensorflow-gpu',
    tfName: 'tensorflow',
    load: () => import(TFJS_NODE_GPU),
    installHint: `npm install ${TFJS_NODE_GPU}@^4.22.0 (needs CUDA and cuDNN; the install downloads libtensorflow)`,
  },
  tensorflow: {
    choice: 'tensorflow',
    tfName: 'tensorflow',
    load: () => import(TFJS_NODE),
    installHint: `npm install ${TFJS_NODE}@^4.22.0 (the install downloads libtensorflow, so it needs internet access)`,
  },
  wasm: {
    choice: 'wasm',
    tfName: 'wasm',
    load: () => import(TFJS_WASM),
    installHint: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0',
  },
  cpu: { choice: 'cpu', tfName: 'cpu', load: async () => undefined, installHint: 'it ships with @tensorflow/tfjs' },
};

const AUTO_ORDER: ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** What to run on: the config's `engine` section has this shape. */
export interface EngineRequest {
  /** Default `auto`. */
  backend?: BackendChoice;
  /**
   * Threads for the backend's kernels: `auto` (default) = every core. wasm: 1 runs tfjs's
   * single-threaded SIMD build (medrl's behaviour before threads), more its threaded-SIMD build.
   * Native TensorFlow: its intra-op pool (TF_NUM_INTRAOP_THREADS, read once when the library
   * loads; `auto` keeps TensorFlow's default, every core).
   */
  threads?: number | 'auto';
}

export interface BackendInfo {
  /** The backend that was chosen. */
  backend: ConcreteBackend;
  /** tfjs's name for it (`tf.getBackend()`). */
  tfName: string;
  /** Threads its kernels run on (wasm: what the threaded build reports; cpu: 1). */
  threads: number;
  /** Why the candidates before it were skipped (auto only). */
  skipped: { backend: ConcreteBackend; reason: string }[];
}

type ThreadRequest = number | 'auto';

let active: (BackendInfo & { requested: BackendChoice; requestedThreads: ThreadRequest }) | undefined;

/** The thread request, validated. */
function resolveThreads(threads: EngineRequest['threads']): ThreadRequest {
  if (threads === undefined || threads === 'auto') return 'auto';
  if (!Number.isInteger(threads) || threads < 1) {
    throw new MedrlError(`engine.threads: expected "auto" or a whole number >= 1, got ${JSON.stringify(threads)}`);
  }
  return threads;
}

interface WasmPackage {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * Starts tfjs's wasm backend with `threads` threads. tfjs fixes the binary (single-threaded or
 * threaded SIMD) and the pool when the backend starts, so another count restarts it: allowed only
 * while it holds no tensors, which would otherwise be lost.
 */
async function startWasm(wasm: WasmPackage, threads: number): Promise<number> {
  const engine = tf.engine();
  const running = engine.registry.wasm;
  if (running && wasmThreads === threads) {
    if (!(await tf.setBackend('wasm'))) throw new MedrlError('wasm backend failed to initialize');
    return threads;
  }
  if (running) {
    const held = running.numDataIds();
    if (held > 0) {
      throw new MedrlError(
        `engine.threads: the wasm backend runs ${wasmThreads} thread(s) and holds ${held} tensor(s); ` +
          `${threads} thread(s) need a restart, which would lose them: set threads before loading a model`,
      );
    }
    const factory = tf.findBackendFactory('wasm');
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, 2);
  }
  const threaded = threads > 1;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threaded);
  wasm.setThreadsCount(threads);
  const start = () => tf.setBackend('wasm');
  const ok = threaded ? await withThreadedWasmStart(threads, start) : await start();
  if (!ok) throw new MedrlError(`wasm backend failed to initialize${threaded ? ` with ${threads} threads` : ''}`);
  if (threaded) settleThreadPool((engine.registry.wasm as unknown as { wasm: unknown }).wasm);
  wasmThreads = wasm.getThreadsCount();
  return wasmThreads;
}

/** Threads of the running wasm backend (0 = not started by initBackend). */
let wasmThreads = 0;

/** Native TensorFlow's intra-op thread pool size variable (TensorFlow reads it when it loads). */
const TF_THREADS_ENV = 'TF_NUM_INTRAOP_THREADS';

/**
 * Sets native TensorFlow's thread count before its library loads; afterwards the pool is fixed,
 * and the count it has is reported.
 */
function nativeThreads(threads: ThreadRequest, logger?: Logger): number {
  const loaded = tf.engine().registryFactory.tensorflow !== undefined;
  if (threads !== 'auto') {
    if (!loaded) process.env[TF_THREADS_ENV] = String(threads);
    else if (process.env[TF_THREADS_ENV] !== String(threads)) {
      logger?.warn(`engine.threads: native TensorFlow is already loaded with its thread pool; ${threads} is ignored`);
    }
  }
  const fromEnv = Number(process.env[TF_THREADS_ENV]);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism();
}

/** Loads and activates one backend; throws with the reason when it cannot load or compute. */
async function tryBackend(candidate: Candidate, threads: ThreadRequest, logger?: Logger): Promise<number> {
  const native = candidate.tfName === 'tensorflow';
  const nativeCount = native ? nativeThreads(threads, logger) : 1;
  let loaded: unknown;
  try {
    loaded = await candidate.load();
  } catch (error) {
    throw new MedrlError(
      `${candidate.choice} backend is not installed (${messageOf(error)}); install it with: ${candidate.installHint}`,
    );
  }
  let running = nativeCount;
  if (candidate.choice === 'wasm') {
    if (threads !== 'auto' && threads > MAX_WASM_THREADS) {
      logger?.warn(
        `engine.threads: the wasm backend runs at most ${MAX_WASM_THREADS} threads; using ${MAX_WASM_THREADS}`,
      );
    }
    running = await startWasm(
      loaded as WasmPackage,
      threads === 'auto' ? allCores() : Math.min(threads, MAX_WASM_THREADS),
    );
  } else {
    const ok = await tf.setBackend(candidate.tfName);
    if (!ok) throw new MedrlError(`${candidate.choice} backend failed to initialize`);
  }
  await tf.ready();
  // A 2x2 matmul with a known answer: catches native addons that load but cannot run.
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  const values = Array.from(await product.data());
  product.dispose();
  if (values.join(',') !== '19,22,43,50') {
    throw new MedrlError(`${candidate.choice} backend computed a wrong matmul (${values.join(',')})`);
  }
  return running;
}

/**
 * Activates the requested backend (default `auto`, every core) and logs which one is in use.
 * Idempotent: a second call with the same request returns the active backend.
 */
export async function initBackend(
  request: BackendChoice | EngineRequest = 'auto',
  logger?: Logger,
): Promise<BackendInfo> {
  const { backend: requested = 'auto', threads: threadsOption } =
    typeof request === 'string' ? { backend: request } : request;
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new MedrlError(`engine.backend: unknown backend "${requested}"; choose one of ${BACKEND_CHOICES.join(', ')}`);
  }
  const wanted = resolveThreads(threadsOption);
  if (
    active &&
    (requested === active.requested || requested === active.backend) &&
    wanted === active.requestedThreads &&
    tf.getBackend() === active.tfName
  ) {
    return { backend: active.backend, tfName: active.tfName, threads: active.threads, skipped: active.skipped };
  }
  const skipped: BackendInfo['skipped'] = [];
  let chosen: ConcreteBackend | undefined;
  let running = 1;
  if (requested !== 'auto') {
    try {
      running = await tryBackend(CANDIDATES[requested], wanted, logger);
    } catch (error) {
      throw new MedrlError(`engine.backend: "${requested}" is not usable: ${messageOf(error)}`, { cause: error });
    }
    chosen = requested;
  } else {
    for (const name of AUTO_ORDER) {
      try {
        running = await tryBackend(CANDIDATES[name], wanted, logger);
        chosen = name;
        break;
      } catch (error) {
        if (error instanceof MedrlError && error.message.startsWith('engine.threads:')) throw error;
        skipped.push({ backend: name, reason: messageOf(error) });
      }
    }
    if (!chosen) throw new MedrlError('engine.backend: no TensorFlow.js backend could be initialized');
  }
  const backend = chosen;
  // Backward passes free each op's gradients and saved tensors once used (tape.ts).
  releaseEarly();
  if (CANDIDATES[backend].tfName === 'wasm') registerWasmKernels();
  active = {
    backend,
    tfName: CANDIDATES[backend].tfName,
    threads: running,
    skipped,
    requested,
    requestedThreads: wanted,
  };
  const info: BackendInfo = { backend, tfName: active.tfName, threads: running, skipped };
  if (backend === 'wasm' && wanted !== 'auto' && running !== Math.min(wanted, MAX_WASM_THREADS)) {
    logger?.warn(`engine.threads: asked for ${wanted} wasm threads, the backend runs ${running}`);
  }
  logger?.info(
    `tensorflow.js backend: ${backend}`,
    skipped.length > 0 ? { threads: running, skipped: skipped.map((s) => s.backend) } : { threads: running },
  );
  for (const s of skipped) logger?.debug(`backend ${s.backend} skipped`, { reason: s.reason });
  return info;
}

/** The backend activated by initBackend, if any. */
export function activeBackend(): BackendInfo | undefined {
  return active && { backend: active.backend, tfName: active.tfName, threads: active.threads, skipped: active.skipped };
}

/**
 * Measures the backend's 2D matmul throughput in FLOP/s: the reference "peak" that benchmarks
 * compare achieved training/generation FLOP/s against.
 */
export async function measureMatmulPeak(size = { m: 512, k: 1024, n: 1024 }, iterations = 5): Promise<number> {
  const a = tf.randomNormal([size.m, size.k]);
  const b = tf.randomNormal([size.k, size.n]);
  try {
    tf.tidy(() => tf.matMul(a, b)).dataSync();
    let best = Infinity;
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
      best = Math.min(best, performance.now() - start);
    }
    return (2 * size.m * size.k * size.n) / (best / 1000);
  } finally {
    a.dispose();
    b.dispose();
  }
}
