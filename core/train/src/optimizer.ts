/**
 * Adam with optional decoupled weight decay (AdamW), as torch.optim defines them, over named tfjs
 * variables; its state (step count and both moments per parameter) is plain data so a checkpoint
 * can restore it bit for bit. Also: gradient clipping by global norm (torch's clip_grad_norm_) and
 * the learning-rate schedules the trainers use.
 * Written here rather than using tf.train.adam because resume needs the moments by parameter name
 * and the schedule needs the learning rate per step.
 */
import * as tf from '@tensorflow/tfjs';

export interface NamedParam {
  /** Stable name (checkpoint key), e.g. `model.layers.0.self_attn.q_proj.lora_A`. */
  name: string;
  variable: tf.Variable;
}

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW); 0 = Adam. */
  weightDecay?: number;
}

export interface AdamState {
  step: number;
  /** First and second moments by parameter name, row-major fp32. */
  m: Record<string, { shape: number[]; data: Float32Array }>;
  v: Record<string, { shape: number[]; data: Float32Array }>;
}

export class AdamW {
  private stepCount = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  constructor(
    readonly params: readonly NamedParam[],
    options: AdamOptions = {},
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    for (const { name, variable } of params) {
      this.m.set(name, tf.variable(tf.zerosLike(variable), false));
      this.v.set(name, tf.variable(tf.zerosLike(variable), false));
    }
  }

  get steps(): number {
    return this.stepCount;
  }

  /** One update with `grads` keyed by parameter name (missing = zero gradient) at learning rate `lr`. */
  step(grads: Record<string, tf.Tensor>, lr: number): void {
    this.stepCount += 1;
    const t = this.stepCount;
    const bc1 = 1 - this.beta1 ** t;
    const bc2 = 1 - this.beta2 ** t;
    for (const { name, variable } of this.params) {
      const g = grads[name];
      if (!g) continue;
      tf.tidy(() => {
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
        let p: tf.Tensor = variable;
        if (this.weightDecay !== 0) p = tf.mul(p, 1 - lr * this.weightDecay);
        variable.assign(tf.sub(p, tf.mul(tf.div(m, denom), lr / bc1)));
      });
    }
  }

  state(): AdamState {
    const dump = (map: Map<string, tf.Variable>) =>
      Object.fromEntries(
        [...map].map(([name, t]) => [name, { shape: [...t.shape], data: t.dataSync() as Float32Array }]),
      );
    return { step: this.stepCount, m: dump(this.m), v: dump(this.v) };
  }

  load(state: AdamState): void {
    this.stepCount = state.step;
    for (const [which, map] of [
      ['m', this.m],
      ['v', this.v],
    ] as const) {
      for (const [name, variable] of map) {
        const saved = state[which][name];
        if (!saved) throw new Error(`optimizer state has no ${which} for parameter "${name}"`);
        if (saved.shape.join(',') !== variable.shape.join(',')) {
          throw new Error(
            `optimizer state ${which} of "${name}" has shape [${saved.shape}], the parameter has [${variable.shape}]`,
          );
        }
        tf.tidy(() => variable.assign(tf.tensor(saved.data, saved.shape)));
      }
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/**
 * Scales gradients in place of a copy so their global L2 norm is at most `maxNorm` (torch:
 * coef = maxNorm / (norm + 1e-6), applied when < 1). Returns the new gradients and the norm before.
 */
export function clipGradNorm(
  grads: Record<string, tf.Tensor>,
  maxNorm: number | null,
): { grads: Record<string, tf.Tensor>; norm: number } {
  const norm = Math.sqrt(
    Object.values(grads).reduce((acc, g) => acc + tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]!), 0),
  );
  if (maxNorm === null) return { grads, norm };
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return { grads, norm };
  const clipped: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(grads)) {
    clipped[name] = tf.mul(g, coef);
    g.dispose();
  }
  return { grads: clipped, norm };
}

/**
 * One optimizer step with gradient accumulation, the loop every trainer runs: `lossOf` is
 * differentiated per micro-batch (it divides its loss for the accumulation itself), the gradients
 * are summed by parameter name in micro-batch order, clipped to `maxGradNorm` by global norm, and
 * applied at `lr`. Returns each micro-batch's loss and the norm before clipping.
 */
export function accumulatedStep<T>(
  optimizer: AdamW,
  params: readonly NamedParam[],
  microBatches: readonly T[],
  lossOf: (microBatch: T) => tf.Scalar,
  options: { maxGradNorm: number | null; lr: number },
): { losses: number[]; gradNorm: number } {
  const nameOf = new Map(params.map((p) => [p.variable.name, p.name]));
  const varList = params.map((p) => p.variable);
  const losses: number[] = [];
  let acc: Record<string, tf.Tensor> = {};
  for (const microBatch of microBatches) {
    const { value, grads } = tf.variableGrads(() => lossOf(microBatch), varList);
    losses.push(value.dataSync()[0]!);
    value.dispose();
    const next: Record<string, tf.Tensor> = {};
    for (const [tfName, grad] of Object.entries(grads)) {
      const name = nameOf.get(tfName)!;
      if (acc[name]) {
        next[name] = tf.add(acc[name]!, grad);
        acc[name]!.dispose();
        grad.dispose();
      } else next[name] = grad;
    }
    acc = next;
  }
  const clipped = clipGradNorm(acc, options.maxGradNorm);
  optimizer.step(clipped.grads, options.lr);
  for (const grad of Object.values(clipped.grads)) grad.dispose();
  return { losses, gradNorm: clipped.norm };
}

export type ScheduleKind = 'linear' | 'cosine' | 'constant';

/**
 * Learning rate at optimizer step `step` (0-based) of `total`, after `warmup` linear warmup steps:
 * linear decays to 0 at `total`, cosine follows half a cosine to 0, constant stays (transformers'
 * get_*_schedule_with_warmup).
 */
export function learningRateAt(peak: number, step: number, total: number, warmup: number, kind: ScheduleKind): number {
  if (warmup > 0 && step < warmup) return (peak * step) / warmup;
  if (kind === 'constant') return peak;
  const progress = total > warmup ? (step - warmup) / (total - warmup) : 1;
  if (kind === 'linear') return peak * Math.max(0, 1 - progress);
  return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress))));
}
