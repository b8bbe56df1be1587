/**
 * Options of @medrl/plugin-judge-deepseek: one zod schema with every default, and the error that
 * names the plugin and the option a user got wrong. README.md lists the same defaults.
 */
import { z } from 'zod';

export const PLUGIN_NAME = '@medrl/plugin-judge-deepseek';
export const DEFAULT_BASE_URL = 'https://api.deepseek.com';
export const DEFAULT_CACHE_PATH = 'data/rl/teacher_judgements.jsonl';

/** One HealthBench-style criterion: positive points reward meeting it, negative points penalize it. */
export const criterionSchema = z.strictObject({
  /** Stable id, reported back in `Judgement.rubric.met`. */
  id: z.string().min(1),
  /** What the answer must (positive points) or must not (negative points) do. */
  description: z.string().min(1),
  /** Non-zero points, e.g. 5 or -8. */
  points: z.number().refine((p) => p !== 0 && Number.isFinite(p), 'points must be a finite non-zero number'),
});
export type Criterion = z.infer<typeof criterionSchema>;

const positive = z.number().positive();
const nonNegativeInt = z.number().int().nonnegative();

export const optionsSchema = z.strictObject({
  /** API key. Default: the DEEPSEEK_API_KEY environment variable. Never logged or written. */
  apiKey: z.string().min(1).optional(),
  /** API base URL. Default: DEEPSEEK_BASE_URL, else https://api.deepseek.com. */
  baseURL: z.url().optional(),
  /** Chat model; the default is DeepSeek's non-thinking chat model. */
  model: z.string().min(1).default('deepseek-chat'),
  /** Send `thinking: {type: "disabled"}` so that the judge answers directly (default true). */
  disableThinking: z.boolean().default(true),
  /** Sampling temperature (default 0: the same prompt gives the same verdict as far as the API allows). */
  temperature: z.number().min(0).max(2).default(0),
  /** Maximum completion tokens per reply. */
  maxTokens: z.number().int().positive().default(600),
  /** Judge template text with {{question}} and {{answer}} (and {{rubric}} in rubric mode). */
  template: z.string().min(1).optional(),
  /** A file holding the template, relative to the config file's directory. */
  templateFile: z.string().min(1).optional(),
  /** Version id of the template; part of the cache key. Default: built-in id, or a hash of a custom template. */
  templateVersion: z.string().min(1).optional(),
  /** Rubric mode: score = points of met criteria / total positive points (HealthBench style). */
  rubric: z
    .strictObject({
      /** Criteria used for every item; an item's `meta.rubric` (an array of criteria) replaces them. */
      criteria: z.array(criterionSchema).default([]),
    })
    .optional(),
  /** Retries after the first attempt, for 429, 5xx, timeouts, network errors and invalid replies. */
  retries: nonNegativeInt.default(5),
  /** First backoff delay; doubles each retry, with jitter. */
  retryBaseMs: positive.default(500),
  /** Ceiling of the exponential backoff. */
  retryMaxMs: positive.default(30_000),
  /** Ceiling applied to a server's Retry-After. */
  retryAfterMaxMs: positive.default(120_000),
  /** Per-request timeout. */
  timeoutMs: positive.default(60_000),
  /** Requests in flight at once. */
  concurrency: z.number().int().positive().default(16),
  /** Requests per minute; null = no limit (DeepSeek publishes none). */
  rpm: positive.nullable().default(null),
  /** Estimated tokens (prompt + maxTokens) per minute; null = no limit. */
  tpm: positive.nullable().default(null),
  /** Persistent JSONL cache, relative to the config file's directory; false disables it. */
  cache: z.union([z.string().min(1), z.literal(false)]).default(DEFAULT_CACHE_PATH),
  /**
   * Characters of the question and of the answer kept in each cache line, so that the file reads on its own
   * (pandas); longer texts are cut and marked. 0 keeps no text. Default 2000.
   */
  cacheTextChars: nonNegativeInt.default(2000),
  /** Prices per million tokens (default: DeepSeek's published deepseek-chat prices, in USD). */
  prices: z
    .strictObject({
      currency: z.string().min(1).default('USD'),
      /** Prompt tokens not served from the provider's prompt cache. */
      inputPerMillion: z.number().nonnegative().default(0.28),
      /** Prompt tokens served from the provider's prompt cache. */
      cachedInputPerMillion: z.number().nonnegative().default(0.028),
      outputPerMillion: z.number().nonnegative().default(0.42),
    })
    .prefault({}),
  /** Spending cap in `prices.currency`; when reached no new calls start. null = no cap. */
  budget: z.number().nonnegative().nullable().default(null),
});

export type DeepSeekJudgeOptions = z.input<typeof optionsSchema>;
export type ResolvedOptions = z.output<typeof optionsSchema>;

/** Validates options; throws one error naming the plugin and every bad option. */
export function parseOptions(raw: unknown): ResolvedOptions {
  const result = optionsSchema.safeParse(raw ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(options)';
      return `option "${path}": ${issue.message}`;
    });
    throw new Error(`${PLUGIN_NAME}: invalid options: ${problems.join('; ')}`);
  }
  const options = result.data;
  if (options.template !== undefined && options.templateFile !== undefined) {
    throw new Error(`${PLUGIN_NAME}: invalid options: give either option "template" or "templateFile", not both`);
  }
  if (options.retryMaxMs < options.retryBaseMs) {
    throw new Error(`${PLUGIN_NAME}: invalid options: option "retryMaxMs" must be >= "retryBaseMs"`);
  }
  return options;
}
