/**
 * Small text helpers shared by the composers: slot filling, list joining and length measures.
 */

/** Something that draws a number in [0, 1) (Rand.next). */
export interface Draw {
  next(): number;
}

/** Picks one alternative of every `[a~b~c]` group: cheap paraphrase inside a sentence. */
export function vary(text: string, rand: Draw): string {
  return text.replace(/\[([^[\]]*~[^[\]]*)\]/g, (_, group: string) => {
    const options = group.split('~');
    return options[Math.floor(rand.next() * options.length)];
  });
}

/** Replaces `{name}` slots (after choosing `[a~b]` alternatives when `rand` is given); a missing slot throws. */
export function fill(template: string, slots: Record<string, string>, rand?: Draw): string {
  const text = rand ? vary(template, rand) : template;
  return text.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = slots[key];
    if (value === undefined) throw new Error(`no slot {${key}} for "${template}"`);
    return value;
  });
}

/** 甲、乙和丙 */
export function zhList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join('、')}和${items[items.length - 1]}`;
}

/** a, b and c */
export function enList(items: readonly string[], conj = 'and'): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} ${conj} ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} ${conj} ${items[items.length - 1]}`;
}

/** Numbered lines: "1. …。" (zh) or "1. ….", one item a line. */
export function numbered(items: readonly string[], lang: 'zh' | 'en'): string {
  return items.map((item, i) => `${i + 1}. ${endSentence(item, lang)}`).join('\n');
}

/** Adds a full stop unless the text already ends a sentence. */
export function endSentence(text: string, lang: 'zh' | 'en'): string {
  if (/[。！？.!?]$/.test(text)) return text;
  return text + (lang === 'zh' ? '。' : '.');
}

export function capitalize(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}

/** Han characters, the unit of the Chinese length bands. */
export function hanCount(text: string): number {
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf)) n++;
  }
  return n;
}

/** Characters without whitespace: the Chinese length measure (digits and punctuation count). */
export function zhLength(text: string): number {
  return [...text.replace(/\s/g, '')].length;
}

export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[A-Za-z0-9]/.test(w)).length;
}

export function lengthOf(text: string, lang: 'zh' | 'en'): number {
  return lang === 'zh' ? zhLength(text) : wordCount(text);
}
