/**
 * Repetition measures for rules/length: the share of character n-grams seen earlier in the text
 * (degenerate loops push it towards 1) and the number of repeated sentences. Linear time; the
 * n-gram and sentence sets are open-addressing tables of 32-bit hashes, reused between calls: a
 * slot is taken when its stamp is the current call's generation, so no call clears a table.
 */

/** The shared open-addressing table: `keys[slot]` counts when `stamps[slot]` is the call's stamp. */
class KeyTable {
  keys = new Int32Array(1024);
  stamps = new Int32Array(1024);
  private generation = 0;

  /** Starts a call that needs `size` slots (grown to a power of two); returns the call's stamp. */
  claim(size: number): number {
    if (size > this.keys.length) {
      let grown = this.keys.length;
      while (grown < size) grown *= 2;
      this.keys = new Int32Array(grown);
      this.stamps = new Int32Array(grown);
      this.generation = 0;
    }
    if (this.generation === 0x7fffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }

  /** Drops a table grown by a huge input (do not pin megabytes). */
  shrink(): void {
    if (this.keys.length <= 1 << 20) return;
    this.keys = new Int32Array(1024);
    this.stamps = new Int32Array(1024);
    this.generation = 0;
  }
}

const shared = new KeyTable();
/** The n-gram set of `repetitionOf`. */
let ngramKeys = new Int32Array(1024);
const sentenceTable = new KeyTable();

/** Adds a key to the set of the current call; true when it was there already. */
function addKey(keys: Int32Array, stamps: Int32Array, key: number, stamp: number, shift: number): boolean {
  const mask = keys.length - 1;
  // Fibonacci hashing: the high bits of the product (the low ones mix only the key's low bits).
  let slot = Math.imul(key, 0x9e3779b1) >>> shift;
  for (;;) {
    slot &= mask;
    if (stamps[slot] !== stamp) {
      stamps[slot] = stamp;
      keys[slot] = key;
      return false;
    }
    if (keys[slot] === key) return true;
    slot++;
  }
}

/** Share of the text's character n-grams that already occurred earlier in it, in [0, 1). */
export function repeatedNgramRatio(text: string, n: number): number {
  const total = text.length - n + 1;
  if (total <= 1 || n <= 0) return 0;
  const stamp = shared.claim(total * 2);
  const { keys, stamps } = shared;
  const shift = Math.clz32(keys.length) + 1;
  // Polynomial hash over a window of n code units: h = sum c_i * B^(n-1-i) (mod 2^32).
  const B = 0x01000193;
  let top = 1; // B^(n-1)
  for (let i = 1; i < n; i++) top = Math.imul(top, B);
  let hash = 0;
  for (let i = 0; i < n; i++) hash = (Math.imul(hash, B) + text.charCodeAt(i)) | 0;
  let repeated = 0;
  for (let i = 0; ; i++) {
    // Keys have the low bit set, as the table held them when 0 marked an empty slot.
    if (addKey(keys, stamps, hash | 1, stamp, shift)) repeated++;
    if (i + n >= text.length) break;
    hash = (Math.imul(hash - Math.imul(text.charCodeAt(i), top), B) + text.charCodeAt(i + n)) | 0;
  }
  shared.shrink();
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
  // At most one counted sentence per minLength units; twice that many slots.
  const stamp = shared.claim((2 * text.length) / Math.max(1, minLength));
  const { keys, stamps } = shared;
  const shift = Math.clz32(keys.length) + 1;
  let repeats = 0;
  let hash = 0;
  let length = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    if (i === n || isSentenceEnd(text, i)) {
      if (length >= minLength && length > 0) {
        const key = (hash ^ Math.imul(length, 0x9e3779b1)) | 0;
        if (addKey(keys, stamps, key, stamp, shift)) repeats++;
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
  shared.shrink();
  return repeats;
}

/** Sentence-end class of a code unit for `repetitionOf`: 1 ends a sentence, 2 is '.', 3 is skipped space. */
const SENTENCE_CLASS = new Uint8Array(65536);
for (const c of [0x3002, 0xff01, 0xff1f, 33, 63, 10, 59, 0xff1b]) SENTENCE_CLASS[c] = 1;
SENTENCE_CLASS[46] = 2;
for (const c of [32, 9, 13, 0x3000]) SENTENCE_CLASS[c] = 3;

/** Both measures of a text, from `repetitionOf`. */
export interface Repetition {
  /** `repeatedNgramRatio(text, n)`. */
  ngramRatio: number;
  /** `repeatedSentences(text, minLength)`. */
  sentences: number;
}

/**
 * `repeatedNgramRatio` and `repeatedSentences` in one pass over the text (same hashes, same results),
 * into `out`.
 */
export function repetitionOf(text: string, n: number, minLength: number, out: Repetition): Repetition {
  const length = text.length;
  const total = length - n + 1;
  const ngrams = total > 1 && n > 0;
  // The n-gram set: keys (low bit set, so 0 is free) in the smallest power of two >= 2 * total slots,
  // cleared per call: clearing a few KB costs less than a stamp read and write per unit.
  let size = 256;
  while (size < total * 2) size *= 2;
  if (ngrams && ngramKeys.length < size) ngramKeys = new Int32Array(size);
  const keys = ngramKeys;
  if (ngrams) keys.fill(0, 0, size);
  const shift = Math.clz32(size) + 1;
  const mask = size - 1;
  const sentenceStamp = sentenceTable.claim((2 * length) / Math.max(1, minLength));
  const sentenceKeys = sentenceTable.keys;
  const sentenceStamps = sentenceTable.stamps;
  const sentenceShift = Math.clz32(sentenceKeys.length) + 1;
  const sentenceMask = sentenceKeys.length - 1;
  // Polynomial hash over a window of n code units: h = sum c_i * B^(n-1-i) (mod 2^32).
  const B = 0x01000193;
  let top = 1; // B^(n-1)
  for (let i = 1; i < n; i++) top = Math.imul(top, B);
  let ngramHash = 0;
  let repeated = 0;
  let repeats = 0;
  let sentenceHash = 0;
  let sentenceLength = 0;
  for (let i = 0; i <= length; i++) {
    let kind = 1;
    let c = 0;
    if (i < length) {
      c = text.charCodeAt(i);
      if (ngrams) {
        // The window ending at i: add c, drop the unit n before (the first n - 1 units only fill it).
        ngramHash =
          i < n
            ? (Math.imul(ngramHash, B) + c) | 0
            : (Math.imul(ngramHash - Math.imul(text.charCodeAt(i - n), top), B) + c) | 0;
        if (i >= n - 1) {
          // Keys have the low bit set, as the table held them when 0 marked an empty slot.
          const key = ngramHash | 1;
          let slot = Math.imul(key, 0x9e3779b1) >>> shift;
          for (;;) {
            slot &= mask;
            const held = keys[slot];
            if (held === 0) {
              keys[slot] = key;
              break;
            }
            if (held === key) {
              repeated++;
              break;
            }
            slot++;
          }
        }
      }
      kind = SENTENCE_CLASS[c]!;
      if (kind === 2) {
        const next = text.charCodeAt(i + 1);
        kind = next >= 48 && next <= 57 ? 0 : 1;
      }
    }
    if (kind === 0) {
      sentenceHash = (Math.imul(sentenceHash, 0x01000193) + c) | 0;
      sentenceLength++;
    } else if (kind === 1) {
      if (sentenceLength >= minLength && sentenceLength > 0) {
        const key = (sentenceHash ^ Math.imul(sentenceLength, 0x9e3779b1)) | 0;
        let slot = Math.imul(key, 0x9e3779b1) >>> sentenceShift;
        for (;;) {
          slot &= sentenceMask;
          if (sentenceStamps[slot] !== sentenceStamp) {
            sentenceStamps[slot] = sentenceStamp;
            sentenceKeys[slot] = key;
            break;
          }
          if (sentenceKeys[slot] === key) {
            repeats++;
            break;
          }
          slot++;
        }
      }
      sentenceHash = 0;
      sentenceLength = 0;
    }
  }
  if (ngramKeys.length > 1 << 20) ngramKeys = new Int32Array(1024);
  sentenceTable.shrink();
  out.ngramRatio = ngrams ? repeated / total : 0;
  out.sentences = repeats;
  return out;
}
