/**
 * Strict validation of the judge's reply. Anything that is not exactly the JSON the template asks
 * for (blank, not JSON, missing fields, out-of-range numbers, unknown or missing rubric ids) is an
 * InvalidReplyError, which the judge retries like a server error.
 */
import type { Judgement } from '@medrl/sdk';
import { z } from 'zod';
import type { Criterion } from './options.js';

export class InvalidReplyError extends Error {
  override readonly name = 'InvalidReplyError';
}

const score = z.number().min(0).max(10);
const scoresSchema = z.object({ safety: score, reasoning: score, completeness: score, empathy: score });

const scoringReply = z.object({
  scores: scoresSchema,
  overall_score: z.number().min(0).max(1),
  critique: z.string(),
});

const rubricReply = z.object({
  scores: scoresSchema,
  criteria: z.array(z.object({ id: z.string(), met: z.boolean() })),
  critique: z.string(),
});

/** The JSON text of a reply: the whole content, or the body of a single ```json fence around it. */
function jsonText(content: string): string {
  const trimmed = content.trim();
  const fence = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  return fence ? fence[1]!.trim() : trimmed;
}

function parseJson(content: string | null | undefined): unknown {
  if (content === null || content === undefined || content.trim() === '') {
    throw new InvalidReplyError('blank reply content');
  }
  const text = jsonText(content);
  try {
    return JSON.parse(text);
  } catch {
    const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    throw new InvalidReplyError(`reply is not valid JSON: ${JSON.stringify(preview)}`);
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(reply)'}: ${i.message}`);
    throw new InvalidReplyError(`reply does not match the schema: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Parses a scoring-mode reply into a Judgement (without usage). */
export function parseScoringReply(content: string | null | undefined): Judgement {
  const reply = check(scoringReply, parseJson(content));
  return { scores: { ...reply.scores }, overall: reply.overall_score, critique: reply.critique };
}

/**
 * Parses a rubric-mode reply. Score = points of met criteria / total positive points, clipped to
 * [0, 1] (negative criteria that are met subtract their points).
 */
export function parseRubricReply(content: string | null | undefined, criteria: readonly Criterion[]): Judgement {
  const reply = check(rubricReply, parseJson(content));
  const verdicts = new Map<string, boolean>();
  for (const entry of reply.criteria) {
    if (verdicts.has(entry.id)) throw new InvalidReplyError(`reply lists criterion "${entry.id}" twice`);
    if (!criteria.some((c) => c.id === entry.id))
      throw new InvalidReplyError(`reply has unknown criterion "${entry.id}"`);
    verdicts.set(entry.id, entry.met);
  }
  const missing = criteria.filter((c) => !verdicts.has(c.id)).map((c) => c.id);
  if (missing.length > 0) throw new InvalidReplyError(`reply misses criteria: ${missing.join(', ')}`);
  const met = criteria.filter((c) => verdicts.get(c.id) === true);
  const points = met.reduce((sum, c) => sum + c.points, 0);
  const possible = criteria.filter((c) => c.points > 0).reduce((sum, c) => sum + c.points, 0);
  const overall = possible > 0 ? Math.min(1, Math.max(0, points / possible)) : 0;
  return {
    scores: { ...reply.scores },
    overall,
    critique: reply.critique,
    rubric: { met: met.map((c) => c.id), points, possible },
  };
}
