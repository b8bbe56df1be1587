/**
 * A hash multimap from 30-bit integer keys to integer values in typed arrays (separate chaining with
 * `next` links). The dedupe index holds 17 entries per kept record; JS Maps would cost several times
 * the memory and keep the garbage collector busy on large inputs. An entry's key, value and link sit
 * side by side so that walking a chain touches one cache line per entry.
 */
const STRIDE = 3; // key, value, next

export class IntMultiMap {
  private heads: Int32Array;
  private entries: Int32Array;
  private size = 0;

  constructor(initialCapacity = 1 << 12) {
    this.heads = new Int32Array(initialCapacity).fill(-1);
    this.entries = new Int32Array(initialCapacity * STRIDE);
  }

  /**
   * The first entry of `key`'s chain; walk with `nextEntry` and filter with `keyAt` (hot loops avoid
   * a callback this way).
   */
  firstEntry(key: number): number {
    return this.heads[key & (this.heads.length - 1)];
  }

  nextEntry(entry: number): number {
    return this.entries[entry * STRIDE + 2];
  }

  keyAt(entry: number): number {
    return this.entries[entry * STRIDE];
  }

  valueAt(entry: number): number {
    return this.entries[entry * STRIDE + 1];
  }

  /** How many values `key` has, counting no further than `limit`. */
  count(key: number, limit: number): number {
    let n = 0;
    for (let entry = this.firstEntry(key); entry !== -1 && n < limit; entry = this.nextEntry(entry)) {
      if (this.keyAt(entry) === key) n += 1;
    }
    return n;
  }

  add(key: number, value: number): void {
    if (this.size * STRIDE === this.entries.length) this.grow();
    const entry = this.size++;
    const slot = key & (this.heads.length - 1);
    this.entries[entry * STRIDE] = key;
    this.entries[entry * STRIDE + 1] = value;
    this.entries[entry * STRIDE + 2] = this.heads[slot];
    this.heads[slot] = entry;
  }

  private grow(): void {
    const capacity = this.heads.length * 2;
    const entries = new Int32Array(capacity * STRIDE);
    entries.set(this.entries);
    this.entries = entries;
    // Re-link every entry into a table as large as the entry capacity (load factor <= 1).
    this.heads = new Int32Array(capacity).fill(-1);
    for (let entry = 0; entry < this.size; entry++) {
      const slot = this.keyAt(entry) & (capacity - 1);
      this.entries[entry * STRIDE + 2] = this.heads[slot];
      this.heads[slot] = entry;
    }
  }
}
