/**
 * Exact and near-duplicate detection. Both work on a normalised text (lower-cased, without whitespace,
 * punctuation and symbols), so records that differ only in spacing, case or punctuation are exact
 * duplicates. Near duplicates are found with MinHash over character shingles, using one-permutation
 * hashing with rotation densification (64 slots from one hash per shingle) and LSH banding (16 bands
 * of 4 slots) to find candidates; a candidate is a duplicate when the share of equal slots, an
 * estimate of the Jaccard similarity of the shingle sets, reaches the threshold. Memory is about
 * 128 bytes of signature, 17 index entries (about 20 bytes each) and the exact key per kept record.
 */
import { GrowableArray } from './growable.js';
import { IntMultiMap } from './int-multimap.js';

export const SIGNATURE_SLOTS = 64;
const BANDS = 16;
const ROWS = SIGNATURE_SLOTS / BANDS;
const SLOT_BITS = 26;
const VALUE_MASK = (1 << SLOT_BITS) - 1;
const EMPTY = 0xffffffff;
const SHINGLE_MULTIPLIERS = [0x9e3779b1, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f, 0x165667b1, 0xd3a2646c | 1, 0xfd7046c5, 0xb55a4f09];
/**
 * A band bucket stops growing at this many records. Buckets this full come from boilerplate that many
 * records share; a true near duplicate is still found through its other bands, and the cap keeps one
 * hot bucket from making every lookup slow.
 */
const MAX_BUCKET = 64;

const NOT_KEY_TEXT = /[\s\p{P}\p{S}]/u;
/** Per UTF-16 unit: 0 = dropped (whitespace, punctuation, symbol), otherwise its lower-case unit. */
let keyUnitTable: Uint16Array | undefined;

function keyUnits(): Uint16Array {
  if (keyUnitTable) return keyUnitTable;
  const table = new Uint16Array(0x10000);
  for (let code = 0; code < 0x10000; code++) {
    const char = String.fromCharCode(code);
    if (NOT_KEY_TEXT.test(char)) continue;
    const lower = char.toLowerCase();
    table[code] = lower.length === 1 ? lower.charCodeAt(0) : code;
  }
  return (keyUnitTable = table);
}

/** The text both dedupe checks compare. */
export function dedupeText(text: string): string {
  const table = keyUnits();
  let out = '';
  let start = -1;
  // Runs of units that stay unchanged are copied with one slice.
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0;
    const mapped = i < text.length ? table[code] : 0;
    if (mapped === code && mapped !== 0) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      out += text.slice(start, i);
      start = -1;
    }
    if (mapped !== 0) out += String.fromCharCode(mapped);
  }
  return out;
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
    // Each unit of the shingle gets its own odd multiplier; one finaliser spreads the sum.
    let h = size;
    for (let j = 0; j < size; j++) h = (h + Math.imul(text.charCodeAt(start + j), SHINGLE_MULTIPLIERS[j])) | 0;
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
  /** Exact keys (64-bit, as two halves) by a 30-bit hash; a hit is confirmed against both halves. */
  private readonly exact = new IntMultiMap();
  private readonly keyHigh = new GrowableArray((n) => new Uint32Array(n));
  private readonly keyLow = new GrowableArray((n) => new Uint32Array(n));
  /** Band keys of all bands in one multimap (the band number is mixed into the key). */
  private readonly bands = new IntMultiMap();
  /** Signatures of accepted records, hashed down to 16 bits a slot (chance equality 1 in 65,536). */
  private signatures = new Uint16Array(SIGNATURE_SLOTS * 1024);
  private readonly current = new Uint32Array(SIGNATURE_SLOTS);
  private readonly current16 = new Uint16Array(SIGNATURE_SLOTS);
  private readonly bandKeys = new Int32Array(BANDS);
  private checkedFor = new Int32Array(1024);
  private accepted = 0;

  constructor(private readonly options: DeduperOptions) {}

  /** Number of records accepted so far. */
  get size(): number {
    return this.accepted;
  }

  /**
   * Checks a record by its exact key (64 bits, e.g. of a hash of its normalised text, as two unsigned
   * 32-bit halves) and its normalised text. A new record is remembered and gets the next index; a
   * duplicate is reported and not remembered.
   */
  check(keyHigh: number, keyLow: number, normalized: string): DuplicateMatch | null {
    const exactHash = fmix32(keyHigh ^ Math.imul(keyLow, 0x9e3779b1)) & 0x3fffffff;
    let earlier = -1;
    for (let entry = this.exact.firstEntry(exactHash); entry !== -1; entry = this.exact.nextEntry(entry)) {
      const index = this.exact.valueAt(entry);
      if (this.exact.keyAt(entry) === exactHash && this.keyHigh.get(index) === keyHigh && this.keyLow.get(index) === keyLow) {
        earlier = index;
        break;
      }
    }
    if (earlier >= 0) return { kind: 'exact', of: earlier, similarity: 1 };
    const index = this.accepted;
    if (this.options.near && normalized.length > 0) {
      minhashSignature(normalized, this.options.shingleSize, this.current);
      // Fold the 32-bit slot value (distance bits of densified slots included) into 16 bits.
      for (let slot = 0; slot < SIGNATURE_SLOTS; slot++) {
        const value = this.current[slot];
        this.current16[slot] = (value ^ (value >>> 16)) & 0xffff;
      }
      for (let band = 0; band < BANDS; band++) this.bandKeys[band] = bandKey(this.current, band);
      const match = this.nearMatch();
      if (match) return match;
      this.remember(index);
    }
    this.exact.add(exactHash, index);
    this.keyHigh.push(keyHigh);
    this.keyLow.push(keyLow);
    this.accepted += 1;
    return null;
  }

  /** The exact key of an accepted record as 16 hex digits. */
  keyHex(index: number): string {
    return hex8(this.keyHigh.get(index)) + hex8(this.keyLow.get(index));
  }

  /** Orders accepted records by their exact keys (the order of `keyHex`). */
  compareKeys(a: number, b: number): number {
    return this.keyHigh.get(a) - this.keyHigh.get(b) || this.keyLow.get(a) - this.keyLow.get(b);
  }

  private nearMatch(): DuplicateMatch | null {
    let best: DuplicateMatch | null = null;
    // A candidate found in several bands is compared once: `checkedFor` remembers the last query.
    const query = this.accepted + 1;
    const maxMismatches = Math.floor((1 - this.options.threshold) * SIGNATURE_SLOTS + 1e-9);
    const bands = this.bands;
    for (let band = 0; band < BANDS; band++) {
      const key = this.bandKeys[band];
      for (let entry = bands.firstEntry(key); entry !== -1; entry = bands.nextEntry(entry)) {
        if (bands.keyAt(entry) !== key) continue;
        const candidate = bands.valueAt(entry);
        if (this.checkedFor[candidate] === query) continue;
        this.checkedFor[candidate] = query;
        const similarity = this.similarityTo(candidate, maxMismatches);
        if (similarity >= this.options.threshold && (best === null || similarity > best.similarity)) {
          best = { kind: 'near', of: candidate, similarity };
        }
      }
    }
    return best;
  }

  /** Similarity of the current signature to a stored one; -1 as soon as it cannot reach the threshold. */
  private similarityTo(candidate: number, maxMismatches: number): number {
    const offset = candidate * SIGNATURE_SLOTS;
    let mismatches = 0;
    for (let i = 0; i < SIGNATURE_SLOTS; i++) {
      if (this.current16[i] !== this.signatures[offset + i] && ++mismatches > maxMismatches) return -1;
    }
    return (SIGNATURE_SLOTS - mismatches) / SIGNATURE_SLOTS;
  }

  private remember(index: number): void {
    if ((index + 1) * SIGNATURE_SLOTS > this.signatures.length) {
      const grown = new Uint16Array(this.signatures.length * 2);
      grown.set(this.signatures);
      this.signatures = grown;
      const checked = new Int32Array(this.checkedFor.length * 2);
      checked.set(this.checkedFor);
      this.checkedFor = checked;
    }
    this.signatures.set(this.current16, index * SIGNATURE_SLOTS);
    for (let band = 0; band < BANDS; band++) {
      const key = this.bandKeys[band];
      if (this.bands.count(key, MAX_BUCKET) < MAX_BUCKET) this.bands.add(key, index);
    }
  }
}

function bandKey(signature: Uint32Array, band: number): number {
  let h = Math.imul(band + 1, 0x9e3779b1);
  for (let row = 0; row < ROWS; row++) h = Math.imul(h ^ signature[band * ROWS + row], 0x01000193) + 0x7f4a7c15;
  return fmix32(h) & 0x3fffffff;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
