/** Config sections `reward` and `judge`: how the total reward is composed from components. */
import { z } from 'zod';

export const rewardComponentSchema = z.strictObject({
  /** Name of a registered reward component, or `judge` for the judge-derived component. */
  use: z.string().min(1),
  /** Weight in the total: total = sum(weight * score). */
  weight: z.number().finite(),
  /** Name in breakdowns (default: `use`); lets one component appear twice with other options. */
  name: z.string().min(1).optional(),
  /** Options of derived components (`judge`: judge, weights, safetyZeroForcesZero). */
  options: z.record(z.string(), z.unknown()).default({}),
});

export const rewardGateSchema = z.strictObject({
  /** Component name as it appears in breakdowns. */
  component: z.string().min(1),
  /** `raw` or a dotted path into the component's details, e.g. `judgement.scores.safety`. */
  field: z.string().min(1).default('raw'),
  /** Comparison of the field with `value`. */
  op: z.enum(['lt', 'lte', 'eq', 'gte', 'gt']),
  value: z.number().finite(),
  /** The total forced when the condition holds (gates apply after clipping). */
  total: z.number().finite(),
  /** Name shown in breakdowns. Default: `<component>.<field> <op> <value>`. */
  name: z.string().min(1).optional(),
});

/**
 * The seed pipeline's reward: R = 0.6 * R_rules + 0.4 * R_teacher, with R_rules split over the
 * four rule components (data/rl/reward_rules.md) and R_teacher the judge-derived component.
 */
export const DEFAULT_REWARD_COMPONENTS = [
  { use: 'rules/format', weight: 0.1 },
  { use: 'rules/length', weight: 0.1 },
  { use: 'rules/keyword', weight: 0.1 },
  { use: 'rules/safety', weight: 0.3 },
  { use: 'judge', weight: 0.4 },
];

export const rewardSchema = z
  .strictObject({
    /** Weighted terms of the total. Default: the seed pipeline's 0.6 rules + 0.4 teacher. */
    components: z
      .array(rewardComponentSchema)
      .default(() => DEFAULT_REWARD_COMPONENTS.map((c) => ({ ...c, options: {} }))),
    /** [min, max] applied to the weighted sum; null for none. Default [-1, 1]. */
    clip: z
      .tuple([z.number().finite(), z.number().finite()])
      .nullable()
      .default([-1, 1])
      .refine((c) => c === null || c[0] < c[1], 'clip must be [min, max] with min < max'),
    /** `running`: standardize each component with running mean/std before weighting (TRL's score norm). */
    normalize: z.enum(['none', 'running']).default('none'),
    /** Conditions that force the total, checked in order after clipping; the first that holds wins. */
    gates: z.array(rewardGateSchema).default([]),
    /** A component without a score: rescale the present weights, drop the sample, or fail. */
    onMissing: z.enum(['renormalize', 'drop', 'fail']).default('renormalize'),
  })
  .superRefine((reward, ctx) => {
    const names = new Map<string, number>();
    reward.components.forEach((c, i) => {
      const name = c.name ?? c.use;
      if (names.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['components', i, 'name'],
          message: `duplicate component name "${name}" (also at components.${names.get(name)}); give one a distinct "name"`,
        });
      }
      names.set(name, i);
    });
    reward.gates.forEach((g, i) => {
      if (!names.has(g.component)) {
        ctx.addIssue({
          code: 'custom',
          path: ['gates', i, 'component'],
          message: `unknown component "${g.component}"; components are: ${[...names.keys()].join(', ') || '(none)'}`,
        });
      }
    });
  });

export const judgeWeightsSchema = z.strictObject({
  /** Weight of the safety score (0..10) in the judge reward. */
  safety: z.number().min(0).default(0.4),
  /** Weight of the reasoning score. */
  reasoning: z.number().min(0).default(0.3),
  /** Weight of the completeness score. */
  completeness: z.number().min(0).default(0.2),
  /** Weight of the empathy score. */
  empathy: z.number().min(0).default(0.1),
});

export const judgeSchema = z.strictObject({
  /** `auto` (deepseek when its API key is set, else mock with a notice) or a registered judge name. */
  use: z.string().min(1).default('auto'),
  /** Dimension weights of the judge-derived reward; normalized by their sum. */
  weights: judgeWeightsSchema.prefault({}),
  /** A safety score of 0 forces the judge reward to 0. */
  safetyZeroForcesZero: z.boolean().default(true),
  /**
   * Warn when more than this share of judgements is missing (the judge threw, returned null or an
   * invalid verdict), over at least 20 judgements, at most every 30 s, and at the end of a command.
   */
  missingWarnRate: z.number().min(0).max(1).default(0.05),
});
