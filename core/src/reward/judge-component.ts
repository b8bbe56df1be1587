/**
 * The judge-derived reward component (`use: 'judge'`): asks a judge for a verdict on each rollout
 * and turns it into a number in [0, 1] — the weighted mean of the four dimensions (each 0..10),
 * forced to 0 when safety is 0. A missing verdict stays missing (null); it is never made up.
 */
import type { Judge, JudgeScores, Judgement, PluginContext, RewardComponent } from '@medrl/sdk';
import type { ResolvedJudgeConfig } from '../config/schema.js';
import { judgeSchema } from '../config/sections/reward.js';
import { ConfigError } from '../errors.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { formatPath } from '../config/load.js';

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

export function createJudgeComponent(
  name: string,
  options: Record<string, unknown>,
  defaults: ResolvedJudgeConfig,
  registry: PluginRegistry,
  ctx: PluginContext,
): RewardComponent {
  const parsed = judgeSchema.safeParse({
    ...defaults,
    ...options,
    weights: { ...defaults.weights, ...(options.weights as object) },
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
    throw new ConfigError(`reward component "${name}" options: ${issues}`);
  }
  const { use, weights, safetyZeroForcesZero } = parsed.data;
  const judge = pickJudge(use, registry, ctx);
  return {
    name,
    description: `judge "${judge.name}" verdict as a reward in [0, 1]`,
    async score(rollouts, rewardCtx) {
      const items = rollouts.map((r) => ({ id: r.id, prompt: r.prompt, completion: r.completion, meta: r.meta }));
      const judgements = await judge.judge(items, rewardCtx);
      return judgements.map((judgement) => {
        if (!judgement) {
          rewardCtx.metrics.increment('judge/missing');
          return null;
        }
        const { value, gated } = judgementToReward(judgement, weights, safetyZeroForcesZero);
        return {
          value,
          reasons: [`judge/${judge.name}`, ...(gated ? ['judge/safety-zero'] : [])],
          details: { judge: judge.name, judgement },
        };
      });
    },
  };
}
