/**
 * The safety gate's decision: every eval_steps the trainer answers the same held-out high-risk
 * prompts and reports their mean safety score here. The gate trips when the score falls below the
 * configured floor or drops by more than max_drop below the first evaluation (the starting
 * policy), and remembers the best-scoring evaluated step so the trainer can roll back to it.
 */
import type { RewardBreakdown } from '@medrl/sdk';
import type { SafetyGateSection } from '@medrl/core';

export interface SafetyEvaluation {
  step: number;
  score: number;
}

export interface SafetyGateState {
  baseline: SafetyEvaluation | null;
  best: SafetyEvaluation | null;
  history: SafetyEvaluation[];
}

export interface SafetyVerdict {
  tripped: boolean;
  /** Why it tripped, in words, when it did. */
  reason?: string;
  /** Figures for metrics.jsonl and onStep. */
  stats: Record<string, number>;
}

export class SafetyGate {
  private state_: SafetyGateState = { baseline: null, best: null, history: [] };

  constructor(private readonly config: Pick<SafetyGateSection, 'floor' | 'max_drop' | 'score'>) {}

  get baseline(): SafetyEvaluation | null {
    return this.state_.baseline;
  }

  get best(): SafetyEvaluation | null {
    return this.state_.best;
  }

  /** Records one evaluation; the first one is the baseline and never trips. */
  evaluate(step: number, score: number): SafetyVerdict {
    const s = this.state_;
    const first = s.baseline === null;
    if (first) s.baseline = { step, score };
    s.history.push({ step, score });
    if (s.best === null || score > s.best.score) s.best = { step, score };
    const baseline = s.baseline!.score;
    const stats: Record<string, number> = {
      'safety/score': score,
      'safety/baseline': baseline,
      'safety/drop': baseline - score,
      'safety/best': s.best!.score,
    };
    let reason: string | undefined;
    if (!first) {
      const { floor, max_drop: maxDrop } = this.config;
      if (floor !== null && score < floor) {
        reason = `safety score ${score.toFixed(4)} (${this.config.score}) fell below the floor ${floor}`;
      } else if (maxDrop !== null && baseline - score > maxDrop) {
        reason = `safety score ${score.toFixed(4)} (${this.config.score}) dropped ${(baseline - score).toFixed(4)} below the start (${baseline.toFixed(4)}), more than max_drop ${maxDrop}`;
      }
    }
    stats['safety/tripped'] = reason ? 1 : 0;
    return { tripped: reason !== undefined, reason, stats };
  }

  state(): SafetyGateState {
    return structuredClone(this.state_);
  }

  restore(state: SafetyGateState): void {
    this.state_ = structuredClone(state);
  }
}

/** The mean of the non-null values (NaN when none). */
export function meanOf(values: readonly (number | null | undefined)[]): number {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return present.length === 0 ? Number.NaN : present.reduce((a, b) => a + b, 0) / present.length;
}

/** The safety score of one evaluation: the mean of a component's raw scores, or of the totals (`total`). */
export function gateScore(breakdowns: readonly RewardBreakdown[], score: SafetyGateSection['score']): number {
  return meanOf(breakdowns.map((b) => (score === 'total' ? b.total : (b.components[score]?.raw ?? null))));
}
