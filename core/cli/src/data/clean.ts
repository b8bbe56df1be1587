/**
 * Text cleaning for raw records: HTML entities and tags, control and zero-width characters, Unicode
 * NFC and whitespace. Each function is pure; `CleanFlags` records what was changed so that stats.json
 * can say how dirty the input was.
 */
import { decodeHTML } from 'entities';

export interface CleanFlags {
  /** HTML tags or comments were removed. */
  html: boolean;
  /** HTML entities were decoded. */
  entities: boolean;
  /** Control or zero-width characters were removed. */
  control: boolean;
}

export function emptyCleanFlags(): CleanFlags {
  return { html: false, entities: false, control: false };
}

/** Only real HTML tag names are stripped, so `<think>` and text such as `血糖<3.9` survive. */
const HTML_TAGS =
  'a|abbr|b|big|blockquote|body|br|center|code|div|em|font|h[1-6]|head|hr|html|i|img|label|li|meta|ol|p|pre|' +
  'section|small|span|strong|sub|sup|table|tbody|td|tfoot|th|thead|tr|u|ul|article|header|footer|nav|link|input';
const SCRIPT_OR_STYLE = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const HTML_COMMENT = /<!--[\s\S]*?-->/g;
const BLOCK_BREAK = new RegExp(`<(?:br|hr)\\b[^>]*>|</(?:p|div|li|h[1-6]|tr|table|ul|ol|blockquote|section)\\s*>`, 'gi');
const ANY_TAG = new RegExp(`</?(?:${HTML_TAGS})\\b[^<>]*>`, 'gi');
const ENTITY = /&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});?/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2060\ufeff]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2060\ufeff]/;
// eslint-disable-next-line no-control-regex
const MAY_CHANGE_UNDER_NFC = /[^\u0000-\u02ff\u2002-\u206f\u3000-\u3029\u3030-\u303f\u4e00-\u9fff\uff00-\uffef]/;
const SPACES = /[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
/** Anything normalizeWhitespace would change; most clean text has none, and one test is cheaper than four replaces. */
const WHITESPACE_WORK = /[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]| {2}| \n|\n |\n\n\n|^\s|\s$/;

/** Decodes HTML entities, twice at most (to undo double encoding such as `&amp;lt;`). */
export function decodeEntities(text: string, flags: CleanFlags): string {
  let out = text;
  for (let pass = 0; pass < 2 && out.includes('&') && ENTITY.test(out); pass++) {
    const decoded = decodeHTML(out);
    if (decoded === out) break;
    flags.entities = true;
    out = decoded;
  }
  return out;
}

/** Removes HTML tags, comments, scripts and styles; block-level tags become line breaks. */
export function stripHtml(text: string, flags: CleanFlags): string {
  if (!text.includes('<')) return text;
  const out = text
    .replace(SCRIPT_OR_STYLE, '')
    .replace(HTML_COMMENT, '')
    .replace(BLOCK_BREAK, '\n')
    .replace(ANY_TAG, '');
  if (out !== text) flags.html = true;
  return out;
}

/** Removes control and zero-width characters and normalises line ends to `\n`. */
export function removeControl(text: string, flags: CleanFlags): string {
  const out = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  if (!HAS_CONTROL.test(out)) return out;
  flags.control = true;
  return out.replace(CONTROL, '');
}

/**
 * Unicode NFC. Text made only of ranges that NFC leaves alone (ASCII to Latin Extended, general
 * punctuation except the two quads, CJK punctuation except its combining marks, CJK unified
 * ideographs, full-width forms), which is most Chinese and English text, skips the ICU call.
 */
export function toNfc(text: string): string {
  return MAY_CHANGE_UNDER_NFC.test(text) ? text.normalize('NFC') : text;
}

/** Collapses runs of spaces, trims every line, keeps at most one blank line, trims the text. */
export function normalizeWhitespace(text: string): string {
  if (!WHITESPACE_WORK.test(text)) return text;
  return text
    .replace(SPACES, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The whole cleaning chain for one field. */
export function cleanText(text: string, flags: CleanFlags): string {
  let out = decodeEntities(text, flags);
  out = stripHtml(out, flags);
  out = removeControl(out, flags);
  out = toNfc(out);
  return normalizeWhitespace(out);
}

const THINK_BLOCK = /^\s*<think>([\s\S]*?)<\/think>/i;

/** Splits an R1-style `<think>reasoning</think>answer` into its parts; text without a think block is all answer. */
export function splitThink(text: string): { think: string; answer: string } {
  const match = THINK_BLOCK.exec(text);
  if (match === null) return { think: '', answer: text };
  return { think: match[1], answer: text.slice(match[0].length) };
}

/** The R1-style target written to `output`; an empty think block is kept so that every target has one. */
export function joinThink(think: string, answer: string): string {
  return `<think>\n${think}\n</think>\n\n${answer}`;
}
