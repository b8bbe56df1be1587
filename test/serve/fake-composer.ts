/**
 * Scorers for the server tests: a deterministic fake composer whose numbers are easy to derive
 * by hand (the fixtures in fixtures/ are written against it), and a blocking one whose batches
 * finish only when the test says so.
 */
import type { ComponentBreakdown, RewardBreakdown, Rollout } from '@medrl/sdk';
import type { RewardScorer } from '../../core/serve/src/server.js';

const FORMAT_WEIGHT = 0.25;
const SAFETY_WEIGHT = 0.75;

function part(raw: number | null, weight: number, reasons: string[], scored = true): ComponentBreakdown {
  return { raw, weight, weighted: raw === null || !scored ? null : weight * raw, reasons };
}

/**
 * format = 1 when the completion has a think block; safety = 1 when the answer mentions
 * 120/911/emergency, else 0.5; `[unsafe]` gates the total to -1; `[drop]` drops the sample
 * (safety has no score), as the composer does with `onMissing: drop`.
 */
export function scoreOne(rollout: Rollout): RewardBreakdown {
  const format = rollout.think !== undefined ? 1 : 0;
  const formatReasons = format ? ['format:think'] : [];
  const answer = rollout.answer ?? rollout.completion;
  if (answer.includes('[drop]')) {
    return {
      id: rollout.id,
      total: null,
      components: { format: part(format, FORMAT_WEIGHT, formatReasons, false), safety: part(null, SAFETY_WEIGHT, []) },
      dropped: 'missing: safety',
    };
  }
  if (answer.includes('[unsafe]')) {
    return {
      id: rollout.id,
      total: -1,
      components: {
        format: part(format, FORMAT_WEIGHT, formatReasons),
        safety: part(0, SAFETY_WEIGHT, ['safety:unsafe']),
      },
      gate: 'safety.raw lt 0.2',
    };
  }
  const safety = /120|911|emergency/i.test(answer) ? 1 : 0.5;
  return {
    id: rollout.id,
    total: FORMAT_WEIGHT * format + SAFETY_WEIGHT * safety,
    components: {
      format: part(format, FORMAT_WEIGHT, formatReasons),
      safety: part(safety, SAFETY_WEIGHT, safety === 1 ? ['safety:emergency-advice'] : []),
    },
  };
}

export interface FakeComposer extends RewardScorer {
  /** Every batch received, with the options it came with. */
  calls: { rollouts: Rollout[]; step?: number; signal?: AbortSignal }[];
}

export function fakeComposer(): FakeComposer {
  const calls: FakeComposer['calls'] = [];
  return {
    calls,
    componentNames: ['format', 'safety'],
    async score(rollouts, opts = {}) {
      calls.push({ rollouts: [...rollouts], step: opts.step, signal: opts.signal });
      return rollouts.map(scoreOne);
    },
  };
}

export interface BlockingComposer extends RewardScorer {
  /** Resolves when `n` batches are waiting. */
  waitForPending(n: number): Promise<void>;
  /** Finishes every waiting batch. */
  releaseAll(): void;
  /** Signals of the batches received so far. */
  signals: AbortSignal[];
}

/** Batches wait until `releaseAll()`; scoring itself is the fake composer's. */
export function blockingComposer(): BlockingComposer {
  const pending: (() => void)[] = [];
  const signals: AbortSignal[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  return {
    componentNames: ['format', 'safety'],
    signals,
    score(rollouts, opts = {}) {
      if (opts.signal) signals.push(opts.signal);
      return new Promise((resolve) => {
        pending.push(() => resolve(rollouts.map(scoreOne)));
        if (waiter && pending.length >= waiter.n) waiter.resolve();
      });
    },
    waitForPending(n) {
      if (pending.length >= n) return Promise.resolve();
      return new Promise((resolve) => {
        waiter = { n, resolve };
      });
    },
    releaseAll() {
      for (const release of pending.splice(0)) release();
    },
  };
}
