/**
 * Finds lexicon terms in text in one pass: terms are bucketed by their first UTF-16 unit, so each
 * position of the text costs one array read. Text and terms are compared lower-cased. A term made of
 * ASCII letters or digits matches whole words only (`dose` does not match `dosed`); a trailing `*`
 * makes it a prefix (`pregnan*` matches `pregnant` and `pregnancy`). Chinese terms match anywhere.
 */

interface Entry<K> {
  term: string;
  key: K;
  /** The term starts with an ASCII word character, so the character before it must not be one. */
  boundaryStart: boolean;
  /** The term ends with an ASCII word character and is not a prefix, so the next character must not be one. */
  boundaryEnd: boolean;
}

function isAsciiWordUnit(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
}

export class LexiconMatcher<K> {
  private readonly buckets: (Entry<K>[] | undefined)[] = new Array(0x10000);
  readonly size: number;

  /** `entries` pairs a term with the key reported when it matches (e.g. a specialty name). */
  constructor(entries: Iterable<readonly [term: string, key: K]>) {
    let size = 0;
    for (const [rawTerm, key] of entries) {
      const prefix = rawTerm.endsWith('*');
      const term = (prefix ? rawTerm.slice(0, -1) : rawTerm).trim().toLowerCase();
      if (term.length === 0) continue;
      const entry: Entry<K> = {
        term,
        key,
        boundaryStart: isAsciiWordUnit(term.charCodeAt(0)),
        boundaryEnd: !prefix && isAsciiWordUnit(term.charCodeAt(term.length - 1)),
      };
      const first = term.charCodeAt(0);
      (this.buckets[first] ??= []).push(entry);
      size += 1;
    }
    this.size = size;
  }

  /**
   * Calls `onHit` for every occurrence of every term in `lowerText` (which must already be lower-cased);
   * stops early when `onHit` returns true.
   */
  scan(lowerText: string, onHit: (key: K, term: string) => boolean | void): void {
    const length = lowerText.length;
    for (let i = 0; i < length; i++) {
      const bucket = this.buckets[lowerText.charCodeAt(i)];
      if (bucket === undefined) continue;
      if (bucket[0].boundaryStart && i > 0 && isAsciiWordUnit(lowerText.charCodeAt(i - 1))) continue;
      for (const entry of bucket) {
        if (!lowerText.startsWith(entry.term, i)) continue;
        const end = i + entry.term.length;
        if (entry.boundaryEnd && end < length && isAsciiWordUnit(lowerText.charCodeAt(end))) continue;
        if (onHit(entry.key, entry.term) === true) return;
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
