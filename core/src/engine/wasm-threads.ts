/**
 * Multi-threaded wasm: tfjs-backend-wasm's own threaded-SIMD build (XNNPACK on a pthreadpool of
 * emscripten pthreads, i.e. worker_threads sharing the wasm memory), made to start in Node.
 *
 * tfjs never enables it in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag answers false there), and
 * three things stand in the way when the flag is forced on:
 * 1. The pthread worker script is handed to emscripten as a `blob:` URL, which Node's Worker cannot
 *    open, and the worker then loads the module factory from another Blob. We answer the
 *    `URL.createObjectURL` call for the worker with a real file (written once per process to a
 *    private temp directory) that requires the same factory file from tfjs's package and skips the
 *    Blob.
 * 2. Its thread count is capped at `emscripten_num_logical_cores() / 2` (tfjs assumes two
 *    hyper-threads per core), read once when the module starts: on 2 cores, 1 thread whatever
 *    setThreadsCount asks (why a first try saw getThreadsCount() stay at 1). Node's emscripten glue
 *    reads that count from os.cpus(); while the module starts we report twice the wanted threads.
 * 3. Its pthreads keep the event loop alive (the process would never exit) and 8 workers are
 *    started whatever the thread count: after start-up the pool's threads are unref'd and the spare
 *    workers ended.
 * 4. Node workers inherit the process's execArgv: a loader (`--import tsx`) would load again in
 *    every worker and `--input-type` makes a worker file fail to start. The workers emscripten
 *    creates while the module starts get an empty execArgv (its glue takes `Worker` from the
 *    global object, where we put a subclass for that time).
 *
 * Results are the same as one thread bit for bit: XNNPACK splits a product by output tiles, each
 * output element is summed in the same order whichever thread computes it (tested).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** tfjs-backend-wasm starts this many pthread workers and never more (its PTHREAD_POOL_SIZE). */
export const MAX_WASM_THREADS = 8;

const require = createRequire(import.meta.url);
/** What the worker's Blob URL is replaced by; the worker file treats it as already loaded. */
const LOADED_MARK = 'medrl:threaded-simd-factory';

/** The module factory and worker script of tfjs's threaded-SIMD build, as files. */
function threadedSimdFiles(): { factory: string; worker: string } {
  const factory = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  return { factory, worker: factory.replace(/\.js$/, '.worker.js') };
}

/**
 * The pthread worker: tfjs's own worker script (exported as a string by its package, evaluated as a
 * CommonJS module body as tfjs's Blob would be), with the factory required up front instead of read
 * from the Blob the main thread posts.
 */
function workerSource(files: { factory: string; worker: string }): string {
  return [
    "'use strict';",
    '// Written by medrl (core/src/engine/wasm-threads.ts): a pthread worker of tfjs-backend-wasm.',
    `globalThis.WasmBackendModuleThreadedSimd = require(${JSON.stringify(files.factory)});`,
    `const { wasmWorkerContents } = require(${JSON.stringify(files.worker)});`,
    // tfjs escapes newlines the same way before putting the script in its Blob.
    "new Function('require', '__filename', wasmWorkerContents.replace(/\\n/g, '\\\\n'))(require, __filename);",
    'const importScripts = globalThis.importScripts;',
    `globalThis.importScripts = (file) => { if (file !== ${JSON.stringify(LOADED_MARK)}) importScripts(file); };`,
    `URL.createObjectURL = () => ${JSON.stringify(LOADED_MARK)};`,
    'URL.revokeObjectURL = () => {};',
    '',
  ].join('\n');
}

let workerFile: string | undefined;

/** Writes the worker file once per process into a private directory removed at exit. */
function ensureWorkerFile(): string {
  if (workerFile) return workerFile;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medrl-wasm-'));
  const file = path.join(dir, 'pthread-worker.cjs');
  writeFileSync(file, workerSource(threadedSimdFiles()), { mode: 0o600 });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  workerFile = file;
  return file;
}

/** A worker that does not inherit the process's execArgv (loaders, --input-type). */
class PthreadWorker extends Worker {
  constructor(file: string | URL, options?: WorkerOptions) {
    super(file, { ...options, execArgv: [] });
  }
}

/**
 * Runs `start` (the wasm backend's initialization) so that the threaded build starts with `threads`
 * threads: blob worker URLs become the worker file, os.cpus() reports 2 x threads and the global
 * `Worker` is PthreadWorker, all only until `start` settles (emscripten's glue leaves a global
 * `Worker` behind; so do we).
 */
export async function withThreadedWasmStart<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const file = ensureWorkerFile();
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  const global = globalThis as { Worker?: unknown };
  const previousWorker = Object.getOwnPropertyDescriptor(global, 'Worker');
  URL.createObjectURL = (blob: Blob) =>
    blob?.type === 'application/javascript' ? file : createObjectURL.call(URL, blob);
  const reported = cpus();
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => reported[i % reported.length]!);
  // The glue assigns worker_threads' Worker to the global first: the setter keeps ours in place.
  Object.defineProperty(global, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => {} });
  try {
    return await start();
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    if (previousWorker) Object.defineProperty(global, 'Worker', previousWorker);
    else Object.defineProperty(global, 'Worker', { configurable: true, writable: true, value: PthreadWorker });
  }
}

/** The parts of emscripten's pthread runtime (Module.PThread) that settle the pool. */
interface PThreadRuntime {
  runningWorkers: { unref(): void }[];
  unusedWorkers: { terminate(): unknown }[];
}

/**
 * After start-up: lets the process exit while pool threads wait for work, and ends the spare
 * workers (each holds a compiled copy of the module). Returns how many threads run XNNPACK's work
 * besides the calling thread.
 */
export function settleThreadPool(module: unknown): number {
  const pthread = (module as { PThread?: PThreadRuntime } | undefined)?.PThread;
  if (!pthread) return 0;
  for (const worker of pthread.runningWorkers) worker.unref();
  for (const worker of pthread.unusedWorkers.splice(0)) void worker.terminate();
  return pthread.runningWorkers.length;
}

/** The number of threads `auto` means: every core the process may use, at most MAX_WASM_THREADS. */
export function allCores(): number {
  return Math.max(1, Math.min(os.availableParallelism(), MAX_WASM_THREADS));
}
