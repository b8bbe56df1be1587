/**
 * RewardTester: table-driven tests for reward components, in the spirit of ESLint's RuleTester.
 * Each case is a row (a completion, the prompt and meta it answers, and what must hold);
 * the tester turns the table into one test per row with the runner's describe/it.
 */
import assert from 'node:assert/strict';
import type { ComponentScore, Logger, Metrics, PluginContext, RewardComponent, Rollout, SampleMeta } from './types.js';

/** What a row expects of the component's score. */
export interface RewardExpectation {
  /** Exact value (compared to 1e-9). */
  value?: number;
  /** Inclusive bounds. */
  /** Inclusive lower bound. */
  min?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Reasons (rule ids) that must all be present. */
  reasons?: string[];
  /** Reasons that must be absent. */
  notReasons?: string[];
  /** The component must say "not applicable" (null). */
  notApplicable?: boolean;
}

/** One row of a RewardTester table. */
export interface RewardCase {
  /** Test title; defaults to the first 60 characters of the completion. */
  name?: string;
  /** The question the completion answers (default empty). */
  prompt?: string;
  /** The text to score, think block included. */
  completion: string;
  /** Metadata of the rollout (risk level, categories, language). */
  meta?: SampleMeta;
  /** What must hold of the score. */
  expect: RewardExpectation;
}

type Describe = (name: string, fn: () => void) => void;
type It = (name: string, fn: () => Promise<void>) => void;

/** A context that records log lines and metrics in memory, for tests. */
export function createTestContext(overrides: Partial<PluginContext> = {}): PluginContext & {
  logs: { level: string; message: string }[];
} {
  const logs: { level: string; message: string }[] = [];
  const record =
    (level: string) =>
    (message: string): void => {
      logs.push({ level, message });
    };
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const values: Record<string, number> = {};
  const metrics: Metrics = {
    increment: (name, by = 1) => {
      values[name] = (values[name] ?? 0) + by;
    },
    gauge: (name, value) => {
      values[name] = value;
    },
    snapshot: () => ({ ...values }),
  };
  return { logger, metrics, rootDir: process.cwd(), command: 'test', logs, ...overrides };
}

/** Builds a rollout from a table row, splitting `<think>` like core does. */
export function rolloutFromCase(row: RewardCase, index = 0): Rollout {
  const match = /^\s*<think>([\s\S]*?)<\/think>([\s\S]*)$/.exec(row.completion);
  return {
    id: `case-${index}`,
    prompt: row.prompt ?? '',
    completion: row.completion,
    think: match ? match[1]!.trim() : undefined,
    answer: match ? match[2]!.trim() : row.completion.trim(),
    meta: row.meta ?? {},
  };
}

/** Checks one score against one expectation; throws an AssertionError naming what differs. */
export function checkScore(score: ComponentScore | null, expected: RewardExpectation, label = 'score'): void {
  if (expected.notApplicable) {
    assert.equal(score, null, `${label}: expected not applicable (null), got ${JSON.stringify(score)}`);
    return;
  }
  assert.ok(score, `${label}: expected a score, got null`);
  assert.ok(Number.isFinite(score.value), `${label}: value ${score.value} is not finite`);
  const reasons = score.reasons ?? [];
  if (expected.value !== undefined) {
    assert.ok(
      Math.abs(score.value - expected.value) < 1e-9,
      `${label}: expected value ${expected.value}, got ${score.value} (reasons: ${reasons.join(', ')})`,
    );
  }
  if (expected.min !== undefined) {
    assert.ok(
      score.value >= expected.min,
      `${label}: ${score.value} < min ${expected.min} (reasons: ${reasons.join(', ')})`,
    );
  }
  if (expected.max !== undefined) {
    assert.ok(
      score.value <= expected.max,
      `${label}: ${score.value} > max ${expected.max} (reasons: ${reasons.join(', ')})`,
    );
  }
  for (const reason of expected.reasons ?? []) {
    assert.ok(reasons.includes(reason), `${label}: expected reason ${reason}, got [${reasons.join(', ')}]`);
  }
  for (const reason of expected.notReasons ?? []) {
    assert.ok(!reasons.includes(reason), `${label}: reason ${reason} must not fire, got [${reasons.join(', ')}]`);
  }
}

/** Table-driven tests for reward components, like ESLint's RuleTester. */
export class RewardTester {
  /** The test runner's `describe`; defaults to the global one (vitest globals, mocha, jest). */
  static describe: Describe | undefined;
  /** The test runner's `it`; defaults to the global one. */
  static it: It | undefined;

  constructor(private readonly context: PluginContext = createTestContext()) {}

  /**
   * Registers one test per case. Rows are scored one batch per row so that a failing row names
   * itself; `runAll` scores the whole table in one batch as well.
   */
  run(title: string, component: RewardComponent, cases: readonly RewardCase[]): void {
    const g = globalThis as unknown as { describe?: Describe; it?: It };
    const describe = RewardTester.describe ?? g.describe;
    const it = RewardTester.it ?? g.it;
    if (!describe || !it) {
      throw new Error('RewardTester: no describe/it found; set RewardTester.describe and RewardTester.it');
    }
    describe(title, () => {
      cases.forEach((row, index) => {
        const name = row.name ?? row.completion.slice(0, 60);
        it(`#${index} ${name}`, async () => {
          const [score] = await this.score(component, [row]);
          checkScore(score ?? null, row.expect, `${component.name} case #${index} "${name}"`);
        });
      });
      it(`scores the whole table of ${cases.length} cases in one batch, in order`, async () => {
        await this.runAll(component, cases);
      });
    });
  }

  /** Scores all cases in one batch and checks each; throws on the first mismatch. */
  async runAll(component: RewardComponent, cases: readonly RewardCase[]): Promise<void> {
    const scores = await this.score(component, cases);
    cases.forEach((row, index) => {
      checkScore(scores[index] ?? null, row.expect, `${component.name} case #${index} "${row.name ?? ''}"`);
    });
  }

  private async score(component: RewardComponent, cases: readonly RewardCase[]): Promise<(ComponentScore | null)[]> {
    const scores = await component.score(
      cases.map((row, index) => rolloutFromCase(row, index)),
      this.context,
    );
    assert.equal(
      scores.length,
      cases.length,
      `${component.name} returned ${scores.length} scores for ${cases.length} rollouts`,
    );
    return scores;
  }
}
