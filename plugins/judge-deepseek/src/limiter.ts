/**
 * Request pacing: a concurrency limit (p-limit) and, when configured, requests-per-minute and
 * estimated tokens-per-minute token buckets (Bottleneck reservoirs). A call first takes a
 * concurrency slot, then waits inside it for its rate tokens, so requests never burst past the
 * buckets. Bottleneck is kept off the default path: it defers every job through a timer, which
 * costs ~10% of throughput at 200 ms latency (bench/judge.ts).
 */
import Bottleneck from 'bottleneck';
import pLimit, { type LimitFunction } from 'p-limit';

export interface LimiterOptions {
  concurrency: number;
  rpm: number | null;
  tpm: number | null;
}

/** A bucket refilled continuously: `perMinute` in total, in steps no closer than 20 ms. */
function bucket(perMinute: number): Bottleneck.ConstructorOptions {
  const interval = Math.max(20, 60_000 / perMinute);
  return {
    reservoir: perMinute,
    reservoirIncreaseInterval: interval,
    reservoirIncreaseAmount: (perMinute * interval) / 60_000,
    reservoirIncreaseMaximum: perMinute,
  };
}

const nothing = (): Promise<void> => Promise.resolve();

export class RequestLimiter {
  private readonly slots: LimitFunction;
  private readonly requests: Bottleneck | undefined;
  private readonly tokens: Bottleneck | undefined;

  constructor(private readonly options: LimiterOptions) {
    this.slots = pLimit(options.concurrency);
    this.requests = options.rpm !== null ? new Bottleneck(bucket(options.rpm)) : undefined;
    this.tokens = options.tpm !== null ? new Bottleneck(bucket(options.tpm)) : undefined;
  }

  /** Runs `fn` in a concurrency slot once one request and the estimated tokens are available. */
  schedule<T>(estimateTokens: () => number, fn: () => Promise<T>): Promise<T> {
    return this.slots(async () => {
      if (this.requests) await this.requests.schedule(nothing);
      if (this.tokens && this.options.tpm !== null) {
        // A job heavier than the whole bucket would wait forever; it may use the full minute instead.
        const weight = Math.max(1, Math.min(this.options.tpm, Math.ceil(estimateTokens())));
        await this.tokens.schedule({ weight }, nothing);
      }
      return fn();
    });
  }

  /** Calls waiting for a slot. */
  get pending(): number {
    return this.slots.pendingCount;
  }

  async stop(): Promise<void> {
    await Promise.all([this.requests?.disconnect(), this.tokens?.disconnect()]);
  }
}

/** A rough token estimate for pacing: ~0.6 token per CJK character, ~0.3 per other character. */
export function estimateTokens(text: string): number {
  const cjk = text.match(/[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/g)?.length ?? 0;
  return Math.ceil(cjk * 0.6 + (text.length - cjk) * 0.3);
}
