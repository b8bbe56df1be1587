/**
 * Exact and near-duplicate detection. Both work on a normalised text (lower-cased, without whitespace,
 * punctuation and symbols), so records that differ only in spacing, case or punctuation are exact
 * duplicates. Near duplicates are found with MinHash over character shingles, using one-permutation
 * hashing with rotation densification (64 slots from one hash per shingle) and LSH banding (16 bands
 * of 4 slots) to find candidates; a candidate is a duplicate when the share of equal slots, an
 * estimate of the Jaccard similarity of the shingle sets, reaches the threshold.
 *
 * Memory: exact keys cover every kept record (8 bytes of key and 5 to 11 bytes of open-addressing
 * table each), while the near-duplicate index covers a window of recent records so that it stays
 * bounded whatever the input size: records are indexed in generations of `nearGeneration` records,
 * the current one and the one before it are searched, and an older generation is dropped. A record
 * is therefore compared with at least the `nearGeneration` and at most `2 * nearGeneration` records
 * kept just before it. A windowed record costs 128 bytes of signature, a 16-byte sketch (two bits a
 * slot, to rule most candidates out without reading their signatures) and 16 band entries of 4 bytes
 * (tables at most half full): at most about 270 MB at the default generation of 2^19 records.
 */
import { GrowableArray } from './growable.js';

export const SIGNATURE_SLOTS = 64;
const BANDS = 16;
// A band is 4 slots: two words of the folded signature (16 bits a slot).
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
/** Default records per near-duplicate generation (the window is one to two generations). */
export const DEFAULT_NEAR_GENERATION = 1 << 19;
/** A band-table entry packs a 12-bit tag of the band hash over (index in its generation + 1). */
const INDEX_BITS = 20;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Words of a record's sketch: two bits of each of the 64 folded slots. */
const SKETCH_WORDS = 4;

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
let keyBuffer = new Uint16Array(4096);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The text both dedupe checks compare. Its units are gathered in a typed array and decoded in one
 * call, which gives a flat string: one built by appending would be a rope that every later
 * character read (MinHash, SHA-1) walks again.
 */
export function dedupeText(text: string): string {
  const table = keyUnits();
  if (keyBuffer.length < text.length) keyBuffer = new Uint16Array(text.length * 2);
  const units = keyBuffer;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const mapped = table[text.charCodeAt(i)];
    if (mapped !== 0) units[length++] = mapped;
  }
  if (LITTLE_ENDIAN) return Buffer.from(units.buffer, units.byteOffset, length * 2).toString('utf16le');
  let out = '';
  for (let start = 0; start < length; start += 4096) {
    out += String.fromCharCode(...units.subarray(start, Math.min(length, start + 4096)));
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

/** Per-slot minima while hashing: int32 (a Uint32Array's values above 2^31 would be read as doubles). */
const slotMinima = new Int32Array(SIGNATURE_SLOTS);
const NO_VALUE = 0x7fffffff;

/** Fills `out` with the MinHash signature of `text`'s shingles. */
export function minhashSignature(text: string, shingleSize: number, out: Uint32Array): void {
  const minima = slotMinima.fill(NO_VALUE);
  const length = text.length;
  const size = Math.min(shingleSize, length);
  if (size === 3) {
    // The default shingle size, with the three units kept in locals: one read per position.
    const [m0, m1, m2] = SHINGLE_MULTIPLIERS;
    let c0 = text.charCodeAt(0);
    let c1 = text.charCodeAt(1);
    for (let end = 2; end < length; end++) {
      const c2 = text.charCodeAt(end);
      let h = (3 + Math.imul(c0, m0) + Math.imul(c1, m1) + Math.imul(c2, m2)) | 0;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      const slot = h >>> SLOT_BITS;
      const value = h & VALUE_MASK;
      if (value < minima[slot]) minima[slot] = value;
      c0 = c1;
      c1 = c2;
    }
  } else {
    for (let start = 0; start + size <= length && size > 0; start++) {
      // Each unit of the shingle gets its own odd multiplier; one finaliser spreads the sum.
      let h = size;
      for (let j = 0; j < size; j++) h = (h + Math.imul(text.charCodeAt(start + j), SHINGLE_MULTIPLIERS[j])) | 0;
      h = fmix32(h);
      const slot = h >>> SLOT_BITS;
      const value = h & VALUE_MASK;
      if (value < minima[slot]) minima[slot] = value;
    }
  }
  for (let slot = 0; slot < SIGNATURE_SLOTS; slot++) out[slot] = minima[slot] === NO_VALUE ? EMPTY : minima[slot];
  densify(out);
}

/**
 * Rotation densification: an empty slot borrows the value of the next filled slot (circularly),
 * offset by the distance. Walking backwards from a filled slot finds that slot in one pass, in place.
 */
function densify(out: Uint32Array): void {
  let first = -1;
  for (let slot = 0; slot < SIGNATURE_SLOTS; slot++) {
    if (out[slot] !== EMPTY) {
      first = slot;
      break;
    }
  }
  if (first < 0) return;
  let nearest = first;
  for (let step = 1; step < SIGNATURE_SLOTS; step++) {
    const slot = (first - step + SIGNATURE_SLOTS) % SIGNATURE_SLOTS;
    if (out[slot] !== EMPTY) {
      nearest = slot;
      continue;
    }
    const distance = (nearest - slot + SIGNATURE_SLOTS) % SIGNATURE_SLOTS;
    out[slot] = (out[nearest] + distance * (VALUE_MASK + 1)) >>> 0;
  }
}

/** Share of equal slots between two signatures: an estimate of the Jaccard similarity. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let equal = 0;
  for (let i = 0; i < SIGNATURE_SLOTS; i++) if (a[i] === b[i]) equal += 1;
  return equal / SIGNATURE_SLOTS;
}

/** How many of the 16 two-bit groups of `x` are not zero. */
function pairsDiffering(x: number): number {
  let pairs = (x | (x >>> 1)) & 0x55555555;
  pairs = (pairs & 0x33333333) + ((pairs >>> 2) & 0x33333333);
  pairs = (pairs + (pairs >>> 4)) & 0x0f0f0f0f;
  return Math.imul(pairs, 0x01010101) >>> 24;
}

const EXACT_INDEX_BITS = 27;
const EXACT_INDEX_MASK = (1 << EXACT_INDEX_BITS) - 1;

function exactHash(keyHigh: number, keyLow: number): number {
  return fmix32(keyHigh ^ Math.imul(keyLow, 0x9e3779b1));
}

/** Hash of one band: its four 16-bit slots as two words, and the band number. */
function bandHash(word0: number, word1: number, band: number): number {
  return fmix32((Math.imul(word0 ^ Math.imul(band + 1, 0x27d4eb2f), 0x9e3779b1) + word1) | 0);
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
  /** Records per near-duplicate generation, a power of two up to 2^19 (the default); see the header. */
  nearGeneration?: number;
}

/**
 * One generation's band index: per band, an open-addressing table (linear probing, at most half full)
 * of entries `tag << 20 | (index in the generation + 1)`, 0 for a free slot. Records of one band
 * bucket lie along one probe path in the order they were added; the tag, 12 more bits of the band
 * hash, skips most other buckets' entries without reading their signatures.
 */
class BandGeneration {
  readonly tables: Uint32Array[] = [];
  start = 0;

  /** Tables are allocated whole; the system maps their pages in as they are first written. */
  constructor(capacity: number) {
    for (let band = 0; band < BANDS; band++) this.tables.push(new Uint32Array(capacity));
  }

  reset(start: number): void {
    this.start = start;
    for (const table of this.tables) table.fill(0);
  }
}

export class Deduper {
  private readonly keyHigh = new GrowableArray((n) => new Uint32Array(n));
  private readonly keyLow = new GrowableArray((n) => new Uint32Array(n));
  /**
   * Exact index: open addressing (at most three quarters full) of `tag << 27 | accepted index + 1`,
   * 0 for a free slot; the 5-bit tag of the key's hash spares most key reads while probing.
   */
  private exactTable = new Uint32Array(1024);
  private accepted = 0;

  private readonly generation: number;
  /** Folded signatures of the last two generations, 32 words a record, by index modulo the ring. */
  private readonly ring: Uint32Array;
  private readonly ringMask: number;
  private young: BandGeneration;
  private old: BandGeneration | null = null;
  private readonly current = new Uint32Array(SIGNATURE_SLOTS);
  /** The current signature folded to 16 bits a slot (chance equality 1 in 65,536), as 32 words. */
  private readonly currentWords = new Uint32Array(SIGNATURE_SLOTS / 2);
  private readonly bandHashes = new Uint32Array(BANDS);
  /** Records in each band's bucket (both generations), for the bucket cap. */
  private readonly bucketSizes = new Int32Array(BANDS);
  /** Tag matches of the current query, by band (`bandStarts`), and whether each can reach the threshold. */
  private matches = new Int32Array(1024);
  private mayMatch = new Uint8Array(1024);
  /** Two bits of each folded slot (16 bytes a record), by index modulo the ring: a cheap first check. */
  private readonly sketches: Uint32Array;
  private readonly currentSketch = new Uint32Array(SKETCH_WORDS);
  private readonly bandStarts = new Int32Array(BANDS + 1);
  /** Keeps the first-slot reads of `nearMatch` from being optimised away. */
  private touched = 0;
  /** Candidates already compared in this query: a small set with a stamp per query. */
  private readonly seenKeys = new Int32Array(4096);
  private readonly seenStamps = new Int32Array(4096);
  private stamp = 0;

  constructor(private readonly options: DeduperOptions) {
    const generation = options.nearGeneration ?? DEFAULT_NEAR_GENERATION;
    if (!Number.isInteger(Math.log2(generation)) || generation > DEFAULT_NEAR_GENERATION) {
      throw new RangeError(`nearGeneration must be a power of two up to ${DEFAULT_NEAR_GENERATION}, got ${generation}`);
    }
    this.generation = generation;
    // Allocated whole like the band tables; only the part written so far is resident.
    this.ring = new Uint32Array(options.near ? 2 * generation * (SIGNATURE_SLOTS / 2) : 0);
    this.ringMask = 2 * generation - 1;
    this.sketches = new Uint32Array(options.near ? 2 * generation * SKETCH_WORDS : 0);
    this.young = new BandGeneration(options.near ? 2 * generation : 1);
  }

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
    const earlier = this.findExact(keyHigh, keyLow);
    if (earlier >= 0) return { kind: 'exact', of: earlier, similarity: 1 };
    const index = this.accepted;
    if (this.options.near && normalized.length > 0) {
      this.signatureOf(normalized);
      this.advanceGeneration(index);
      const match = this.nearMatch();
      if (match) return match;
      this.remember(index);
    }
    this.addExact(keyHigh, keyLow, index);
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

  private findExact(keyHigh: number, keyLow: number): number {
    const table = this.exactTable;
    const mask = table.length - 1;
    const hash = exactHash(keyHigh, keyLow);
    const tag = hash >>> EXACT_INDEX_BITS;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = table[slot];
      if (entry === 0) return -1;
      if (entry >>> EXACT_INDEX_BITS !== tag) continue;
      const index = (entry & EXACT_INDEX_MASK) - 1;
      if (this.keyHigh.get(index) === keyHigh && this.keyLow.get(index) === keyLow) return index;
    }
  }

  private addExact(keyHigh: number, keyLow: number, index: number): void {
    if (index + 1 > EXACT_INDEX_MASK) throw new RangeError(`more than ${EXACT_INDEX_MASK - 1} kept records`);
    this.keyHigh.push(keyHigh);
    this.keyLow.push(keyLow);
    if (4 * (index + 1) > 3 * this.exactTable.length) {
      this.exactTable = new Uint32Array(this.exactTable.length * 2);
      for (let i = 0; i < index; i++) this.insertExact(i);
    }
    this.insertExact(index);
  }

  private insertExact(index: number): void {
    const table = this.exactTable;
    const mask = table.length - 1;
    const hash = exactHash(this.keyHigh.get(index), this.keyLow.get(index));
    let slot = hash & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = (((hash >>> EXACT_INDEX_BITS) << EXACT_INDEX_BITS) | (index + 1)) >>> 0;
  }

  /** Computes the current signature, its folded words and band hashes. */
  private signatureOf(normalized: string): void {
    minhashSignature(normalized, this.options.shingleSize, this.current);
    const current = this.current;
    for (let word = 0; word < SIGNATURE_SLOTS / 2; word++) {
      // Fold each 32-bit slot value (distance bits of densified slots included) into 16 bits.
      const a = current[2 * word];
      const b = current[2 * word + 1];
      this.currentWords[word] = (((a ^ (a >>> 16)) & 0xffff) | (((b ^ (b >>> 16)) & 0xffff) << 16)) >>> 0;
    }
    for (let band = 0; band < BANDS; band++) {
      this.bandHashes[band] = bandHash(this.currentWords[2 * band], this.currentWords[2 * band + 1], band);
    }
    // The sketch: the low two bits of each folded slot, 16 slots a word.
    for (let word = 0; word < SKETCH_WORDS; word++) {
      let sketch = 0;
      for (let i = 0; i < 8; i++) {
        const pair = this.currentWords[8 * word + i];
        sketch |= ((pair & 3) | (((pair >>> 16) & 3) << 2)) << (4 * i);
      }
      this.currentSketch[word] = sketch >>> 0;
    }
  }

  /** Starts a new generation when the current one is full, dropping the one before it. */
  private advanceGeneration(index: number): void {
    if (index - this.young.start < this.generation) return;
    const reused = this.old ?? new BandGeneration(2 * this.generation);
    reused.reset(index);
    this.old = this.young;
    this.young = reused;
  }

  /**
   * The best near duplicate among the records sharing a band with the current one. Memory reads are
   * grouped in phases (every band's first slot, then every tag match's sketch) so that the cache
   * misses of one phase overlap instead of waiting for one another. A record's sketch differs from
   * the current one in at most as many slots as its signature does, so a record whose sketch differs
   * in too many slots cannot reach the threshold, and its signature is not read at all.
   */
  private nearMatch(): DuplicateMatch | null {
    const old = this.old;
    const young = this.young;
    let touched = 0;
    for (let band = 0; band < BANDS; band++) {
      const hash = this.bandHashes[band];
      const table = young.tables[band];
      touched |= table[hash & (table.length - 1)];
      if (old) touched |= old.tables[band][hash & (old.tables[band].length - 1)];
    }
    this.touched = touched;
    // Entries whose tag matches, per band, oldest first: the old generation's, then the young one's.
    let found = 0;
    for (let band = 0; band < BANDS; band++) {
      this.bandStarts[band] = found;
      if (old) found = this.tagMatches(old, band, found);
      found = this.tagMatches(young, band, found);
      // The bucket cap counts tag matches: members, and rarely an entry of another bucket.
      this.bucketSizes[band] = found - this.bandStarts[band];
    }
    this.bandStarts[BANDS] = found;
    const threshold = this.options.threshold;
    const maxMismatches = Math.floor((1 - threshold) * SIGNATURE_SLOTS + 1e-9);
    const sketches = this.sketches;
    const [sketch0, sketch1, sketch2, sketch3] = this.currentSketch;
    for (let m = 0; m < found; m++) {
      const offset = (this.matches[m] & this.ringMask) * SKETCH_WORDS;
      const differing =
        pairsDiffering(sketches[offset] ^ sketch0) +
        pairsDiffering(sketches[offset + 1] ^ sketch1) +
        pairsDiffering(sketches[offset + 2] ^ sketch2) +
        pairsDiffering(sketches[offset + 3] ^ sketch3);
      this.mayMatch[m] = differing <= maxMismatches ? 1 : 0;
    }
    let bestIndex = -1;
    let bestSimilarity = -1;
    const ring = this.ring;
    this.stamp += 1;
    for (let band = 0; band < BANDS; band++) {
      const word0 = this.currentWords[2 * band];
      const word1 = this.currentWords[2 * band + 1];
      // Newest first, and the first of equal similarities wins.
      for (let m = this.bandStarts[band + 1] - 1; m >= this.bandStarts[band]; m--) {
        if (this.mayMatch[m] === 0) continue;
        const candidate = this.matches[m];
        // A bucket member: the band's four slots are equal (the tag is only 12 bits of the hash).
        const offset = (candidate & this.ringMask) * 32 + 2 * band;
        if (ring[offset] !== word0 || ring[offset + 1] !== word1) continue;
        if (!this.firstSight(candidate)) continue;
        const similarity = this.similarityTo(candidate, band, maxMismatches);
        if (similarity >= threshold && similarity > bestSimilarity) {
          bestIndex = candidate;
          bestSimilarity = similarity;
        }
      }
    }
    return bestIndex < 0 ? null : { kind: 'near', of: bestIndex, similarity: bestSimilarity };
  }

  /** Appends the records of `generation` whose entry in `band`'s table has the current tag to `matches`. */
  private tagMatches(generation: BandGeneration, band: number, found: number): number {
    const table = generation.tables[band];
    const mask = table.length - 1;
    const hash = this.bandHashes[band];
    const tag = hash >>> INDEX_BITS;
    let n = found;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = table[slot];
      if (entry === 0) return n;
      if (entry >>> INDEX_BITS !== tag) continue;
      if (n === this.matches.length) {
        const grown = new Int32Array(n * 2);
        grown.set(this.matches);
        this.matches = grown;
        const mayMatch = new Uint8Array(n * 2);
        mayMatch.set(this.mayMatch);
        this.mayMatch = mayMatch;
      }
      this.matches[n++] = generation.start + (entry & INDEX_MASK) - 1;
    }
  }

  /** Whether `record` is seen for the first time in this query. */
  private firstSight(record: number): boolean {
    const mask = this.seenKeys.length - 1;
    for (let slot = fmix32(record) & mask; ; slot = (slot + 1) & mask) {
      if (this.seenStamps[slot] !== this.stamp) {
        this.seenStamps[slot] = this.stamp;
        this.seenKeys[slot] = record;
        return true;
      }
      if (this.seenKeys[slot] === record) return false;
    }
  }

  /** Similarity of the current signature to a stored one; -1 as soon as it cannot reach the threshold. */
  private similarityTo(candidate: number, band: number, maxMismatches: number): number {
    const ring = this.ring;
    const current = this.currentWords;
    const offset = (candidate & this.ringMask) * 32;
    let mismatches = 0;
    // From the band's words on (already in cache), around to the ones before them.
    for (let step = 0, word = 2 * band; step < SIGNATURE_SLOTS / 2; step++, word = (word + 1) & 31) {
      const diff = ring[offset + word] ^ current[word];
      if (diff === 0) continue;
      mismatches += ((diff & 0xffff) === 0 ? 0 : 1) + (diff >>> 16 === 0 ? 0 : 1);
      if (mismatches > maxMismatches) return -1;
    }
    return (SIGNATURE_SLOTS - mismatches) / SIGNATURE_SLOTS;
  }

  private remember(index: number): void {
    this.ring.set(this.currentWords, (index & this.ringMask) * 32);
    this.sketches.set(this.currentSketch, (index & this.ringMask) * SKETCH_WORDS);
    const young = this.young;
    const local = index - young.start + 1;
    for (let band = 0; band < BANDS; band++) {
      if (this.bucketSizes[band] >= MAX_BUCKET) continue;
      const table = young.tables[band];
      const mask = table.length - 1;
      const hash = this.bandHashes[band];
      let slot = hash & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = (((hash >>> INDEX_BITS) << INDEX_BITS) | local) >>> 0;
    }
  }
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
