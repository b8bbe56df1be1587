/**
 * A hash multimap from 30-bit integer keys to integer values in typed arrays (separate chaining with
 * `next` links). The dedupe index holds 17 entries per kept record; JS Maps would cost several times
 * the memory and keep the garbage collector busy on large inputs.
 */
export class IntMultiMap {
  private heads: Int32Array;
  private keys: Int32Array;
  private values: Int32Array;
  private next: Int32Array;
  private size = 0;

  constructor(initialCapacity = 1 << 12) {
    this.heads = new Int32Array(initialCapacity).fill(-1);
    this.keys = new Int32Array(initialCapacity);
    this.values = new Int32Array(initialCapacity);
    this.next = new Int32Array(initialCapacity);
  }

  /**
   * The first entry of `key`'s chain; walk with `nextEntry` and filter with `keyAt` (hot loops avoid
   * a callback this way).
   */
  firstEntry(key: number): number {
    return this.heads[key & (this.heads.length - 1)];
  }

  nextEntry(entry: number): number {
    return this.next[entry];
  }

  keyAt(entry: number): number {
    return this.keys[entry];
  }

  valueAt(entry: number): number {
    return this.values[entry];
  }

  /** How many values `key` has, counting no further than `limit`. */
  count(key: number, limit: number): number {
    let n = 0;
    for (let entry = this.heads[key & (this.heads.length - 1)]; entry !== -1 && n < limit; entry = this.next[entry]) {
      if (this.keys[entry] === key) n += 1;
    }
    return n;
  }

  add(key: number, value: number): void {
    if (this.size === this.keys.length) this.grow();
    const entry = this.size++;
    const slot = key & (this.heads.length - 1);
    this.keys[entry] = key;
    this.values[entry] = value;
    this.next[entry] = this.heads[slot];
    this.heads[slot] = entry;
  }

  private grow(): void {
    const capacity = this.keys.length * 2;
    const resize = (array: Int32Array) => {
      const grown = new Int32Array(capacity);
      grown.set(array);
      return grown;
    };
    this.keys = resize(this.keys);
    this.values = resize(this.values);
    this.next = resize(this.next);
    // Re-link every entry into a table as large as the entry arrays (load factor <= 1).
    this.heads = new Int32Array(capacity).fill(-1);
    for (let entry = 0; entry < this.size; entry++) {
      const slot = this.keys[entry] & (capacity - 1);
      this.next[entry] = this.heads[slot];
      this.heads[slot] = entry;
    }
  }
}
