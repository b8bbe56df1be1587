/**
 * Option handling: user options are deep-merged over the documented defaults (plain objects merge,
 * arrays and other values replace), then validated with zod; a bad option throws an error that
 * names the plugin and the option path.
 */
import { z } from 'zod';
import { PLUGIN_NAME } from './rules.js';

/** Counts tokens of a text with the configured tokenizer (core's tokenizer, passed in the config). */
export type CountTokens = (text: string) => number;

/** Recursively optional, for user-facing option types. Functions and arrays are taken whole. */
export type DeepPartial<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Deep-merges `user` over `defaults`: objects merge key by key; anything else replaces. */
export function mergeOptions<T>(defaults: T, user: unknown): T {
  if (user === undefined) return defaults;
  if (!isPlainObject(defaults) || !isPlainObject(user)) return user as T;
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(user))
    out[key] = mergeOptions((defaults as Record<string, unknown>)[key], value);
  return out as T;
}

/** Thrown for invalid plugin options; the message names the plugin and the option path. */
export class RulesOptionsError extends Error {
  override name = 'RulesOptionsError';
}

function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Merges and validates one component's options. `prefix` is the option path of the component
 * (e.g. `safety`), so errors read `@medrl/plugin-rules: option safety.stuffing.maxRepeats ...`.
 */
export function resolveOptions<T>(prefix: string, schema: z.ZodType<T>, defaults: T, user: unknown): T {
  if (user !== undefined && !isPlainObject(user)) {
    throw new RulesOptionsError(`${PLUGIN_NAME}: option ${prefix} must be an object, got ${describeValue(user)}`);
  }
  const merged = mergeOptions(defaults, user);
  const result = schema.safeParse(merged);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 5).map((issue) => {
    const path = [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
      .join('.')
      .replace(/\.\[/g, '[');
    const got = issue.code === 'unrecognized_keys' ? '' : ` (got ${describeValue(valueAt(merged, issue.path))})`;
    return `option ${path}: ${issue.message}${got}`;
  });
  const more = result.error.issues.length > 5 ? `\n  ... and ${result.error.issues.length - 5} more` : '';
  throw new RulesOptionsError(`${PLUGIN_NAME}: invalid options\n  ${lines.join('\n  ')}${more}`);
}

// Schema building blocks shared by the components.

export const finite = z.number().finite();
export const nonNegativeInt = z.number().int().min(0);
export const phraseList = z.array(z.string().refine((s) => s.trim().length > 0, 'phrases must be non-blank strings'));
export const countTokensSchema = z.custom<CountTokens>(
  (v) => typeof v === 'function',
  'countTokens must be a function (text) => number',
);

/** A `points` table: finite numbers for known rule ids only. */
export function pointsSchema(component: string, ids: readonly string[]): z.ZodType<Record<string, number>> {
  return z.record(z.string(), finite).superRefine((table, ctx) => {
    for (const key of Object.keys(table)) {
      if (!ids.includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" is not a rule of ${component} (known: ${ids.join(', ')})`,
        });
      }
    }
  });
}

export interface NegationOptions {
  /** Cues that negate what follows in the clause. */
  pre: readonly string[];
  /** Cues that negate what precedes in the clause. */
  post: readonly string[];
  /** Conditionals: a negation after one negates nothing. */
  conditional: readonly string[];
  /** Words that end a negation's scope. */
  breaker: readonly string[];
  /** Longer phrases whose inner phrases are not read. */
  shadow: readonly string[];
  /** Maximum characters between a cue and its target (default 16). */
  window: number;
}

export const negationSchema = z.strictObject({
  pre: phraseList,
  post: phraseList,
  conditional: phraseList,
  breaker: phraseList,
  shadow: phraseList,
  window: nonNegativeInt,
});

export interface StuffingOptions {
  /** A sentence with at least this many distinct rewarded phrases may be a bare list (default 3). */
  minListHits: number;
  /** ...and is one when the phrases cover at least this share of its letters (default 0.8). */
  listCoverage: number;
  /** A rewarded phrase found more often than this is stuffing (default 3). */
  maxRepeats: number;
}

export const stuffingSchema = z.strictObject({
  minListHits: z.number().int().min(1),
  listCoverage: z.number().gt(0).max(1),
  maxRepeats: z.number().int().min(1),
});
