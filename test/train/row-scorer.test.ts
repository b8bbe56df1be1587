// Streaming rows to the composer: scores land on their own row whatever order calls finish in,
// the batch composes exactly as one composer.score call would, the run-wide call cap holds (rows
// that wait share a call), and a failing call fails the batch without an unhandled rejection.
import { describe, expect, it } from 'vitest';
import { createTestContext, type RewardComponent, type Rollout } from '@medrl/sdk';
import { RewardComposer } from '../../core/runtime/src/reward/composer.js';
import { toRollout } from '../../core/runtime/src/reward/rollout.js';
import { ComposerSlots, RowScorer } from '../../core/train/src/rollouts.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rollouts = (n: number): Rollout[] =>
  Array.from({ length: n }, (_, i) => toRollout({ id: `r${i}`, prompt: 'q', completion: 'x'.repeat(i + 1) }));
/** A row's value: a function of its own text, so a score on the wrong row shows (within the [-1, 1] contract). */
const valueOf = (r: Rollout) => r.completion.length / 10 - 0.5;

/** Answers after a delay that falls with the row's length (later rows answer first); records every call. */
function reversed(calls: string[][], concurrent: { now: number; max: number }): RewardComponent {
  return {
    name: 'slow',
    async score(rs) {
      calls.push(rs.map((r) => r.id));
      concurrent.now += 1;
      concurrent.max = Math.max(concurrent.max, concurrent.now);
      await sleep(60 - 8 * rs[0]!.completion.length);
      concurrent.now -= 1;
      return rs.map((r) => ({ value: valueOf(r) }));
    },
  };
}

function composerWith(component: RewardComponent, normalize: 'none' | 'running' = 'running'): RewardComposer {
  return new RewardComposer(
    [
      { name: 'slow', weight: 0.7, component },
      {
        name: 'len',
        weight: 0.3,
        component: { name: 'len', score: async (rs) => rs.map((r) => ({ value: -r.completion.length / 10 })) },
      },
    ],
    { clip: null, normalize, gates: [], onMissing: 'renormalize' },
    createTestContext(),
  );
}

describe('RowScorer', () => {
  it('puts every score on its own row when calls finish out of order; composing equals one score() call', async () => {
    const rs = rollouts(6);
    const calls: string[][] = [];
    const ends: number[] = [];
    const concurrent = { now: 0, max: 0 };
    const composer = composerWith(reversed(calls, concurrent));
    const scorer = new RowScorer(composer, rs.length, {
      slots: new ComposerSlots(8),
      step: 1,
      batch: 'rollouts',
      onEvent: (e) => {
        if (e.kind === 'scoreEnd') ends.push(...e.rows);
      },
    });
    for (const i of [0, 1, 2, 3, 4, 5]) {
      scorer.add(i, rs[i]!);
      await sleep(1); // each row finishes on its own
    }
    scorer.close();
    const perTerm = await scorer.scores;
    expect(calls).toEqual([['r0'], ['r1'], ['r2'], ['r3'], ['r4'], ['r5']]);
    expect(ends).not.toEqual([0, 1, 2, 3, 4, 5]); // they did finish out of order
    expect(perTerm[0]!.scores.map((s) => s!.value)).toEqual(rs.map(valueOf));

    // Running normalization sees the batch in rollout order: the same numbers as one call.
    const streamed = composer.compose(rs, perTerm);
    const reference = await composerWith(reversed([], { now: 0, max: 0 })).score(rs);
    expect(streamed).toEqual(reference);
    expect(streamed.map((b) => b.id)).toEqual(rs.map((r) => r.id));
  });

  it('holds the run-wide cap; rows that finish while every call is busy go out together', async () => {
    const rs = rollouts(7);
    const calls: string[][] = [];
    const concurrent = { now: 0, max: 0 };
    const composer = composerWith(reversed(calls, concurrent), 'none');
    const slots = new ComposerSlots(2);
    const a = new RowScorer(composer, 4, { slots, step: 1, batch: 'rollouts' });
    const b = new RowScorer(composer, 3, { slots, step: 1, batch: 'gate' });
    a.add(0, rs[0]!);
    a.add(1, rs[1]!); // same synchronous stretch: one call with row 0
    await sleep(1);
    b.add(0, rs[2]!); // second slot
    await sleep(1);
    a.add(2, rs[3]!); // both slots busy: these three wait...
    a.add(3, rs[4]!);
    await sleep(1);
    b.add(1, rs[5]!);
    b.add(2, rs[6]!);
    a.close();
    b.close();
    const [sa, sb] = await Promise.all([a.scores, b.scores]);
    expect(concurrent.max).toBe(2);
    expect(calls.slice(0, 2)).toEqual([['r0', 'r1'], ['r2']]);
    // ...and leave in two calls (one per batch), not four.
    expect(calls.slice(2).sort()).toEqual([
      ['r3', 'r4'],
      ['r5', 'r6'],
    ]);
    expect(sa[0]!.scores.map((s) => s!.value)).toEqual([rs[0]!, rs[1]!, rs[3]!, rs[4]!].map(valueOf));
    expect(sb[0]!.scores.map((s) => s!.value)).toEqual([rs[2]!, rs[5]!, rs[6]!].map(valueOf));
  });

  it('fails the batch when a call fails, after the other calls are done, with no unhandled rejection', async () => {
    const rs = rollouts(3);
    const finished: string[] = [];
    const composer = composerWith(
      {
        name: 'slow',
        async score(batch) {
          if (batch[0]!.id === 'r1') throw new Error('judge down');
          await sleep(30);
          finished.push(batch[0]!.id);
          return batch.map((r) => ({ value: valueOf(r) }));
        },
      },
      'none',
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const scorer = new RowScorer(composer, 3, { slots: new ComposerSlots(4), step: 2, batch: 'rollouts' });
      for (const i of [0, 1, 2]) {
        scorer.add(i, rs[i]!);
        await sleep(1);
      }
      scorer.close();
      await sleep(60); // nobody awaits yet (a batch judged ahead of its step)
      await expect(scorer.scores).rejects.toThrow(/component "slow".*judge down/);
      expect(finished.sort()).toEqual(['r0', 'r2']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
