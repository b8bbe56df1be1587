/**
 * The summary of a `medrl judge` run: counts, the mean of each dimension over the judgements
 * present, failures, tokens, cost and cache hits (from the judgements themselves, so a cached or
 * coalesced verdict is never billed twice), plus the judge's own counters.
 */
import type { Judgement, JudgeScores } from '@medrl/sdk';

export interface JudgeSummary {
  judge: string;
  /** Input lines considered (non-blank, up to --limit). */
  count: number;
  /** Lines with a judgement. */
  judged: number;
  /** Lines whose judgement is missing (the judge returned null). */
  failures: number;
  /** Lines that could not be read as input. */
  broken: number;
  /** Judgements served from the judge's cache. */
  cacheHits: number;
  /** Means over the judgements present; null when there are none. */
  mean: (JudgeScores & { overall: number; reward?: number }) | null;
  tokens: { prompt: number; completion: number; cachedPrompt: number };
  cost: number;
  /** The judge's own counters (`Judge.stats()`), e.g. calls, retries, budget_stops. */
  stats: Record<string, number>;
}

const DIMENSIONS = ['safety', 'reasoning', 'completeness', 'empathy'] as const;

/** Accumulates judgements one by one. */
export class SummaryBuilder {
  private count = 0;
  private judged = 0;
  private failures = 0;
  private broken = 0;
  private cacheHits = 0;
  private readonly sums = { safety: 0, reasoning: 0, completeness: 0, empathy: 0, overall: 0, reward: 0 };
  private rewards = 0;
  private readonly tokens = { prompt: 0, completion: 0, cachedPrompt: 0 };
  private cost = 0;

  constructor(private readonly judge: string) {}

  addJudgement(judgement: Judgement, reward?: number): void {
    this.count += 1;
    this.judged += 1;
    for (const d of DIMENSIONS) this.sums[d] += judgement.scores[d];
    this.sums.overall += judgement.overall;
    if (reward !== undefined) {
      this.sums.reward += reward;
      this.rewards += 1;
    }
    if (judgement.cached) this.cacheHits += 1;
    const usage = judgement.usage;
    if (usage) {
      this.tokens.prompt += usage.promptTokens;
      this.tokens.completion += usage.completionTokens;
      this.tokens.cachedPrompt += usage.cachedPromptTokens ?? 0;
      this.cost += usage.cost ?? 0;
    }
  }

  /** Lines so far without a judgement (missing or broken). */
  get missing(): number {
    return this.failures + this.broken;
  }

  addFailure(): void {
    this.count += 1;
    this.failures += 1;
  }

  addBroken(): void {
    this.count += 1;
    this.broken += 1;
  }

  build(stats: Record<string, number> = {}): JudgeSummary {
    const n = this.judged;
    const mean =
      n === 0
        ? null
        : {
            safety: round(this.sums.safety / n, 4),
            reasoning: round(this.sums.reasoning / n, 4),
            completeness: round(this.sums.completeness / n, 4),
            empathy: round(this.sums.empathy / n, 4),
            overall: round(this.sums.overall / n, 4),
            ...(this.rewards > 0 ? { reward: round(this.sums.reward / this.rewards, 4) } : {}),
          };
    return {
      judge: this.judge,
      count: this.count,
      judged: this.judged,
      failures: this.failures,
      broken: this.broken,
      cacheHits: this.cacheHits,
      mean,
      tokens: { ...this.tokens },
      cost: round(this.cost, 8),
      stats,
    };
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The human summary printed on stderr. */
export function formatSummary(s: JudgeSummary): string {
  const lines = [
    `judged ${s.count} line(s) with the ${s.judge} judge: ${s.judged} judgement(s) (${s.cacheHits} from cache), ` +
      `${s.failures} missing, ${s.broken} broken input line(s)`,
  ];
  if (s.mean) {
    const m = s.mean;
    lines.push(
      `  mean      safety ${m.safety.toFixed(2)}  reasoning ${m.reasoning.toFixed(2)}  completeness ${m.completeness.toFixed(2)}  ` +
        `empathy ${m.empathy.toFixed(2)}  overall ${m.overall.toFixed(3)}` +
        (m.reward !== undefined ? `  reward ${m.reward.toFixed(3)}` : ''),
    );
  }
  lines.push(
    `  tokens    prompt ${s.tokens.prompt} (cached ${s.tokens.cachedPrompt}), completion ${s.tokens.completion}`,
    `  cost      ${s.cost.toFixed(6)}`,
  );
  const extra = ['calls', 'retries', 'coalesced', 'budget_stops', 'invalid_replies']
    .filter((k) => (s.stats[k] ?? 0) > 0)
    .map((k) => `${k} ${s.stats[k]}`);
  if (extra.length > 0) lines.push(`  judge     ${extra.join(', ')}`);
  return lines.join('\n');
}
