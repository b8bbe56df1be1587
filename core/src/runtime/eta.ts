/** Remaining-time estimates for progress lines (training steps, eval batches). */

/** `95s`, `4m05s`, `1h02m`. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Remaining time from the pace since the first completed unit: the first one (backend warm-up,
 * kernel compilation, a first eval) says little about the rest, so it is left out, and until a
 * second unit is done there is no estimate.
 */
export class Eta {
  private firstAt?: { done: number; time: number };

  constructor(
    private total: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Seconds left after `done` units, or undefined while there is no pace yet. */
  seconds(done: number): number | undefined {
    const time = this.now();
    if (!this.firstAt) {
      this.firstAt = { done, time };
      return undefined;
    }
    if (done <= this.firstAt.done) return undefined;
    return ((time - this.firstAt.time) / 1000 / (done - this.firstAt.done)) * (this.total - done);
  }

  /** `eta 1m05s`, or `eta …` without a pace. */
  label(done: number): string {
    const s = this.seconds(done);
    return `eta ${s === undefined ? '…' : formatSeconds(s)}`;
  }

  reset(total: number): void {
    this.total = total;
    this.firstAt = undefined;
  }
}
