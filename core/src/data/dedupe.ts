/**
 * Exact and near-duplicate detection. Both work on a normalised text (lower-cased, without whitespace,
 * punctuation and symbols), so records that differ only in spacing, case or punctuation are exact
 * duplicates. Near duplicates are found with MinHash over character shingles, using one-permutation
 * hashing with rotation densification (64 slots from one hash per shingle) and LSH banding (16 bands
 * of 4 slots) to find candidates; a candidate is a duplicate when the share of equal slots, an
 * estimate of the Jaccard similarity of the shingle sets, reaches the threshold. Memory is about
 * 256 bytes of signature plus 16 band entries per kept record.
 */

export const SIGNATURE_SLOTS = 64;
const BANDS = 16;
const ROWS = SIGNATURE_SLOTS / BANDS;
const SLOT_BITS = 26;
const VALUE_MASK = (1 << SLOT_BITS) - 1;
const EMPTY = 0xffffffff;

const NOT_KEY_TEXT = /[\s\p{P}\p{S}]+/gu;

/** The text both dedupe checks compare. */
export function dedupeText(text: string): string {
  return text.toLowerCase().replace(NOT_KEY_TEXT, '');
}

/** murmur3's 32-bit finaliser: spreads FNV's weak low bits over the whole word. */
function fmix32(input: number): number {
  let h = input;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fills `out` with the MinHash signature of `text`'s shingles. */
export function minhashSignature(text: string, shingleSize: number, out: Uint32Array): void {
  out.fill(EMPTY);
  const size = Math.min(shingleSize, text.length);
  for (let start = 0; start + size <= text.length && size > 0; start++) {
    let h = 0x811c9dc5;
    for (let j = start; j < start + size; j++) h = Math.imul(h ^ text.charCodeAt(j), 0x01000193);
    h = fmix32(h);
    const slot = h >>> SLOT_BITS;
    const value = h & VALUE_MASK;
    if (value < out[slot]) out[slot] = value;
  }
  // Densify: an empty slot borrows the next filled slot's value, offset by the distance.
  const filled: number[] = [];
  for (let slot = 0; slot < SIGNATURE_SLOTS; slot++) if (out[slot] !== EMPTY) filled.push(slot);
  if (filled.length === 0 || filled.length === SIGNATURE_SLOTS) return;
  const original = out.slice();
  for (let slot = 0; slot < SIGNATURE_SLOTS; slot++) {
    if (original[slot] !== EMPTY) continue;
    for (let distance = 1; distance < SIGNATURE_SLOTS; distance++) {
      const source = (slot + distance) % SIGNATURE_SLOTS;
      if (original[source] !== EMPTY) {
        out[slot] = (original[source] + distance * (VALUE_MASK + 1)) >>> 0;
        break;
      }
    }
  }
}

/** Share of equal slots between two signatures: an estimate of the Jaccard similarity. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let equal = 0;
  for (let i = 0; i < SIGNATURE_SLOTS; i++) if (a[i] === b[i]) equal += 1;
  return equal / SIGNATURE_SLOTS;
}

export interface DuplicateMatch {
  kind: 'exact' | 'near';
  /** Index (in order of acceptance) of the earlier record this one duplicates. */
  of: number;
  /** Estimated similarity (1 for exact). */
  similarity: number;
}

export interface DeduperOptions {
  near: boolean;
  threshold: number;
  shingleSize: number;
}

export class Deduper {
  private readonly exact = new Map<string, number>();
  private readonly bands: Map<number, number | number[]>[] = Array.from({ length: BANDS }, () => new Map());
  private signatures = new Uint32Array(SIGNATURE_SLOTS * 1024);
  private readonly current = new Uint32Array(SIGNATURE_SLOTS);
  private accepted = 0;

  constructor(private readonly options: DeduperOptions) {}

  /** Number of records accepted so far. */
  get size(): number {
    return this.accepted;
  }

  /**
   * Checks a record (by its exact key, e.g. a hash of its normalised text, and its normalised text).
   * A new record is remembered and gets the next index; a duplicate is reported and not remembered.
   */
  check(exactKey: string, normalized: string): DuplicateMatch | null {
    const earlier = this.exact.get(exactKey);
    if (earlier !== undefined) return { kind: 'exact', of: earlier, similarity: 1 };
    const index = this.accepted;
    if (this.options.near && normalized.length > 0) {
      minhashSignature(normalized, this.options.shingleSize, this.current);
      const match = this.nearMatch();
      if (match) return match;
      this.remember(index);
    }
    this.exact.set(exactKey, index);
    this.accepted += 1;
    return null;
  }

  private bandKey(signature: Uint32Array, offset: number, band: number): number {
    let h = Math.imul(band + 1, 0x9e3779b1);
    for (let row = 0; row < ROWS; row++) h = fmix32(h ^ signature[offset + band * ROWS + row]);
    return h & 0x3fffffff; // small integers keep the Map compact
  }

  private nearMatch(): DuplicateMatch | null {
    let best: DuplicateMatch | null = null;
    const seen = new Set<number>();
    for (let band = 0; band < BANDS; band++) {
      const bucket = this.bands[band].get(this.bandKey(this.current, 0, band));
      if (bucket === undefined) continue;
      for (const candidate of typeof bucket === 'number' ? [bucket] : bucket) {
        if (seen.has(candidate)) continue;
        seen.add(candidate);
        const stored = this.signatures.subarray(candidate * SIGNATURE_SLOTS, (candidate + 1) * SIGNATURE_SLOTS);
        const similarity = signatureSimilarity(this.current, stored);
        if (similarity >= this.options.threshold && (best === null || similarity > best.similarity)) {
          best = { kind: 'near', of: candidate, similarity };
        }
      }
    }
    return best;
  }

  private remember(index: number): void {
    if ((index + 1) * SIGNATURE_SLOTS > this.signatures.length) {
      const grown = new Uint32Array(this.signatures.length * 2);
      grown.set(this.signatures);
      this.signatures = grown;
    }
    this.signatures.set(this.current, index * SIGNATURE_SLOTS);
    for (let band = 0; band < BANDS; band++) {
      const key = this.bandKey(this.current, 0, band);
      const bucket = this.bands[band].get(key);
      if (bucket === undefined) this.bands[band].set(key, index);
      else if (typeof bucket === 'number') this.bands[band].set(key, [bucket, index]);
      else bucket.push(index);
    }
  }
}
