/**
 * Multi-pattern phrase matching over one Aho-Corasick automaton (./automaton.ts), shared by every
 * lexicon of a component (or of the whole plugin): a text is scanned once, whatever the number of
 * lexicons. Phrases are folded (lowercase, half-width) when the automaton is built; texts are
 * folded on the fly while they are matched, so offsets index the text as given.
 *
 * A scan result is a few typed arrays (no object per hit): hit i occupies
 * `hits[i * HIT_FIELDS + HIT_START ... + HIT_SENTENCE]`.
 */
import { AC_HIT_FIELDS, PhraseAutomaton } from './automaton.js';
import {
  findTag,
  fold,
  FOLD,
  isAsciiLetter,
  isContent,
  isDigit,
  isTrimSpace,
  segmentClass,
  SEG_CLAUSE,
  SEG_DOT,
  SEG_SENTENCE,
} from './text.js';

/** Ints per hit in `ScanResult.hits`. */
export const HIT_FIELDS = 5;
/** Offset of the hit's first code unit. */
export const HIT_START = 0;
/** Offset after the hit's last code unit. */
export const HIT_END = 1;
/** Phrase id (`PhraseScanner.phrase(id)`). */
export const HIT_PHRASE = 2;
/** Index of the clause that holds the hit's start (clauses end at , ; : and sentence ends). */
export const HIT_CLAUSE = 3;
/** Index of the sentence that holds the hit's start (sentences end at 。！？!? newline < > and '.'). */
export const HIT_SENTENCE = 4;

/** A scanned text: phrase hits (ascending start, longer first), their clauses and sentences. */
export interface ScanResult {
  /** The text as given (not folded; folding never changes offsets). */
  readonly text: string;
  readonly hitCount: number;
  /** `HIT_FIELDS` ints per hit. */
  readonly hits: Int32Array;
  /** Start offsets of the sentences, ascending; the first is 0. */
  readonly sentenceStarts: Int32Array;
  /** Where the answer starts, on the folded text: after the first `</think>` of a leading think block, else 0. */
  readonly answerStart: number;
  /** Length of the answer after trimming whitespace. */
  readonly answerLength: number;
}

/** Whole-word edges: 1 for a letter, 2 for a digit (after folding): English phrases match whole words. */
const EDGE_KIND = new Uint8Array(65536);
/** Units that may end a clause or a sentence. */
const BOUNDARY = new Uint8Array(65536);
for (let code = 0; code < 65536; code++) {
  const folded = FOLD[code]!;
  EDGE_KIND[code] = isAsciiLetter(folded) ? 1 : isDigit(folded) ? 2 : 0;
  const kind = segmentClass(code);
  BOUNDARY[code] = kind === SEG_CLAUSE || kind === SEG_SENTENCE || kind === SEG_DOT ? 1 : 0;
}

/** Letters, digits and ideographs in a sentence of a scan (no spaces or punctuation). */
export function sentenceContent(scan: ScanResult, sentence: number): number {
  const starts = scan.sentenceStarts;
  if (sentence >= starts.length) return 0;
  const end = sentence + 1 < starts.length ? starts[sentence + 1]! : scan.text.length;
  let count = 0;
  for (let i = starts[sentence]!; i < end; i++) if (isContent(scan.text.charCodeAt(i))) count++;
  return count;
}

/** Texts longer than this are scanned but not cached (they would pin memory for nothing). */
const MAX_CACHED_CHARS = 65_536;
/** Entries per cache generation; the previous generation is kept, so a batch of up to this size always hits. */
const MAX_CACHE_ENTRIES = 4096;

/** An immutable automaton over groups of phrases. Build it with `PhraseIndex`. */
export class PhraseScanner {
  private readonly automaton: PhraseAutomaton | null;
  private readonly phrases: string[] = [];
  /** Groups of phrase p: `groupList[groupStart[p] .. groupStart[p + 1])`. */
  readonly groupStart: Int32Array;
  readonly groupList: Int32Array;
  // Scans are cached by raw text: components of one plugin score the same completions, and the
  // rollouts of a GRPO group share their prompt. Two generations: a full one becomes the old one.
  private cache = new Map<string, ScanResult>();
  private oldCache = new Map<string, ScanResult>();
  // Scratch buffer of the scan in progress (reused; copied into each result).
  private sentenceBuffer = new Int32Array(64);

  constructor(groups: readonly (readonly string[])[]) {
    const byText = new Map<string, number[]>();
    groups.forEach((phrases, group) => {
      for (const raw of phrases) {
        const text = fold(raw);
        const known = byText.get(text);
        if (known) {
          if (!known.includes(group)) known.push(group);
          continue;
        }
        byText.set(text, [group]);
        this.phrases.push(text);
      }
    });
    const count = this.phrases.length;
    this.groupStart = new Int32Array(count + 1);
    const lists: number[] = [];
    this.phrases.forEach((text, id) => {
      this.groupStart[id] = lists.length;
      lists.push(...byText.get(text)!);
    });
    this.groupStart[count] = lists.length;
    this.groupList = Int32Array.from(lists);
    this.automaton =
      count > 0 ? new PhraseAutomaton(this.phrases, { fold: FOLD, edgeKind: EDGE_KIND, boundary: BOUNDARY }) : null;
  }

  /** Number of distinct phrases in the automaton. */
  get size(): number {
    return this.phrases.length;
  }

  /** The folded text of a phrase id. */
  phrase(id: number): string {
    return this.phrases[id]!;
  }

  scan(raw: string): ScanResult {
    const cached = this.cache.get(raw) ?? this.oldCache.get(raw);
    if (cached) return cached;
    const result = this.scanUncached(raw);
    if (raw.length <= MAX_CACHED_CHARS) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) {
        this.oldCache = this.cache;
        this.cache = new Map();
      }
      this.cache.set(raw, result);
    }
    return result;
  }

  private scanUncached(text: string): ScanResult {
    const automaton = this.automaton;
    const hitCount = automaton && text.length > 0 ? automaton.scan(text) : 0;
    const hits = new Int32Array(hitCount * HIT_FIELDS);

    // Clauses and sentences from the boundary units the automaton saw; hits (by start) get the
    // indexes of the clause and sentence of their start.
    const found = automaton ? automaton.hits : hits;
    const boundaries = automaton ? automaton.boundaries : hits;
    const boundaryCount = automaton ? automaton.boundaryCount : 0;
    let sentences = this.sentenceBuffer;
    let sentenceCount = 1;
    sentences[0] = 0;
    let clause = 0;
    let b = 0;
    const n = text.length;
    for (let h = 0; h <= hitCount; h++) {
      const start = h < hitCount ? found[h * AC_HIT_FIELDS]! : n;
      for (; b < boundaryCount && boundaries[b]! < start; b++) {
        const i = boundaries[b]!;
        let kind = segmentClass(text.charCodeAt(i));
        if (kind === SEG_DOT)
          kind =
            i > 0 && i + 1 < n && isDigit(FOLD[text.charCodeAt(i - 1)]!) && isDigit(FOLD[text.charCodeAt(i + 1)]!)
              ? 0
              : SEG_SENTENCE;
        if (kind === SEG_CLAUSE) {
          clause++;
        } else if (kind === SEG_SENTENCE) {
          clause++;
          if (sentenceCount === sentences.length) {
            const grown = new Int32Array(sentences.length * 2);
            grown.set(sentences);
            this.sentenceBuffer = sentences = grown;
          }
          sentences[sentenceCount++] = i + 1;
        }
      }
      if (h === hitCount) break;
      const from = h * AC_HIT_FIELDS;
      const to = h * HIT_FIELDS;
      hits[to + HIT_START] = found[from]!;
      hits[to + HIT_END] = found[from + 1]!;
      hits[to + HIT_PHRASE] = found[from + 2]!;
      hits[to + HIT_CLAUSE] = clause;
      hits[to + HIT_SENTENCE] = sentenceCount - 1;
    }

    const answerStart = answerStartFolded(text);
    let answerEnd = n;
    while (answerEnd > answerStart && isTrimSpace(text.charCodeAt(answerEnd - 1))) answerEnd--;
    let answerFrom = answerStart;
    while (answerFrom < answerEnd && isTrimSpace(text.charCodeAt(answerFrom))) answerFrom++;
    return {
      text,
      hitCount,
      hits,
      sentenceStarts: sentences.slice(0, sentenceCount),
      answerStart,
      answerLength: answerEnd - answerFrom,
    };
  }
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * Start of the answer as `layoutOf` finds it on the folded text (so `<THINK>` is a tag here):
 * after the first `</think>` when a `<think>` that only whitespace precedes comes before it.
 */
function answerStartFolded(text: string): number {
  const firstOpen = findTag(text, OPEN, 0);
  if (firstOpen === -1) return 0;
  for (let i = 0; i < firstOpen; i++) if (!isBlankUnit(FOLD[text.charCodeAt(i)]!)) return 0;
  const firstClose = findTag(text, CLOSE, 0);
  return firstClose > firstOpen ? firstClose + CLOSE.length : 0;
}

function isBlankUnit(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 0x3000 || c === 0xa0;
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
