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
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '@medrl/sdk';
import { MedrlError, messageOf } from '../errors.js';
import { releaseEarly } from './tape.js';
import { registerWasmKernels } from './wasm-kernels.js';

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
    load: () => import('@tensorflow/tfjs-backend-wasm'),
    installHint: 'npm install @tensorflow/tfjs-backend-wasm@4.22.0',
  },
  cpu: { choice: 'cpu', tfName: 'cpu', load: async () => undefined, installHint: 'it ships with @tensorflow/tfjs' },
};

const AUTO_ORDER: ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  /** The backend that was chosen. */
  backend: ConcreteBackend;
  /** tfjs's name for it (`tf.getBackend()`). */
  tfName: string;
  /** Why the candidates before it were skipped (auto only). */
  skipped: { backend: ConcreteBackend; reason: string }[];
}

let active: (BackendInfo & { requested: BackendChoice }) | undefined;

/** Loads and activates one backend; throws with the reason when it cannot load or compute. */
async function tryBackend(candidate: Candidate): Promise<void> {
  try {
    await candidate.load();
  } catch (error) {
    throw new MedrlError(
      `${candidate.choice} backend is not installed (${messageOf(error)}); install it with: ${candidate.installHint}`,
    );
  }
  const ok = await tf.setBackend(candidate.tfName);
  if (!ok) throw new MedrlError(`${candidate.choice} backend failed to initialize`);
  await tf.ready();
  // A 2x2 matmul with a known answer: catches native addons that load but cannot run.
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  const values = Array.from(await product.data());
  product.dispose();
  if (values.join(',') !== '19,22,43,50') {
    throw new MedrlError(`${candidate.choice} backend computed a wrong matmul (${values.join(',')})`);
  }
}

/**
 * Activates the requested backend (default `auto`) and logs which one is in use.
 * Idempotent: a second call with the same request returns the active backend.
 */
export async function initBackend(requested: BackendChoice = 'auto', logger?: Logger): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new MedrlError(`engine.backend: unknown backend "${requested}"; choose one of ${BACKEND_CHOICES.join(', ')}`);
  }
  if (active && (requested === active.requested || requested === active.backend) && tf.getBackend() === active.tfName) {
    return { backend: active.backend, tfName: active.tfName, skipped: active.skipped };
  }
  const skipped: BackendInfo['skipped'] = [];
  let chosen: ConcreteBackend | undefined;
  if (requested !== 'auto') {
    try {
      await tryBackend(CANDIDATES[requested]);
    } catch (error) {
      throw new MedrlError(`engine.backend: "${requested}" is not usable: ${messageOf(error)}`, { cause: error });
    }
    chosen = requested;
  } else {
    for (const name of AUTO_ORDER) {
      try {
        await tryBackend(CANDIDATES[name]);
        chosen = name;
        break;
      } catch (error) {
        skipped.push({ backend: name, reason: messageOf(error) });
      }
    }
    if (!chosen) throw new MedrlError('engine.backend: no TensorFlow.js backend could be initialized');
  }
  const backend = chosen;
  // Backward passes free each op's gradients and saved tensors once used (tape.ts).
  releaseEarly();
  if (CANDIDATES[backend].tfName === 'wasm') registerWasmKernels();
  active = { backend, tfName: CANDIDATES[backend].tfName, skipped, requested };
  const info: BackendInfo = { backend, tfName: active.tfName, skipped };
  logger?.info(
    `tensorflow.js backend: ${backend}`,
    skipped.length > 0 ? { skipped: skipped.map((s) => s.backend) } : undefined,
  );
  for (const s of skipped) logger?.debug(`backend ${s.backend} skipped`, { reason: s.reason });
  return info;
}

/** The backend activated by initBackend, if any. */
export function activeBackend(): BackendInfo | undefined {
  return active && { backend: active.backend, tfName: active.tfName, skipped: active.skipped };
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
