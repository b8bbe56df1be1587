/**
 * Advantage math on plain arrays (no gradients flow through it): masked statistics as TRL's
 * `core.py` defines them, GAE as TRL ≤ 0.11's `PPOTrainer.compute_advantages`, and GRPO's group
 * advantages. A batch is `number[][]`: one row per sequence, padded to one length, with a 0/1 mask
 * of the same shape marking the response tokens that count.
 */

export type Matrix = number[][];

function assertSameShape(a: Matrix, b: Matrix, what: string): void {
  if (a.length !== b.length || a.some((row, i) => row.length !== b[i]!.length)) {
    throw new Error(`${what}: shapes differ (${a.length} rows vs ${b.length} rows, or a row length differs)`);
  }
}

/** Sum of `values * mask` over every entry, and the mask's sum. */
function maskedSums(values: Matrix, mask: Matrix): { sum: number; count: number } {
  assertSameShape(values, mask, 'maskedSums');
  let sum = 0;
  let count = 0;
  values.forEach((row, i) =>
    row.forEach((v, t) => {
      const m = mask[i]![t]!;
      sum += v * m;
      count += m;
    }),
  );
  return { sum, count };
}

/** mean over masked entries; NaN when the mask is empty (as 0/0 in torch). */
export function maskedMean(values: Matrix, mask: Matrix): number {
  const { sum, count } = maskedSums(values, mask);
  return sum / count;
}

/** Per-row masked mean (TRL's `masked_mean(values, mask, axis=1)`). */
export function maskedRowMeans(values: Matrix, mask: Matrix): number[] {
  assertSameShape(values, mask, 'maskedRowMeans');
  return values.map((row, i) => {
    let sum = 0;
    let count = 0;
    row.forEach((v, t) => {
      sum += v * mask[i]![t]!;
      count += mask[i]![t]!;
    });
    return sum / count;
  });
}

/**
 * Variance over masked entries, with Bessel's correction by default (TRL's `masked_var`).
 * Throws when the mask is empty, or has one entry and the correction is on (as TRL does).
 */
export function maskedVar(values: Matrix, mask: Matrix, unbiased = true): number {
  const mean = maskedMean(values, mask);
  const centered = values.map((row) => row.map((v) => (v - mean) ** 2));
  const { sum, count } = maskedSums(centered, mask);
  if (count === 0) throw new Error('maskedVar: the mask is empty');
  const variance = sum / count;
  if (!unbiased) return variance;
  if (count === 1) throw new Error('maskedVar: one masked value; the unbiased variance is undefined');
  return (variance * count) / (count - 1);
}

/**
 * (values - mean) / sqrt(var + 1e-8) over the masked entries, every entry transformed (masked-out
 * ones too, as TRL does; callers multiply by the mask where it matters). With `shiftMean` false
 * the mean is added back, so only the scale changes (used to whiten rewards).
 */
export function maskedWhiten(values: Matrix, mask: Matrix, shiftMean = true): Matrix {
  const mean = maskedMean(values, mask);
  const variance = maskedVar(values, mask);
  const scale = 1 / Math.sqrt(variance + 1e-8);
  return values.map((row) => row.map((v) => (v - mean) * scale + (shiftMean ? 0 : mean)));
}

export interface GaeResult {
  /** values * mask, as TRL returns them (the old values used by the clipped value loss). */
  values: Matrix;
  /** Whitened over the mask. */
  advantages: Matrix;
  /** Raw (unwhitened) advantages + values: the value head's regression target. */
  returns: Matrix;
}

/**
 * Generalized advantage estimation, backwards over each row:
 *   delta_t = r_t + gamma * V_{t+1} - V_t,   A_t = delta_t + gamma * lam * A_{t+1},
 * with V and r zeroed outside the mask and V past the last column = 0. Returns = A + V (before
 * whitening); advantages are then whitened over the mask. `whitenRewards` scales the rewards
 * first (TRL's `whiten_rewards`, shift_mean=False).
 */
export function computeGae(
  valuesIn: Matrix,
  rewardsIn: Matrix,
  mask: Matrix,
  opts: { gamma: number; lam: number; whitenRewards?: boolean },
): GaeResult {
  assertSameShape(valuesIn, rewardsIn, 'computeGae values/rewards');
  assertSameShape(valuesIn, mask, 'computeGae values/mask');
  const values = valuesIn.map((row, i) => row.map((v, t) => v * mask[i]![t]!));
  let rewards = rewardsIn.map((row, i) => row.map((r, t) => r * mask[i]![t]!));
  if (opts.whitenRewards) rewards = maskedWhiten(rewards, mask, false);
  const raw = values.map((row, i) => {
    const out = new Array<number>(row.length);
    let lastGaeLam = 0;
    for (let t = row.length - 1; t >= 0; t--) {
      const nextValue = t < row.length - 1 ? row[t + 1]! : 0;
      const delta = rewards[i]![t]! + opts.gamma * nextValue - row[t]!;
      lastGaeLam = delta + opts.gamma * opts.lam * lastGaeLam;
      out[t] = lastGaeLam;
    }
    return out;
  });
  const returns = raw.map((row, i) => row.map((a, t) => a + values[i]![t]!));
  return { values, advantages: maskedWhiten(raw, mask), returns };
}

/** How GRPO scales the centred rewards (TRL's `scale_rewards`). */
export type ScaleRewards = 'group' | 'batch' | 'none';

export interface GroupAdvantages {
  advantages: number[];
  /** Per-rollout std of its group's rewards (unbiased), for `frac_reward_zero_std`. */
  groupStd: number[];
}

/** Unbiased standard deviation (torch's default `std`); 0 for fewer than two values (torch: NaN). */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
}

/**
 * GRPO advantages: rewards are laid out group after group (`groupSize` consecutive completions of
 * one prompt); A_i = r_i - mean(group), divided by (std + 1e-4) where std is the group's
 * (`group`), the whole batch's (`batch`), or not at all (`none`).
 */
export function groupAdvantages(rewards: readonly number[], groupSize: number, scale: ScaleRewards): GroupAdvantages {
  if (!Number.isInteger(groupSize) || groupSize < 1)
    throw new Error(`groupAdvantages: groupSize ${groupSize} must be an integer >= 1`);
  if (rewards.length % groupSize !== 0) {
    throw new Error(`groupAdvantages: ${rewards.length} rewards do not split into groups of ${groupSize}`);
  }
  const batchStd = std(rewards);
  const advantages: number[] = [];
  const groupStd: number[] = [];
  for (let start = 0; start < rewards.length; start += groupSize) {
    const group = rewards.slice(start, start + groupSize);
    const mean = group.reduce((a, b) => a + b, 0) / groupSize;
    const gStd = std(group);
    const divisor = scale === 'group' ? gStd + 1e-4 : scale === 'batch' ? batchStd + 1e-4 : 1;
    for (const r of group) {
      advantages.push((r - mean) / divisor);
      groupStd.push(gStd);
    }
  }
  return { advantages, groupStd };
}
