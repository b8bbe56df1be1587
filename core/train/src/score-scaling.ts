/**
 * Running mean and standard deviation of scores across steps, combined batch by batch with the
 * parallel variance formula (TRL's `RunningMoments`), and the score transform PPO applies before
 * the KL penalty: `use_score_scaling` divides by the running std, `use_score_norm` also subtracts
 * the running mean, and `score_clip` clips the result to [-score_clip, score_clip].
 */

export interface RunningMomentsState {
  mean: number;
  std: number;
  var: number;
  count: number;
}

export class RunningMoments {
  mean = 0;
  std = 1;
  var = 1;
  // TRL starts from a near-zero count so that the first batch sets the moments.
  count = 1e-24;

  /** Folds in a batch; returns the batch's own mean and unbiased std. */
  update(xs: readonly number[]): { mean: number; std: number } {
    const n = xs.length;
    if (n === 0) return { mean: Number.NaN, std: Number.NaN };
    const xsMean = xs.reduce((a, b) => a + b, 0) / n;
    const xsVar = xs.reduce((a, x) => a + (x - xsMean) ** 2, 0) / n;
    const delta = xsMean - this.mean;
    const totCount = this.count + n;
    const newSum = xsVar * n;
    const oldSum = this.var * this.count + (delta * delta * this.count * n) / totCount;
    const totSum = oldSum + newSum;
    this.mean += (delta * n) / totCount;
    const newVar = totSum / totCount;
    this.std = Math.sqrt((newVar * totCount) / (totCount - 1));
    this.var = newVar;
    this.count = totCount;
    return { mean: xsMean, std: n > 1 ? Math.sqrt((xsVar * n) / (n - 1)) : 0 };
  }

  state(): RunningMomentsState {
    return { mean: this.mean, std: this.std, var: this.var, count: this.count };
  }

  static from(state: RunningMomentsState): RunningMoments {
    const moments = new RunningMoments();
    Object.assign(moments, state);
    return moments;
  }
}

/** Float32 machine epsilon (torch.finfo(float32).eps), added to the std as TRL does. */
const EPS = 1.1920928955078125e-7;

/** Applies score scaling/normalization (updating `moments`) and clipping, as TRL's `step` does. */
export function transformScores(
  scores: readonly number[],
  moments: RunningMoments,
  opts: { use_score_scaling: boolean; use_score_norm: boolean; score_clip: number | null },
): number[] {
  let out = [...scores];
  if (opts.use_score_scaling) {
    moments.update(out);
    const factor = moments.std + EPS;
    out = opts.use_score_norm ? out.map((s) => (s - moments.mean) / factor) : out.map((s) => s / factor);
  }
  if (opts.score_clip !== null) {
    const c = opts.score_clip;
    out = out.map((s) => Math.min(c, Math.max(-c, s)));
  }
  return out;
}
