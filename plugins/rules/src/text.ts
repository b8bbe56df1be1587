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

/** `fold` as a table: the folded code unit of every UTF-16 code unit (folding maps units one to one). */
export const FOLD = new Uint16Array(65536);
for (let code = 0; code < 65536; code++) FOLD[code] = code;
for (let code = 65; code <= 90; code++) FOLD[code] = code + 32;
for (let code = 0xff10; code <= 0xff19; code++) FOLD[code] = code - 0xfee0;
for (let code = 0xff21; code <= 0xff3a; code++) FOLD[code] = code - 0xfee0 + 32;
for (let code = 0xff41; code <= 0xff5a; code++) FOLD[code] = code - 0xfee0;
FOLD[0x3000] = 32;

/** Index of the first occurrence of `tag` (lowercase ASCII starting with '<') in the folded text, or -1. */
export function findTag(text: string, tag: string, from: number): number {
  const last = text.length - tag.length;
  for (let i = text.indexOf('<', from); i !== -1 && i <= last; i = text.indexOf('<', i + 1)) {
    let k = 1;
    while (k < tag.length && FOLD[text.charCodeAt(i + k)] === tag.charCodeAt(k)) k++;
    if (k === tag.length) return i;
  }
  return -1;
}

/** True for the code units String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator). */
export function isTrimSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Where the parts of a completion are, as core's `splitThink` sees them. Offsets index the text. */
export class CompletionLayout {
  constructor(
    /** The completion. */
    readonly text: string,
    /** Number of `<think>` tags. */
    readonly opens: number,
    /** Number of `</think>` tags. */
    readonly closes: number,
    /** Index of the first `<think>`, or -1. */
    readonly firstOpen: number,
    /** Index of the first `</think>`, or -1. */
    readonly firstClose: number,
    /** Index of the last `<think>`, or -1. */
    readonly lastOpen: number,
    /** Index of the last `</think>`, or -1. */
    readonly lastClose: number,
    /** True when the text before the first `<think>` is only whitespace. */
    readonly thinkFirst: boolean,
    /** A complete leading think block exists (core's splitThink would split it). */
    readonly split: boolean,
    /** Start of the answer region: after the first `</think>` when `split`, else 0. */
    readonly answerStart: number,
  ) {}

  /** Length of the answer, trimmed (no string is built). */
  get answerLength(): number {
    return trimmedLength(this.text, this.answerStart, this.text.length);
  }

  /** The answer (trimmed): after the think block when `split`, else the whole text. */
  get answer(): string {
    return this.split ? this.text.slice(this.answerStart).trim() : this.text.trim();
  }

  /** Length of the think text, trimmed, when `split`. */
  get thinkLength(): number | undefined {
    return this.split ? trimmedLength(this.text, this.firstOpen + OPEN.length, this.firstClose) : undefined;
  }

  /** The think text (trimmed) when `split`, else undefined. */
  get think(): string | undefined {
    return this.split ? this.text.slice(this.firstOpen + OPEN.length, this.firstClose).trim() : undefined;
  }
}

const OPEN = '<think>';
const CLOSE = '</think>';

/** Length of `text.slice(from, to).trim()`, without building it. */
export function trimmedLength(text: string, from: number, to: number): number {
  while (to > from && isTrimSpace(text.charCodeAt(to - 1))) to--;
  while (from < to && isTrimSpace(text.charCodeAt(from))) from++;
  return to - from;
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
  // One pass over the '<'s: tags cannot overlap, so this finds what indexOf, lastIndexOf and a count of
  // each tag would.
  let opens = 0;
  let closes = 0;
  let firstOpen = -1;
  let firstClose = -1;
  let lastOpen = -1;
  let lastClose = -1;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    if (text.startsWith(OPEN, i)) {
      if (firstOpen === -1) firstOpen = i;
      lastOpen = i;
      opens++;
    } else if (text.startsWith(CLOSE, i)) {
      if (firstClose === -1) firstClose = i;
      lastClose = i;
      closes++;
    }
  }
  const thinkFirst = firstOpen !== -1 && isBlank(text, firstOpen);
  const split = thinkFirst && firstClose > firstOpen;
  const answerStart = split ? firstClose + CLOSE.length : 0;
  return new CompletionLayout(
    text,
    opens,
    closes,
    firstOpen,
    firstClose,
    lastOpen,
    lastClose,
    thinkFirst,
    split,
    answerStart,
  );
}

/**
 * The layouts of the last batch of completions, kept by the batch array: the plugin calls rules/format
 * and rules/length one after the other with the same array, so the second reads the first one's layouts.
 * A completion that changed since is laid out again.
 */
export class LayoutCache {
  private rollouts: readonly { readonly completion?: string }[] | null = null;
  private layouts: CompletionLayout[] = [];

  batch(rollouts: readonly { readonly completion?: string }[]): readonly CompletionLayout[] {
    const layouts = this.layouts;
    if (this.rollouts === rollouts && layouts.length === rollouts.length) {
      for (let i = 0; i < rollouts.length; i++) {
        const completion = rollouts[i]!.completion ?? '';
        if (layouts[i]!.text !== completion) layouts[i] = layoutOf(completion);
      }
      return layouts;
    }
    const fresh = new Array<CompletionLayout>(rollouts.length);
    for (let i = 0; i < rollouts.length; i++) fresh[i] = layoutOf(rollouts[i]!.completion ?? '');
    this.rollouts = rollouts;
    this.layouts = fresh;
    return fresh;
  }
}

// Character classes for segmentation, indexed by UTF-16 code unit (BMP only; others are content).
/** Letters, digits, ideographs. */
export const SEG_CONTENT = 0;
const SEG_SPACE = 1;
/** Ends a clause: , ; : and their full-width forms. */
export const SEG_CLAUSE = 2;
/** Ends a sentence: 。！？!? newline < > (think tags). */
export const SEG_SENTENCE = 3;
/** Other punctuation: neither content nor boundary. */
const SEG_PUNCT = 4;
/** '.', a sentence end unless between digits (2.5 mg). */
export const SEG_DOT = 5;

const CLASS = new Uint8Array(65536);
for (const ch of ' \t\r\u00a0\u3000') CLASS[ch.charCodeAt(0)] = SEG_SPACE;
for (const ch of ',;:，；：') CLASS[ch.charCodeAt(0)] = SEG_CLAUSE;
for (const ch of '。！？!?\n<>') CLASS[ch.charCodeAt(0)] = SEG_SENTENCE;
for (const ch of '、"\'“”‘’()（）[]【】{}《》〈〉-—–_*#/\\|~`…·•=+^&%$@') CLASS[ch.charCodeAt(0)] = SEG_PUNCT;
CLASS['.'.charCodeAt(0)] = SEG_DOT;

/** Segmentation class of a code unit (folding does not change it). */
export function segmentClass(code: number): number {
  return CLASS[code]!;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** True for letters, digits and ideographs: what counts as content in a sentence. */
export function isContent(code: number): boolean {
  return CLASS[code] === SEG_CONTENT;
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
