/**
 * Keyword-stuffing detection for lexicons that earn points: a sentence that is a bare list of
 * rewarded phrases (就医、急诊、120、遵医嘱 / see a doctor, call 911, ER) earns nothing, and a rewarded
 * phrase repeated more than `maxRepeats` times flags the whole answer. One detector per component,
 * reused from text to text.
 */
import type { Marks } from './marking.js';
import type { StuffingOptions } from './options.js';
import { type Analysis, sentenceContent } from './analysis.js';
import type { PhraseScanner } from './scanner.js';
import { StampSet } from './stamp-set.js';
import { isContent } from './text.js';

/** Letters inside [start, end) of the text. */
function contentIn(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) if (isContent(text.charCodeAt(i))) count++;
  return count;
}

export class StuffingDetector {
  /** Sentences whose rewarded phrases must not count (after `find`). */
  readonly listSentences = new StampSet();
  /** Phrases found more than `maxRepeats` times (after `find`). */
  repeated: string[] = [];
  private readonly counts = new Int32Array(0);
  private readonly touched: number[] = [];
  private readonly distinct = new StampSet();

  constructor(
    private readonly options: StuffingOptions,
    private readonly scanner: PhraseScanner,
  ) {
    this.counts = new Int32Array(scanner.size);
  }

  /** True when `find` found a listed sentence or a repeated phrase. */
  get stuffed(): boolean {
    return this.listSentences.size > 0 || this.repeated.length > 0;
  }

  /** `rewarded[0 .. count)` are indexes of the non-negated marks of rewarded lexicons, in mark order. */
  find(scan: Analysis, marks: Marks, rewarded: Int32Array, count: number): void {
    const options = this.options;
    this.listSentences.clear();
    if (this.repeated.length > 0) this.repeated = [];
    // Too few phrases for a list or for a repeat: nothing to look at (the common case).
    if (count < options.minListHits && count <= options.maxRepeats) return;

    const counts = this.counts;
    let lastStart = -1;
    let lastPhrase = -1;
    for (let r = 0; r < count; r++) {
      const i = rewarded[r]!;
      const phrase = marks.phrase[i]!;
      const start = marks.start[i]!;
      // A phrase in several rewarded lexicons yields one mark per lexicon: count the occurrence once.
      if (start === lastStart && phrase === lastPhrase) continue;
      lastStart = start;
      lastPhrase = phrase;
      if (counts[phrase] === 0) this.touched.push(phrase);
      const seen = ++counts[phrase]!;
      if (seen === options.maxRepeats + 1) this.repeated.push(this.scanner.phrase(phrase));
    }
    for (const phrase of this.touched) counts[phrase] = 0;
    this.touched.length = 0;

    if (count >= options.minListHits) {
      // Per sentence: distinct phrases, then (only for a sentence with enough of them) the letters
      // their union covers (marks come by start).
      let r = 0;
      while (r < count) {
        const first = r;
        const sentence = marks.sentence[rewarded[r]!]!;
        this.distinct.clear();
        for (; r < count && marks.sentence[rewarded[r]!] === sentence; r++)
          this.distinct.add(marks.phrase[rewarded[r]!]!);
        if (this.distinct.size < options.minListHits) continue;
        let covered = 0;
        let runStart = -1;
        let runEnd = -1;
        for (let q = first; q < r; q++) {
          const i = rewarded[q]!;
          const start = marks.start[i]!;
          const end = marks.end[i]!;
          if (start > runEnd) {
            if (runEnd > runStart) covered += contentIn(scan.text, runStart, runEnd);
            runStart = start;
            runEnd = end;
          } else if (end > runEnd) {
            runEnd = end;
          }
        }
        if (runEnd > runStart) covered += contentIn(scan.text, runStart, runEnd);
        const content = sentenceContent(scan, sentence);
        if (content > 0 && covered / content >= options.listCoverage) this.listSentences.add(sentence);
      }
    }
  }
}
