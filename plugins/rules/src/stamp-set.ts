/**
 * A set of small non-negative integers (sentence, clause or phrase ids) that clears in O(1): each
 * member slot holds the generation it was added in. Reused across texts, so scoring allocates nothing.
 */
export class StampSet {
  private stamps = new Int32Array(64);
  private generation = 1;
  /** Number of members. */
  size = 0;

  clear(): void {
    this.size = 0;
    if (this.generation === 0x7fffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  add(value: number): void {
    if (value >= this.stamps.length) {
      let size = this.stamps.length * 2;
      while (size <= value) size *= 2;
      const grown = new Int32Array(size);
      grown.set(this.stamps);
      this.stamps = grown;
    }
    if (this.stamps[value] !== this.generation) {
      this.stamps[value] = this.generation;
      this.size++;
    }
  }

  has(value: number): boolean {
    return value < this.stamps.length && this.stamps[value] === this.generation;
  }
}
