/** A refusal with a status code; the server's error handler renders it as JSON. */
import type { FieldIssue } from './schemas.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: { issues?: FieldIssue[]; issuesOmitted?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

/** Most issues an error body lists; the rest are counted in `issuesOmitted`. */
export const MAX_ISSUES = 20;
/** Longest path or message in an error body, in characters. */
const MAX_FIELD_CHARS = 400;

function cap(text: string): string {
  return text.length > MAX_FIELD_CHARS ? `${text.slice(0, MAX_FIELD_CHARS)}… (${text.length} characters)` : text;
}

/** 400 invalid_body naming the first problem; at most MAX_ISSUES issues, each shortened. */
export function invalidBody(issues: readonly FieldIssue[]): HttpError {
  const shown = issues.slice(0, MAX_ISSUES).map((i) => ({ path: cap(i.path), message: cap(i.message) }));
  const first = shown[0]!;
  return new HttpError(400, 'invalid_body', `${first.path}: ${first.message}`, {
    issues: shown,
    ...(issues.length > shown.length ? { issuesOmitted: issues.length - shown.length } : {}),
  });
}
