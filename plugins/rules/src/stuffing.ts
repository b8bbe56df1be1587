/**
 * Keyword-stuffing detection for lexicons that earn points: a sentence that is a bare list of
 * rewarded phrases (就医、急诊、120、遵医嘱 / see a doctor, call 911, ER) earns nothing, and a rewarded
 * phrase repeated more than `maxRepeats` times flags the whole answer.
 */
import type { Mark } from './marking.js';
import type { StuffingOptions } from './options.js';
import type { ScanResult } from './scanner.js';
import { isContent } from './text.js';

export interface StuffingFinding {
  /** Sentences whose rewarded phrases must not count. */
  listSentences: Set<number>;
  /** Phrases found more than `maxRepeats` times. */
  repeated: string[];
}

/** Letters inside [start, end) of the text. */
function contentIn(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = start; i < end; i++) if (isContent(text.charCodeAt(i))) count++;
  return count;
}

/** `rewarded` are the non-negated marks of rewarded lexicons, in hit order. */
export function findStuffing(scan: ScanResult, rewarded: readonly Mark[], options: StuffingOptions): StuffingFinding {
  const listSentences = new Set<number>();
  const repeated: string[] = [];
  // Too few phrases for a list or for a repeat: nothing to look at (the common case).
  if (rewarded.length < options.minListHits && rewarded.length <= options.maxRepeats)
    return { listSentences, repeated };

  const counts = new Map<string, number>();
  let lastStart = -1;
  let lastPhrase = '';
  for (const mark of rewarded) {
    // A phrase in several rewarded lexicons yields one mark per lexicon: count the occurrence once.
    if (mark.start === lastStart && mark.phrase === lastPhrase) continue;
    lastStart = mark.start;
    lastPhrase = mark.phrase;
    const count = (counts.get(mark.phrase) ?? 0) + 1;
    counts.set(mark.phrase, count);
    if (count === options.maxRepeats + 1) repeated.push(mark.phrase);
  }

  if (rewarded.length >= options.minListHits) {
    // Per sentence: distinct phrases and the letters their union covers (marks come by start).
    let i = 0;
    while (i < rewarded.length) {
      const sentence = rewarded[i]!.sentence;
      const distinct = new Set<string>();
      let covered = 0;
      let runStart = -1;
      let runEnd = -1;
      for (; i < rewarded.length && rewarded[i]!.sentence === sentence; i++) {
        const mark = rewarded[i]!;
        distinct.add(mark.phrase);
        if (mark.start > runEnd) {
          if (runEnd > runStart) covered += contentIn(scan.text, runStart, runEnd);
          runStart = mark.start;
          runEnd = mark.end;
        } else if (mark.end > runEnd) {
          runEnd = mark.end;
        }
      }
      if (runEnd > runStart) covered += contentIn(scan.text, runStart, runEnd);
      const content = scan.sentenceContent[sentence] ?? 0;
      if (distinct.size >= options.minListHits && content > 0 && covered / content >= options.listCoverage) {
        listSentences.add(sentence);
      }
    }
  }
  return { listSentences, repeated };
}
