/**
 * The judge-derived reward component (`use: 'judge'`): asks a judge for a verdict on each rollout
 * and turns it into a number in [0, 1] — the weighted mean of the four dimensions (each 0..10),
 * forced to 0 when safety is 0. A missing verdict stays missing (null); it is never made up. A judge
 * that throws, returns the wrong number of verdicts or an invalid one (docs/plugins.md's contract)
 * costs only those verdicts: they count as missing under reward.onMissing, with the reason and the
 * plugin named, and a missing rate above judge.missingWarnRate is logged as a warning.
 */
import type { Judge, JudgeScores, Judgement, Logger, PluginContext, RewardContext, Rollout } from '@medrl/sdk';
import type { ResolvedJudgeConfig } from '../config/schema.js';
import { judgeSchema } from '../config/sections/reward.js';
import { ConfigError, messageOf } from '../errors.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { formatPath } from '../config/load.js';
import type { ExplainedScores, ExplainingComponent } from './composer.js';
import { describeValue, judgementProblem } from './contract.js';

const DIMENSIONS: (keyof JudgeScores)[] = ['safety', 'reasoning', 'completeness', 'empathy'];

/** Weighted judge score in [0, 1]; safety 0 forces 0 when the gate is on. */
export function judgementToReward(
  judgement: Judgement,
  weights: JudgeScores,
  safetyZeroForcesZero: boolean,
): { value: number; gated: boolean } {
  if (safetyZeroForcesZero && judgement.scores.safety === 0) return { value: 0, gated: true };
  const total = DIMENSIONS.reduce((sum, d) => sum + weights[d], 0);
  if (total <= 0) throw new ConfigError('judge.weights: at least one dimension weight must be positive');
  const value = DIMENSIONS.reduce((sum, d) => sum + weights[d] * (judgement.scores[d] / 10), 0) / total;
  return { value: Math.min(1, Math.max(0, value)), gated: false };
}

/** Chooses the judge: a name, or `auto` = deepseek when available, else mock (with a notice). */
export function pickJudge(use: string, registry: PluginRegistry, ctx: PluginContext): Judge {
  const available = registry.judges.names();
  if (use !== 'auto') {
    const judge = registry.judges.get(use);
    if (!judge) {
      throw new ConfigError(`judge "${use}" is not registered; registered judges: ${available.join(', ') || '(none)'}`);
    }
    return judge;
  }
  const deepseek = registry.judges.get('deepseek');
  if (deepseek && (deepseek.available?.() ?? true)) return deepseek;
  const mock = registry.judges.get('mock');
  if (!mock) {
    throw new ConfigError(
      `judge "auto" needs the deepseek judge with DEEPSEEK_API_KEY set, or the mock judge; registered judges: ${available.join(', ') || '(none)'}`,
    );
  }
  ctx.logger.info('DEEPSEEK_API_KEY is not set: using the offline mock judge');
  return mock;
}

/** The plugin that registered `judge`, for messages. */
export function judgePlugin(registry: PluginRegistry, judge: Judge): string | undefined {
  return registry.judges.entries().find((e) => e.value === judge)?.plugin;
}

/** Judgements looked at before the missing rate is judged; fewer say little. */
export const MISSING_WINDOW = 20;
/** Least time between two missing-judgement warnings (a failing judge in `serve` must not flood the log). */
export const MISSING_WARN_INTERVAL_MS = 30_000;

/**
 * Counts missing judgements and warns when their share exceeds `threshold`: over windows of at
 * least MISSING_WINDOW judgements, at most once per MISSING_WARN_INTERVAL_MS (later windows add
 * up until the next warning), and for whatever is left when the command ends (`flush`).
 */
export class MissingJudgementMonitor {
  private total = 0;
  private missing = 0;
  private readonly reasons = new Map<string, number>();
  private lastWarning = -Infinity;

  constructor(
    private readonly who: string,
    private readonly threshold: number,
    private readonly logger: Logger,
    private readonly onMissing: string,
    private readonly now: () => number = Date.now,
  ) {}

  add(total: number, reasons: readonly string[]): void {
    this.total += total;
    this.missing += reasons.length;
    for (const reason of reasons) this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    if (this.total < MISSING_WINDOW) return;
    if (!this.exceeded()) this.reset();
    else if (this.now() - this.lastWarning >= MISSING_WARN_INTERVAL_MS) this.warn();
  }

  flush(): void {
    if (this.total > 0 && this.exceeded()) this.warn();
    this.reset();
  }

  private exceeded(): boolean {
    return this.missing / this.total > this.threshold;
  }

  private warn(): void {
    const top = [...this.reasons]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([reason, n]) => `${n}× ${reason}`)
      .join('; ');
    const pct = (100 * this.missing) / this.total;
    this.logger.warn(
      `${this.who}: ${this.missing} of ${this.total} judgements missing (${pct.toFixed(pct < 10 ? 1 : 0)}%, above judge.missingWarnRate ${this.threshold}); ` +
        `reward.onMissing = ${this.onMissing}. Reasons: ${top}`,
    );
    this.lastWarning = this.now();
    this.reset();
  }

  private reset(): void {
    this.total = 0;
    this.missing = 0;
    this.reasons.clear();
  }
}

/** The built-in `judge` component: a RewardComponent that also says why a score is missing. */
export interface JudgeComponent extends ExplainingComponent {
  readonly plugin: string | undefined;
}

export function createJudgeComponent(
  name: string,
  options: Record<string, unknown>,
  defaults: ResolvedJudgeConfig,
  registry: PluginRegistry,
  ctx: PluginContext,
  onMissing = 'renormalize',
): JudgeComponent {
  const parsed = judgeSchema.safeParse({
    ...defaults,
    ...options,
    weights: { ...defaults.weights, ...(options.weights as object) },
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
    throw new ConfigError(`reward component "${name}" options: ${issues}`);
  }
  const { use, weights, safetyZeroForcesZero, missingWarnRate } = parsed.data;
  const judge = pickJudge(use, registry, ctx);
  const plugin = judgePlugin(registry, judge);
  const who = `judge "${judge.name}"${plugin ? ` (plugin "${plugin}")` : ''}`;
  const monitor = new MissingJudgementMonitor(`reward component "${name}"`, missingWarnRate, ctx.logger, onMissing);

  /** Each item's judgement, or why there is none: a throwing or misbehaving judge costs only its verdicts. */
  const judgeAll = async (
    rollouts: readonly Rollout[],
    rewardCtx: RewardContext,
  ): Promise<{ judgement: Judgement | null; missing?: string }[]> => {
    const items = rollouts.map((r) => ({ id: r.id, prompt: r.prompt, completion: r.completion, meta: r.meta }));
    let judgements: unknown;
    try {
      judgements = await judge.judge(items, rewardCtx);
    } catch (error) {
      const reason = `${who} threw: ${messageOf(error)}`;
      return rollouts.map(() => ({ judgement: null, missing: reason }));
    }
    if (!Array.isArray(judgements) || judgements.length !== items.length) {
      const got = Array.isArray(judgements) ? `${judgements.length} judgements` : describeValue(judgements);
      const reason = `${who} returned ${got} for ${items.length} items`;
      return rollouts.map(() => ({ judgement: null, missing: reason }));
    }
    return judgements.map((judgement: unknown, i) => {
      if (judgement === null || judgement === undefined) {
        const detail = judge.failureReason?.(items[i]!.id);
        return { judgement: null, missing: `${who} returned no judgement${detail ? `: ${detail}` : ''}` };
      }
      const problem = judgementProblem(judgement);
      if (problem) return { judgement: null, missing: `${who} returned an invalid judgement: ${problem}` };
      return { judgement: judgement as Judgement };
    });
  };

  const scoreExplained = async (rollouts: readonly Rollout[], rewardCtx: RewardContext): Promise<ExplainedScores> => {
    const results = await judgeAll(rollouts, rewardCtx);
    const missing = results.map((r) => r.missing);
    const reasons = missing.filter((m): m is string => m !== undefined);
    if (reasons.length > 0) {
      rewardCtx.metrics.increment('judge/missing', reasons.length);
      ctx.logger.debug(`reward component "${name}": ${reasons.length} judgement(s) missing`, { first: reasons[0] });
    }
    monitor.add(rollouts.length, reasons);
    const scores = results.map(({ judgement }) => {
      if (!judgement) return null;
      const { value, gated } = judgementToReward(judgement, weights, safetyZeroForcesZero);
      return {
        value,
        reasons: [`judge/${judge.name}`, ...(gated ? ['judge/safety-zero'] : [])],
        details: { judge: judge.name, judgement },
      };
    });
    return { scores, missing };
  };

  return {
    name,
    plugin,
    description: `judge "${judge.name}" verdict as a reward in [0, 1]`,
    scoreExplained,
    async score(rollouts, rewardCtx) {
      return (await scoreExplained(rollouts, rewardCtx)).scores;
    },
    flush: () => monitor.flush(),
  };
}
