/**
 * Finds lexicon terms in text in one pass over a trie of UTF-16 units: each position of the text costs
 * one table read, and a term is followed only as far as the text agrees with it. Text and terms are
 * compared lower-cased. A term made of ASCII letters or digits matches whole words only (`dose` does
 * not match `dosed`); a trailing `*` makes it a prefix (`pregnan*` matches `pregnant` and
 * `pregnancy`). Chinese terms match anywhere.
 */

interface Entry<K> {
  term: string;
  key: K;
  /** The term ends with an ASCII word character and is not a prefix, so the next character must not be one. */
  boundaryEnd: boolean;
}

function isAsciiWordUnit(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
}

function mix(node: number, unit: number): number {
  let h = Math.imul(node, 0x9e3779b1) ^ unit;
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

export class LexiconMatcher<K> {
  /** Trie node reached from the root by a first unit; 0 for none (the root is node 0). */
  private readonly firstStep = new Int32Array(0x10000);
  /** Deeper edges in an open-addressing table: parent node and unit to child node (0 = free slot). */
  private edgeParent = new Int32Array(64);
  private edgeUnit = new Uint16Array(64);
  private edgeChild = new Int32Array(64);
  private edges = 0;
  private nodes = 1;
  /** Terms ending at each node, in the order they were given (a term listed twice reports twice). */
  private readonly ends: (Entry<K>[] | undefined)[] = [];
  readonly size: number;

  /** `entries` pairs a term with the key reported when it matches (e.g. a specialty name). */
  constructor(entries: Iterable<readonly [term: string, key: K]>) {
    let size = 0;
    for (const [rawTerm, key] of entries) {
      const prefix = rawTerm.endsWith('*');
      const term = (prefix ? rawTerm.slice(0, -1) : rawTerm).trim().toLowerCase();
      if (term.length === 0) continue;
      let node = this.firstStep[term.charCodeAt(0)];
      if (node === 0) node = this.firstStep[term.charCodeAt(0)] = this.nodes++;
      for (let i = 1; i < term.length; i++) {
        const unit = term.charCodeAt(i);
        node = this.child(node, unit) || this.addEdge(node, unit);
      }
      const entry: Entry<K> = { term, key, boundaryEnd: !prefix && isAsciiWordUnit(term.charCodeAt(term.length - 1)) };
      (this.ends[node] ??= []).push(entry);
      size += 1;
    }
    this.size = size;
  }

  private child(node: number, unit: number): number {
    const mask = this.edgeChild.length - 1;
    for (let slot = mix(node, unit) & mask; ; slot = (slot + 1) & mask) {
      const child = this.edgeChild[slot];
      if (child === 0) return 0;
      if (this.edgeParent[slot] === node && this.edgeUnit[slot] === unit) return child;
    }
  }

  private addEdge(parent: number, unit: number): number {
    if (2 * (this.edges + 1) > this.edgeChild.length) {
      const [parents, units, children] = [this.edgeParent, this.edgeUnit, this.edgeChild];
      this.edgeParent = new Int32Array(children.length * 2);
      this.edgeUnit = new Uint16Array(children.length * 2);
      this.edgeChild = new Int32Array(children.length * 2);
      for (let slot = 0; slot < children.length; slot++) {
        if (children[slot] !== 0) this.placeEdge(parents[slot], units[slot], children[slot]);
      }
    }
    const node = this.nodes++;
    this.placeEdge(parent, unit, node);
    this.edges += 1;
    return node;
  }

  private placeEdge(parent: number, unit: number, child: number): void {
    const mask = this.edgeChild.length - 1;
    let slot = mix(parent, unit) & mask;
    while (this.edgeChild[slot] !== 0) slot = (slot + 1) & mask;
    this.edgeParent[slot] = parent;
    this.edgeUnit[slot] = unit;
    this.edgeChild[slot] = child;
  }

  /**
   * Calls `onHit` for every occurrence of every term in `lowerText` (which must already be lower-cased),
   * in text order (at one position, shorter terms first); stops early when `onHit` returns true.
   */
  scan(lowerText: string, onHit: (key: K, term: string) => boolean | void): void {
    const length = lowerText.length;
    for (let i = 0; i < length; i++) {
      const first = lowerText.charCodeAt(i);
      let node = this.firstStep[first];
      if (node === 0) continue;
      // A word term starts at a word start only.
      if (i > 0 && isAsciiWordUnit(first) && isAsciiWordUnit(lowerText.charCodeAt(i - 1))) continue;
      for (let end = i + 1; ; end++) {
        const ends = this.ends[node];
        if (ends !== undefined) {
          const wordGoesOn = end < length && isAsciiWordUnit(lowerText.charCodeAt(end));
          for (const entry of ends) {
            if (entry.boundaryEnd && wordGoesOn) continue;
            if (onHit(entry.key, entry.term) === true) return;
          }
        }
        if (end === length) break;
        node = this.child(node, lowerText.charCodeAt(end));
        if (node === 0) break;
      }
    }
  }

  /** Hit counts per key. */
  count(lowerText: string): Map<K, number> {
    const counts = new Map<K, number>();
    this.scan(lowerText, (key) => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
    return counts;
  }

  /** Whether any term occurs. */
  test(lowerText: string): boolean {
    let found = false;
    this.scan(lowerText, () => (found = true));
    return found;
  }
}
