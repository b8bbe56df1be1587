/**
 * Multi-pattern phrase matching over one Aho-Corasick automaton (@monyone/aho-corasick, double-array
 * variant), shared by every lexicon of a component (or of the whole plugin): a text is scanned once,
 * whatever the number of lexicons. Phrases and texts are folded (lowercase, half-width) first.
 */
import { AhoCorasick } from '@monyone/aho-corasick/fast';
import { fold, isAsciiLetter, isDigit, segment, type Segmentation } from './text.js';

/** A phrase of the automaton and the lexicon groups it belongs to. */
interface PhraseInfo {
  readonly text: string;
  readonly groups: readonly number[];
  /** Letter- or digit-edged phrases must not touch a letter (digit) of the text on that side. */
  readonly leftEdge: 0 | 1 | 2;
  readonly rightEdge: 0 | 1 | 2;
}

/** One occurrence of a phrase in a folded text: `text.slice(start, end) === phrase`. */
export interface Hit {
  start: number;
  end: number;
  phrase: string;
  groups: readonly number[];
}

/** A scanned text: folded form, phrase hits (ascending start, longer first) and boundaries. */
export interface ScanResult extends Segmentation {
  text: string;
  hits: Hit[];
}

const LETTER_EDGE = 1;
const DIGIT_EDGE = 2;

function edgeKind(code: number): 0 | 1 | 2 {
  return isAsciiLetter(code) ? LETTER_EDGE : isDigit(code) ? DIGIT_EDGE : 0;
}

/**
 * Orders hits by start, the longer phrase first. The automaton reports them by end offset, which
 * is nearly that order (phrases are short), so an insertion sort does it in about linear time.
 */
function sortByStart(hits: Hit[]): void {
  for (let i = 1; i < hits.length; i++) {
    const hit = hits[i]!;
    let j = i - 1;
    while (j >= 0 && (hits[j]!.start > hit.start || (hits[j]!.start === hit.start && hits[j]!.end < hit.end))) {
      hits[j + 1] = hits[j]!;
      j--;
    }
    hits[j + 1] = hit;
  }
}

/** Texts longer than this are scanned but not cached (they would pin memory for nothing). */
const MAX_CACHED_CHARS = 65_536;
/** Entries kept before the cache is cleared; a batch's prompts and completions fit many times. */
const MAX_CACHE_ENTRIES = 1024;

/** An immutable automaton over groups of phrases. Build it with `PhraseIndex`. */
export class PhraseScanner {
  private readonly automaton: AhoCorasick | null;
  private readonly phrases = new Map<string, PhraseInfo>();
  // Scans are cached by raw text: components of one plugin score the same completions, and the
  // rollouts of a GRPO group share their prompt.
  private readonly cache = new Map<string, ScanResult>();

  constructor(groups: readonly (readonly string[])[]) {
    groups.forEach((phrases, group) => {
      for (const raw of phrases) {
        const text = fold(raw);
        const known = this.phrases.get(text);
        if (known) {
          if (!known.groups.includes(group)) (known.groups as number[]).push(group);
          continue;
        }
        this.phrases.set(text, {
          text,
          groups: [group],
          leftEdge: edgeKind(text.charCodeAt(0)),
          rightEdge: edgeKind(text.charCodeAt(text.length - 1)),
        });
      }
    });
    this.automaton = this.phrases.size > 0 ? new AhoCorasick([...this.phrases.keys()]) : null;
  }

  /** Number of distinct phrases in the automaton. */
  get size(): number {
    return this.phrases.size;
  }

  scan(raw: string): ScanResult {
    const cached = this.cache.get(raw);
    if (cached) return cached;
    const result = this.scanUncached(raw);
    if (raw.length <= MAX_CACHED_CHARS) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
      this.cache.set(raw, result);
    }
    return result;
  }

  private scanUncached(raw: string): ScanResult {
    const text = fold(raw);
    const hits: Hit[] = [];
    if (this.automaton && text.length > 0) {
      for (const match of this.automaton.matchInText(text)) {
        const info = this.phrases.get(match.keyword)!;
        if (info.leftEdge !== 0 && match.begin > 0 && edgeKind(text.charCodeAt(match.begin - 1)) === info.leftEdge)
          continue;
        if (info.rightEdge !== 0 && match.end < text.length && edgeKind(text.charCodeAt(match.end)) === info.rightEdge)
          continue;
        hits.push({ start: match.begin, end: match.end, phrase: info.text, groups: info.groups });
      }
      sortByStart(hits);
    }
    return { text, hits, ...segment(text) };
  }
}

/**
 * Collects lexicon groups from one or more components, then builds a single scanner for all of
 * them on first use. Components keep the group ids that `add` returns.
 */
export class PhraseIndex {
  private readonly groups: (readonly string[])[] = [];
  private built: PhraseScanner | null = null;

  /** Registers a lexicon; returns its group id. */
  add(phrases: readonly string[]): number {
    if (this.built) throw new Error('PhraseIndex: cannot add a lexicon after the scanner was built');
    this.groups.push(phrases);
    return this.groups.length - 1;
  }

  /** Number of groups registered so far. */
  get groupCount(): number {
    return this.groups.length;
  }

  /** The scanner over every group added so far (built once). */
  get scanner(): PhraseScanner {
    this.built ??= new PhraseScanner(this.groups);
    return this.built;
  }
}
