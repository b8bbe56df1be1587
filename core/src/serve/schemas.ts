/**
 * Request bodies of the reward routes, validated with zod. A bad body gets 400 with the path of
 * the first bad field (`items.3.completion`, `prompts`), never a stack trace. Every array is bounded.
 */
import { z } from 'zod';

/** Most entries of meta.risk_categories (the data pipeline assigns a handful). */
export const MAX_RISK_CATEGORIES = 64;

/**
 * An array of at most `max` entries. The length is checked before any entry is validated, so a
 * body with a million wrong entries costs one check and one issue, not a million.
 */
export function boundedArray<T extends z.ZodType>(item: T, max: number) {
  return z.array(z.unknown()).max(max).pipe(z.array(item));
}

/** Sample metadata as the reward components read it; unknown keys are kept. */
export const metaSchema = z.looseObject({
  risk_level: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  risk_categories: boundedArray(z.string(), MAX_RISK_CATEGORIES).optional(),
  specialty: z.string().optional(),
  lang: z.string().optional(),
  reference: z.string().optional(),
});

/** POST /get_reward (OpenRLHF). `prompts` and `labels`, when sent, line up with `query`. */
export function getRewardSchema(maxBatchSize: number) {
  return z
    .object({
      query: boundedArray(z.string(), maxBatchSize),
      prompts: boundedArray(z.string(), maxBatchSize).optional(),
      labels: boundedArray(z.unknown(), maxBatchSize).optional(),
    })
    .superRefine((body, ctx) => {
      for (const key of ['prompts', 'labels'] as const) {
        const list = body[key];
        if (list && list.length !== body.query.length) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `has ${list.length} entries but query has ${body.query.length}; they must line up`,
          });
        }
      }
    });
}

/** POST /v1/reward (medrl's own). */
export function rewardItemsSchema(maxBatchSize: number) {
  return z.object({
    items: boundedArray(
      z.object({
        id: z.string().min(1).optional(),
        prompt: z.string(),
        completion: z.string(),
        meta: metaSchema.optional(),
      }),
      maxBatchSize,
    ),
    /** Training step, passed on to components (e.g. for schedules). */
    step: z.number().int().min(0).optional(),
  });
}

export type GetRewardBody = z.output<ReturnType<typeof getRewardSchema>>;
export type RewardItemsBody = z.output<ReturnType<typeof rewardItemsSchema>>;

export interface FieldIssue {
  path: string;
  message: string;
}

/** `items.3.completion` from a zod issue path; the body itself is `(body)`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: issuePath(issue.path), message: issue.message }));
}
