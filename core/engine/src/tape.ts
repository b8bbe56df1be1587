/**
 * Frees backward-pass memory as soon as tfjs is done with it.
 *
 * Why: tfjs-core (4.x) keeps, until a whole backward pass ends, every intermediate gradient (the dy
 * of each recorded op) and every tensor an op saved for its gradient (on wasm a saved tensor is a
 * full copy). Memory therefore grows through the backward pass instead of shrinking: measured on the
 * Qwen3-0.6B shape with LoRA at 64 tokens, 0.41 GB above the weights when the backward starts and
 * 1.55 GB when it ends, which is what kept 128-token steps out of wasm's 4 GB heap.
 *
 * Walking the tape backwards, once an op's gradient function has produced the gradients of all its
 * inputs, neither its outputs' gradients nor its saved tensors are read again. `releaseEarly` wraps
 * each tape node's gradient function (through Engine.addTapeNode) to dispose exactly those then,
 * except a tensor the gradient function handed back as an input's gradient (identity-like gradients
 * return dy itself), the gradients of the sources asked for and a dy the caller passed. tfjs's own
 * cleanup at the end disposes them again, which is a no-op. Gradients are unchanged (tested); if
 * tfjs's engine no longer looks as expected, nothing is patched and tfjs behaves as before.
 */
import * as tf from '@tensorflow/tfjs';

type GradientThunks = Record<string, () => tf.Tensor>;

interface TapeNode {
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => GradientThunks;
}

interface EngineInternals {
  addTapeNode: (...args: unknown[]) => void;
  gradients: (f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean) => unknown;
  state: { activeTape: TapeNode[] | null };
}

const patched = new WeakSet<object>();
/** Off only to compare against tfjs's own behaviour (tests, diagnosis). */
let enabled = true;

/** Turns the early release off or on again (it stays installed); returns the previous setting. */
export function setReleaseEarly(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/**
 * Per running gradients() call (nested calls stack): the ids of the sources, whose gradients it
 * returns, and the caller's dy, which stays the caller's.
 */
const calls: { sourceIds: Set<number>; seed?: tf.Tensor }[] = [];

function isSource(tensor: tf.Tensor): boolean {
  return calls.some((call) => call.sourceIds.has(tensor.id));
}

function isSeed(tensor: tf.Tensor): boolean {
  return calls.some((call) => call.seed === tensor);
}

function wrapGradient(node: TapeNode): void {
  const gradient = node.gradient;
  if (!gradient) return;
  node.gradient = (dys) => {
    const thunks = gradient(dys);
    if (!enabled) return thunks;
    const pending = new Set(Object.keys(node.inputs));
    const handedBack = new Set<tf.Tensor>();
    const release = () => {
      dys.forEach((dy, i) => {
        const output = node.outputs[i];
        if (dy && !handedBack.has(dy) && !isSeed(dy) && !(output && isSource(output))) dy.dispose();
      });
      for (const saved of node.saved ?? []) if (!handedBack.has(saved)) saved.dispose();
    };
    if (pending.size === 0) {
      release();
      return thunks;
    }
    const wrapped: GradientThunks = {};
    for (const [name, thunk] of Object.entries(thunks)) {
      wrapped[name] = () => {
        const dx = thunk();
        handedBack.add(dx);
        if (pending.delete(name) && pending.size === 0) release();
        return dx;
      };
    }
    return wrapped;
  };
}

/** Whether releaseEarly has patched tfjs's current engine. */
export function releaseEarlyInstalled(): boolean {
  return patched.has(tf.engine());
}

/** Installs the early release on tfjs's engine (idempotent). Returns whether it is active. */
export function releaseEarly(): boolean {
  const engine = tf.engine() as unknown as EngineInternals;
  if (patched.has(engine)) return true;
  if (typeof engine.addTapeNode !== 'function' || typeof engine.gradients !== 'function' || !engine.state) {
    return false;
  }
  const addTapeNode = engine.addTapeNode;
  const gradients = engine.gradients;
  engine.addTapeNode = function (this: EngineInternals, ...args: unknown[]) {
    addTapeNode.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    if (node) wrapGradient(node);
  };
  engine.gradients = function (this: EngineInternals, f, xs, dy, allowNoGradients) {
    calls.push({ sourceIds: new Set(xs.map((x) => x.id)), seed: dy });
    try {
      return gradients.call(this, f, xs, dy, allowNoGradients);
    } finally {
      calls.pop();
    }
  };
  patched.add(engine);
  return true;
}
