/**
 * Running mean and standard deviation of one component's scores (Welford), used to standardize
 * scores the way TRL's use_score_norm does: update with the batch first, then standardize it.
 */
export class RunningMoments {
  count = 0;
  mean = 0;
  private m2 = 0;

  update(values: readonly number[]): void {
    for (const x of values) {
      this.count += 1;
      const delta = x - this.mean;
      this.mean += delta / this.count;
      this.m2 += delta * (x - this.mean);
    }
  }

  /** Population standard deviation of all values seen. */
  get std(): number {
    return this.count > 0 ? Math.sqrt(this.m2 / this.count) : 0;
  }

  /** (x - mean) / std; 0 when nothing varies yet. */
  standardize(x: number): number {
    const std = this.std;
    return std > 1e-8 ? (x - this.mean) / std : 0;
  }

  toJSON(): { count: number; mean: number; m2: number } {
    return { count: this.count, mean: this.mean, m2: this.m2 };
  }

  static fromJSON(state: { count: number; mean: number; m2: number }): RunningMoments {
    const moments = new RunningMoments();
    moments.count = state.count;
    moments.mean = state.mean;
    moments.m2 = state.m2;
    return moments;
  }
}
