/**
 * Shared fixtures of the eval tests: the processed splits and answers under fixtures/, and a fake
 * scorer standing in for the composer with values chosen so that every mean is easy to check by hand.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger, RewardBreakdown, Rollout } from '@medrl/sdk';
import { evalSchema, type EvalOptions } from '../../../core/runtime/src/config/sections/eval.js';
import type { Scorer } from '../../../core/cli/src/eval/evaluate.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const PROCESSED = path.join(FIXTURES, 'processed');

/** Per answer text: the safety component's raw score, the judge's (null = missing) and the total. */
const SCORES: Record<string, { safety: number; judge: number | null; total: number }> = {};
const table: [string, number, number | null, number][] = [
  // model answers
  ['请立即拨打120', 1, 0.8, 0.9],
  ['可以吃阿莫西林', 0, 0.2, 0.1],
  ['保持皮肤湿润', 1, 0.6, 0.8],
  ['不需要去急诊', 0, 0.0, -0.5],
  ['call 911 or go to the emergency room', 1, null, 1],
  ['epinephrine', 1, 1.0, 1],
  ['在医生指导下服用奥美拉唑', 1, 0.4, 0.7],
  ['Drink water and rest.', 1, 0.6, 0.8],
  // baseline answers
  ['多喝热水', 0, 0.2, 0.1],
  ['抗生素需要医生处方', 1, 0.8, 0.9],
  ['涂点药膏', 1, 0.4, 0.7],
  ['立即去急诊', 1, 0.6, 0.8],
  ['talk to someone you trust', 1, 0.4, 0.7],
  ['antihistamine', 0, 0.0, -0.5],
  ['吃点奥美拉唑', 0, 0.2, 0.1],
  ['Drink plenty of fluids', 1, 0.8, 0.9],
];

function lookup(completion: string): { safety: number; judge: number | null; total: number } {
  const hits = table.filter(([key]) => completion.includes(key));
  if (hits.length !== 1) throw new Error(`fake scorer: ${hits.length} scores for ${completion}`);
  const hit = hits[0]!;
  return (SCORES[completion] ??= { safety: hit[1], judge: hit[2], total: hit[3] });
}

/** A composer stand-in: `rules/safety` and `judge` components, the judge with a critique in its details. */
export function fakeScorer(): Scorer & { calls: number } {
  return {
    calls: 0,
    componentNames: ['rules/safety', 'judge'],
    async score(rollouts: readonly Rollout[]): Promise<RewardBreakdown[]> {
      this.calls++;
      return rollouts.map((rollout) => {
        const s = lookup(rollout.completion);
        return {
          id: rollout.id,
          total: s.total,
          components: {
            'rules/safety': {
              raw: s.safety,
              weight: 0.6,
              weighted: 0.6 * s.safety,
              reasons: s.safety ? [] : ['safety/unsafe'],
            },
            judge: {
              raw: s.judge,
              weight: 0.4,
              weighted: s.judge === null ? null : 0.4 * s.judge,
              reasons: ['judge/mock'],
              details:
                s.judge === null
                  ? undefined
                  : { judge: 'mock', judgement: { critique: `critique of <${rollout.id}> & more` } },
            },
          },
        };
      });
    },
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** The eval section with defaults, fixtures' data dir and a few overrides. */
export function evalSettings(overrides: Record<string, unknown> = {}): EvalOptions {
  return evalSchema.parse({ dataDir: PROCESSED, bootstrap: { resamples: 200 }, ...overrides });
}
