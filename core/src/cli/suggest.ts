/** "Did you mean" for mistyped command and flag names. */
import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `typed` by edit distance, if close enough to be a likely typo
 * (at most max(2, a third of its length) edits: `trian` -> `train`, `ouput` -> `out`),
 * or the only candidate that `typed` begins (`gen` -> `generate`); otherwise undefined.
 */
export function closestMatch(typed: string, candidates: readonly string[]): string | undefined {
  let best: { id: string; d: number } | undefined;
  for (const id of candidates) {
    const d = distance(typed, id);
    if (!best || d < best.d) best = { id, d };
  }
  if (best && best.d <= Math.max(2, Math.ceil(typed.length / 3))) return best.id;
  const prefixed = candidates.filter((c) => typed.length >= 2 && c.startsWith(typed));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
