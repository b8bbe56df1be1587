/**
 * Request pacing with Bottleneck: a concurrency limit plus requests-per-minute and (estimated)
 * tokens-per-minute token buckets. The token bucket is a separate limiter in front of the request
 * limiter, so a call waiting for tokens does not hold a concurrency slot.
 */
import Bottleneck from 'bottleneck';

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

export class RequestLimiter {
  private readonly requests: Bottleneck;
  private readonly tokens: Bottleneck | undefined;
  private readonly tpm: number | null;

  constructor(options: LimiterOptions) {
    this.requests = new Bottleneck({
      maxConcurrent: options.concurrency,
      ...(options.rpm !== null ? bucket(options.rpm) : {}),
    });
    this.tpm = options.tpm;
    this.tokens = options.tpm !== null ? new Bottleneck(bucket(options.tpm)) : undefined;
  }

  /** Runs `fn` when a slot, a request and `estimatedTokens` tokens are available. */
  schedule<T>(estimatedTokens: number, fn: () => Promise<T>): Promise<T> {
    const run = (): Promise<T> => this.requests.schedule(fn);
    if (!this.tokens || this.tpm === null) return run();
    // A job heavier than the whole bucket would wait forever; it may use the full minute instead.
    const weight = Math.max(1, Math.min(this.tpm, Math.ceil(estimatedTokens)));
    return this.tokens.schedule({ weight }, run);
  }

  async stop(): Promise<void> {
    await Promise.all([this.requests.disconnect(), this.tokens?.disconnect()]);
  }
}

/** A rough token estimate for pacing: ~0.6 token per CJK character, ~0.3 per other character. */
export function estimateTokens(text: string): number {
  let cjk = 0;
  for (const ch of text) if (/[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/.test(ch)) cjk += 1;
  return Math.ceil(cjk * 0.6 + (text.length - cjk) * 0.3);
}
