/**
 * Repetition measures for rules/length: the share of character n-grams seen earlier in the text
 * (degenerate loops push it towards 1) and the number of repeated sentences. Linear time; the
 * n-gram set is an open-addressing table of 32-bit rolling hashes, reused between calls.
 */

let table = new Int32Array(1024);

/** Share of the text's character n-grams that already occurred earlier in it, in [0, 1). */
export function repeatedNgramRatio(text: string, n: number): number {
  const total = text.length - n + 1;
  if (total <= 1 || n <= 0) return 0;
  let size = table.length;
  while (size < total * 2) size *= 2;
  if (size !== table.length) table = new Int32Array(size);
  else table.fill(0);
  const mask = size - 1;
  // Polynomial hash over a window of n code units: h = sum c_i * B^(n-1-i) (mod 2^32).
  const B = 0x01000193;
  let top = 1; // B^(n-1)
  for (let i = 1; i < n; i++) top = Math.imul(top, B);
  let hash = 0;
  for (let i = 0; i < n; i++) hash = (Math.imul(hash, B) + text.charCodeAt(i)) | 0;
  let repeated = 0;
  for (let i = 0; ; i++) {
    // 0 marks an empty slot; hashes are stored with the low bit set.
    const key = hash | 1;
    let slot = Math.imul(key, 0x9e3779b1) >>> 0;
    for (;;) {
      slot &= mask;
      const held = table[slot]!;
      if (held === 0) {
        table[slot] = key;
        break;
      }
      if (held === key) {
        repeated++;
        break;
      }
      slot++;
    }
    if (i + n >= text.length) break;
    hash = (Math.imul(hash - Math.imul(text.charCodeAt(i), top), B) + text.charCodeAt(i + n)) | 0;
  }
  if (table.length > 1 << 20) table = new Int32Array(1024); // do not pin megabytes after a huge input
  return repeated / total;
}

/** Sentence ends for repetition: 。！？!?;； newline, and '.' unless between digits. */
function isSentenceEnd(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c === 0x3002 || c === 0xff01 || c === 0xff1f || c === 33 || c === 63 || c === 10 || c === 59 || c === 0xff1b)
    return true;
  if (c !== 46) return false;
  const next = text.charCodeAt(i + 1);
  return !(next >= 48 && next <= 57);
}

/**
 * Number of sentences (at least `minLength` non-space characters) that repeat an earlier one.
 * Sentences are compared by a 32-bit hash of their non-space characters (no substrings built).
 */
export function repeatedSentences(text: string, minLength: number): number {
  let seen: Set<number> | null = null;
  let repeats = 0;
  let hash = 0;
  let length = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    if (i === n || isSentenceEnd(text, i)) {
      if (length >= minLength && length > 0) {
        const key = (hash ^ Math.imul(length, 0x9e3779b1)) | 0;
        seen ??= new Set();
        if (seen.has(key)) repeats++;
        else seen.add(key);
      }
      hash = 0;
      length = 0;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 0x3000) continue;
    hash = (Math.imul(hash, 0x01000193) + c) | 0;
    length++;
  }
  return repeats;
}
