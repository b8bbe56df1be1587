/**
 * Bearer-token check. Both sides are hashed before a constant-time comparison, so neither the
 * token's content nor its length leaks through timing. The token is never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** A checker for `Authorization` header values against one token. */
export function bearerChecker(token: string): (authorization: string | undefined) => boolean {
  if (token.length === 0) throw new Error('the bearer token is empty');
  const expected = digest(token);
  return (authorization) => {
    const match = BEARER.exec(authorization ?? '');
    // Hash even when the header is missing or malformed, so every refusal costs the same.
    const presented = digest(match?.[1] ?? '');
    return timingSafeEqual(presented, expected) && match !== null;
  };
}
