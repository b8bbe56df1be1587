/**
 * @medrl/plugin-judge-mock — a deterministic offline judge (name `mock`) with the same output as
 * the LLM judges, scored from text features. Used when no judge API key is set.
 * May import: @medrl/sdk and node built-ins; never @medrl/core.
 */
import { definePlugin, type Judge, type Judgement, type JudgeItem, type MedrlPlugin } from '@medrl/sdk';
import { mockJudgement } from './score.js';

export const PLUGIN_NAME = '@medrl/plugin-judge-mock';

/** The mock judge takes no options; an unknown option is a mistake worth reporting. */
export type MockJudgeOptions = Record<string, never>;

export class MockJudge implements Judge {
  readonly name = 'mock';
  readonly description = 'Deterministic offline judge scored from text features (referral, reasoning, length, empathy)';
  private judged = 0;

  async judge(items: readonly JudgeItem[]): Promise<(Judgement | null)[]> {
    this.judged += items.length;
    return items.map((item) => mockJudgement(item));
  }

  available(): boolean {
    return true;
  }

  /** Same counter names as the API judges; a mock costs nothing and never fails. */
  stats(): Record<string, number> {
    return {
      calls: 0,
      judged: this.judged,
      cache_hits: 0,
      failures: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      cached_prompt_tokens: 0,
      cost: 0,
      retries: 0,
    };
  }
}

export default function judgeMock(options: MockJudgeOptions = {}): MedrlPlugin {
  const unknown = Object.keys(options ?? {});
  if (unknown.length > 0) {
    throw new Error(
      `${PLUGIN_NAME}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (it takes none)`,
    );
  }
  return definePlugin({
    name: PLUGIN_NAME,
    apiVersion: '1.0',
    version: '0.1.0',
    setup(api) {
      api.registerJudge(new MockJudge());
    },
  });
}

export { mockJudgement, safetyScore, reasoningScore, completenessScore, empathyScore } from './score.js';
export { extractFeatures, splitThink, textUnits, type MockFeatures } from './features.js';
