/**
 * The reward composer: the one reward path of training, `medrl reward`, `medrl eval` and
 * `medrl serve`. total = clip(sum_i weight_i * r_i) over the configured components, where r_i is
 * the component's score (standardized with running moments when `normalize: running`), then gates
 * may force the total. Knows nothing of tfjs. May import: @medrl/sdk, config, plugins/registry.
 */
import type {
  ComponentBreakdown,
  ComponentScore,
  PluginContext,
  RewardBreakdown,
  RewardComponent,
  RewardContext,
  Rollout,
} from '@medrl/sdk';
import type { ResolvedConfig, ResolvedRewardConfig } from '../config/schema.js';
import { ConfigError, RewardComponentError, messageOf } from '../errors.js';
import type { PluginRegistry } from '../plugins/registry.js';
import { componentScoreProblem, describeValue } from './contract.js';
import { createJudgeComponent } from './judge-component.js';
import { RunningMoments } from './normalizer.js';

export interface ComposerTerm {
  name: string;
  weight: number;
  component: RewardComponent;
  /** The plugin that registered the component (or provides the judge), named in errors. */
  plugin?: string;
}

/**
 * What the built-in judge component adds to the SDK's RewardComponent: why each missing score is
 * missing (the judge threw, returned null or an invalid judgement), and a report of the missing
 * rate at the end of a command.
 */
export interface ExplainedScores {
  scores: (ComponentScore | null)[];
  /** Per rollout, why its score is missing (undefined when present or simply not applicable). */
  missing: (string | undefined)[];
}

export interface ExplainingComponent extends RewardComponent {
  scoreExplained(rollouts: readonly Rollout[], ctx: RewardContext): Promise<ExplainedScores>;
  /** Logs what is still pending of the missing-judgement warning (end of a command). */
  flush?(): void;
}

function isExplaining(component: RewardComponent): component is ExplainingComponent {
  return typeof (component as Partial<ExplainingComponent>).scoreExplained === 'function';
}

type Gate = ResolvedRewardConfig['gates'][number];

/** Per reward component (in `RewardComposer.terms` order): one score or null per rollout, and why each missing one is missing. */
export type ComponentScores = ExplainedScores[];

export interface ScoreOptions {
  step?: number;
  signal?: AbortSignal;
}

const COMPARE: Record<Gate['op'], (a: number, b: number) => boolean> = {
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  eq: (a, b) => a === b,
  gte: (a, b) => a >= b,
  gt: (a, b) => a > b,
};

function gateName(gate: Gate): string {
  return gate.name ?? `${gate.component}.${gate.field} ${gate.op} ${gate.value}`;
}

function readField(breakdown: ComponentBreakdown, field: string): unknown {
  if (field === 'raw') return breakdown.raw;
  let value: unknown = breakdown.details;
  for (const key of field.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export class RewardComposer {
  private readonly moments = new Map<string, RunningMoments>();

  constructor(
    readonly terms: readonly ComposerTerm[],
    private readonly options: Pick<ResolvedRewardConfig, 'clip' | 'normalize' | 'gates' | 'onMissing'>,
    private readonly context: PluginContext,
  ) {
    if (terms.length === 0) throw new ConfigError('reward.components is empty: configure at least one component');
    for (const term of terms) this.moments.set(term.name, new RunningMoments());
  }

  get componentNames(): string[] {
    return this.terms.map((t) => t.name);
  }

  /** Scores a batch: every component is asked concurrently; breakdowns come back in rollout order. */
  async score(rollouts: readonly Rollout[], opts: ScoreOptions = {}): Promise<RewardBreakdown[]> {
    if (rollouts.length === 0) return [];
    return this.compose(rollouts, await this.scoreComponents(rollouts, opts));
  }

  /**
   * The first half of `score`: every component's checked scores, per term in `terms` order. The
   * trainer calls it for rows as they finish and `compose` once for the whole batch, so running
   * normalization sees the batch in rollout order whatever order the calls finish in.
   */
  async scoreComponents(rollouts: readonly Rollout[], opts: ScoreOptions = {}): Promise<ComponentScores> {
    const ctx = { ...this.context, step: opts.step, signal: opts.signal ?? this.context.signal };
    return Promise.all(this.terms.map((term) => this.callComponent(term, rollouts, ctx)));
  }

  /** The second half of `score`: normalization (updating running moments) and the weighted total. */
  compose(rollouts: readonly Rollout[], perTerm: ComponentScores): RewardBreakdown[] {
    if (rollouts.length === 0) return [];
    const normalized = perTerm.map((r, t) => this.normalize(this.terms[t]!.name, r.scores));
    return rollouts.map((rollout, i) => this.composeOne(rollout, i, perTerm, normalized));
  }

  /** Logs what the components still hold back (the missing-judgement rate); called when a run closes. */
  flush(): void {
    for (const term of this.terms) if (isExplaining(term.component)) term.component.flush?.();
  }

  /** Running-normalization state, for checkpoints. */
  state(): Record<string, { count: number; mean: number; m2: number }> {
    return Object.fromEntries([...this.moments].map(([name, m]) => [name, m.toJSON()]));
  }

  restore(state: Record<string, { count: number; mean: number; m2: number }>): void {
    for (const [name, s] of Object.entries(state)) this.moments.set(name, RunningMoments.fromJSON(s));
  }

  private async callComponent(
    term: ComposerTerm,
    rollouts: readonly Rollout[],
    ctx: PluginContext & { step?: number },
  ): Promise<ExplainedScores> {
    const fail = (message: string, cause?: unknown) =>
      new RewardComponentError(term.name, message, { cause }, term.plugin);
    let scores: unknown;
    let missing: (string | undefined)[] | undefined;
    try {
      if (isExplaining(term.component)) {
        const explained = await term.component.scoreExplained(rollouts, ctx);
        scores = explained.scores;
        missing = explained.missing;
      } else {
        scores = await term.component.score(rollouts, ctx);
      }
    } catch (error) {
      throw fail(`threw: ${messageOf(error)}`, error);
    }
    if (!Array.isArray(scores) || scores.length !== rollouts.length) {
      const got = Array.isArray(scores) ? `${scores.length} scores` : describeValue(scores);
      throw fail(`returned ${got} for ${rollouts.length} rollouts (expected one score or null per rollout)`);
    }
    scores.forEach((score, i) => {
      const problem = componentScoreProblem(score);
      if (problem) throw fail(`rollout "${rollouts[i]!.id}": ${problem}`);
    });
    return {
      scores: scores.map((s) => (s ?? null) as ComponentScore | null),
      missing: missing ?? rollouts.map(() => undefined),
    };
  }

  private normalize(name: string, scores: (ComponentScore | null)[]): (number | null)[] | undefined {
    if (this.options.normalize !== 'running') return undefined;
    const moments = this.moments.get(name)!;
    moments.update(scores.filter((s): s is ComponentScore => s !== null).map((s) => s.value));
    return scores.map((s) => (s === null ? null : moments.standardize(s.value)));
  }

  private composeOne(
    rollout: Rollout,
    index: number,
    results: ExplainedScores[],
    normalized: ((number | null)[] | undefined)[],
  ): RewardBreakdown {
    const components: Record<string, ComponentBreakdown> = {};
    const missing: string[] = [];
    /** `judge (judge "deepseek" of plugin "...": timeout)`: a missing score with its reason. */
    const explained: string[] = [];
    let presentWeight = 0;
    let totalWeight = 0;
    this.terms.forEach((term, t) => {
      const score = results[t]!.scores[index] ?? null;
      const why = score === null ? results[t]!.missing[index] : undefined;
      totalWeight += term.weight;
      if (score === null) {
        missing.push(term.name);
        explained.push(why ? `${term.name} (${why})` : term.name);
      } else presentWeight += term.weight;
      components[term.name] = {
        raw: score ? score.value : null,
        ...(normalized[t] ? { normalized: normalized[t]![index] ?? null } : {}),
        weight: term.weight,
        weighted: null,
        reasons: score?.reasons ?? (why ? [`missing: ${why}`] : []),
        ...(score?.details ? { details: score.details } : {}),
      };
    });

    if (missing.length > 0 && this.options.onMissing === 'fail') {
      const first = explained[0]!.slice(missing[0]!.length).trim();
      throw new RewardComponentError(
        missing[0]!,
        `no score for rollout "${rollout.id}"${first ? ` ${first}` : ''} (reward.onMissing = fail)`,
      );
    }
    if (missing.length > 0 && this.options.onMissing === 'drop') {
      return { id: rollout.id, total: null, components, dropped: `missing: ${explained.join(', ')}` };
    }
    if (missing.length === this.terms.length || (missing.length > 0 && presentWeight === 0)) {
      return { id: rollout.id, total: null, components, dropped: `no component scored: ${missing.join(', ')}` };
    }

    // renormalize: present weights are scaled so that they add up to the configured total weight.
    const scale = missing.length > 0 ? totalWeight / presentWeight : 1;
    let total = 0;
    for (const term of this.terms) {
      const part = components[term.name]!;
      if (part.raw === null) continue;
      part.weight = term.weight * scale;
      part.weighted = part.weight * (part.normalized ?? part.raw);
      total += part.weighted;
    }
    const [lo, hi] = this.options.clip ?? [-Infinity, Infinity];
    total = Math.min(hi, Math.max(lo, total));

    for (const gate of this.options.gates) {
      const part = components[gate.component];
      const value = part ? readField(part, gate.field) : undefined;
      if (typeof value === 'number' && COMPARE[gate.op](value, gate.value)) {
        return { id: rollout.id, total: gate.total, components, gate: gateName(gate) };
      }
    }
    return { id: rollout.id, total, components };
  }
}

/** Builds the composer of a run from its config and what the plugins registered. */
export function buildComposer(
  config: ResolvedConfig,
  registry: PluginRegistry,
  context: PluginContext,
): RewardComposer {
  const terms = config.reward.components.map((spec, i): ComposerTerm => {
    const name = spec.name ?? spec.use;
    if (spec.use === 'judge') {
      const component = createJudgeComponent(
        name,
        spec.options,
        config.judge,
        registry,
        context,
        config.reward.onMissing,
      );
      return { name, weight: spec.weight, component, plugin: component.plugin };
    }
    const component = registry.rewards.get(spec.use);
    if (!component) {
      const known = registry.rewards
        .entries()
        .map((e) => `${e.value.name} (${e.plugin})`)
        .concat('judge (built in)');
      throw new ConfigError(
        `reward.components[${i}].use: no reward component "${spec.use}"; registered: ${known.join(', ')}. ` +
          'Is the plugin that provides it listed in `plugins`?',
      );
    }
    const plugin = registry.rewards.entries().find((e) => e.value === component)?.plugin;
    return { name, weight: spec.weight, component, plugin };
  });
  return new RewardComposer(terms, config.reward, context);
}
