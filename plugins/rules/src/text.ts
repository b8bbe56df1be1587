/**
 * Text helpers shared by the rule components: case and width folding, the `<think>` layout of a
 * completion, and clause/sentence boundaries. Pure functions, no dependencies.
 */

/** Characters folding changes: ASCII capitals, full-width letters and digits (ＡＢＣ１２３), ideographic space. */
const FOLDABLE = /[A-Z\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u3000]/;
const FULL_WIDTH = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u3000]/;
const FULL_WIDTH_G = /[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\u3000]/g;

function foldFullWidth(ch: string): string {
  const code = ch.charCodeAt(0);
  return code === 0x3000 ? ' ' : String.fromCharCode(code - 0xfee0).toLowerCase();
}

/**
 * Lowercases ASCII and folds full-width letters and digits to ASCII, so that lexicons written in
 * lowercase half-width match `Call 911`, `ＣＡＬＬ ９１１` and `拨打１２０`. Punctuation keeps its width:
 * boundary detection knows both forms. Lexicon phrases go through the same function. Most model
 * output has nothing to fold and is returned as is.
 */
export function fold(text: string): string {
  if (!FOLDABLE.test(text)) return text;
  const lower = text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
  return FULL_WIDTH.test(lower) ? lower.replace(FULL_WIDTH_G, foldFullWidth) : lower;
}

/** Where the parts of a completion are, as core's `splitThink` sees them. Offsets index the text. */
export interface CompletionLayout {
  /** Number of `<think>` tags. */
  opens: number;
  /** Number of `</think>` tags. */
  closes: number;
  /** Index of the first `<think>`, or -1. */
  firstOpen: number;
  /** Index of the first `</think>`, or -1. */
  firstClose: number;
  /** True when the text before the first `<think>` is only whitespace. */
  thinkFirst: boolean;
  /** A complete leading think block exists (core's splitThink would split it). */
  split: boolean;
  /** The think text (trimmed) when `split`, else undefined. */
  think: string | undefined;
  /** Start of the answer region: after the first `</think>` when `split`, else 0. */
  answerStart: number;
  /** The answer (trimmed): after the think block when `split`, else the whole text. */
  answer: string;
}

const OPEN = '<think>';
const CLOSE = '</think>';

function countOccurrences(text: string, needle: string, from: number): number {
  let count = 0;
  for (let i = text.indexOf(needle, from); i !== -1; i = text.indexOf(needle, i + needle.length)) count++;
  return count;
}

function isBlank(text: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 0x3000 && c !== 0xa0) return false;
  }
  return true;
}

/**
 * Splits a completion exactly like core's `splitThink` (first `</think>` after a leading `<think>`;
 * otherwise everything is answer) and counts the tags, so malformed output is visible to the rules.
 */
export function layoutOf(text: string): CompletionLayout {
  const firstOpen = text.indexOf(OPEN);
  const firstClose = text.indexOf(CLOSE);
  const opens = firstOpen === -1 ? 0 : countOccurrences(text, OPEN, firstOpen);
  const closes = firstClose === -1 ? 0 : countOccurrences(text, CLOSE, firstClose);
  const thinkFirst = firstOpen !== -1 && isBlank(text, firstOpen);
  const split = thinkFirst && firstClose > firstOpen;
  if (!split) {
    return {
      opens,
      closes,
      firstOpen,
      firstClose,
      thinkFirst,
      split,
      think: undefined,
      answerStart: 0,
      answer: text.trim(),
    };
  }
  const answerStart = firstClose + CLOSE.length;
  return {
    opens,
    closes,
    firstOpen,
    firstClose,
    thinkFirst,
    split,
    think: text.slice(firstOpen + OPEN.length, firstClose).trim(),
    answerStart,
    answer: text.slice(answerStart).trim(),
  };
}

/** Clause and sentence boundaries of a text, and how much content each sentence holds. */
export interface Segmentation {
  /** Start offsets of clauses, ascending; the first is 0. */
  clauseStarts: number[];
  /** Start offsets of sentences, ascending; the first is 0. */
  sentenceStarts: number[];
  /** Letters, digits and ideographs per sentence (no spaces or punctuation). */
  sentenceContent: number[];
}

// Character classes for segmentation, indexed by UTF-16 code unit (BMP only; others are content).
const CONTENT = 0;
const SPACE = 1;
const CLAUSE = 2; // ends a clause: , ; : and their full-width forms
const SENTENCE = 3; // ends a sentence: 。！？!? newline < > (think tags)
const PUNCT = 4; // other punctuation: neither content nor boundary
const DOT = 5; // '.', a sentence end unless between digits (2.5 mg)

const CLASS = new Uint8Array(65536);
for (const ch of ' \t\r\u00a0\u3000') CLASS[ch.charCodeAt(0)] = SPACE;
for (const ch of ',;:，；：') CLASS[ch.charCodeAt(0)] = CLAUSE;
for (const ch of '。！？!?\n<>') CLASS[ch.charCodeAt(0)] = SENTENCE;
for (const ch of '、"\'“”‘’()（）[]【】{}《》〈〉-—–_*#/\\|~`…·•=+^&%$@') CLASS[ch.charCodeAt(0)] = PUNCT;
CLASS['.'.charCodeAt(0)] = DOT;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** One pass over the text; linear, no regular expressions. */
export function segment(text: string): Segmentation {
  const clauseStarts = [0];
  const sentenceStarts = [0];
  const sentenceContent: number[] = [];
  let content = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    let kind = CLASS[code]!;
    if (kind === DOT)
      kind =
        i > 0 && i + 1 < n && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1)) ? PUNCT : SENTENCE;
    if (kind === CONTENT) {
      content++;
    } else if (kind === CLAUSE) {
      clauseStarts.push(i + 1);
    } else if (kind === SENTENCE) {
      clauseStarts.push(i + 1);
      sentenceStarts.push(i + 1);
      sentenceContent.push(content);
      content = 0;
    }
  }
  sentenceContent.push(content);
  return { clauseStarts, sentenceStarts, sentenceContent };
}

/** True for letters, digits and ideographs: what counts as content in a sentence. */
export function isContent(code: number): boolean {
  return CLASS[code] === CONTENT;
}

/** Index of the segment (clause or sentence) that contains `offset`: binary search over starts. */
export function segmentIndex(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** True for a-z (after folding). */
export function isAsciiLetter(code: number): boolean {
  return code >= 97 && code <= 122;
}

export { isDigit };

/** Clamps to [lo, hi]. */
export function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

/** Rounds away binary noise (0.1 + 0.2) so that values and documented points compare exactly. */
export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
