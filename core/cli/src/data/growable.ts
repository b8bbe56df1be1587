/** A typed array that grows as needed: per-record numbers without a JS array's per-element cost. */
type NumberArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

export class GrowableArray<A extends NumberArray> {
  private data: A;
  length = 0;

  constructor(
    private readonly make: (capacity: number) => A,
    capacity = 1024,
  ) {
    this.data = make(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      // By half again: less slack than doubling, and a smaller peak while both copies exist.
      const grown = this.make(Math.ceil(this.data.length * 1.5));
      (grown as Float64Array).set(this.data as ArrayLike<number>);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index];
  }
}
