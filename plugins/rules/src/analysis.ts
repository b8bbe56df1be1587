/**
 * One reading of a text shared by rules/keyword and rules/safety: the phrase hits of the plugin's
 * automaton (./automaton.ts), their clauses and sentences, the negation marks (./marking.ts) of the
 * target lexicons of every component that reads with the same negation options, and the answer's
 * bounds. A completion is read once for both components.
 *
 * Nothing is allocated per text but one small `Analysis` object: marks and sentence starts are
 * appended to a store (struct of typed arrays) that a batch reuses. The analyses of the last batch of
 * rollouts are kept, keyed by the batch array: the plugin's components are called one after the
 * other with the same array, so the second one finds the first one's reading.
 * May import: ./automaton.js, ./marking.js, ./scanner.js, ./text.js.
 */
import type { Rollout } from '@medrl/sdk';
import { AC_HIT_FIELDS } from './automaton.js';
import { BREAK, COND, Marks, type NegationGroups, POST, PRE, TARGET } from './marking.js';
import type { PhraseScanner } from './scanner.js';
import {
  findTag,
  FOLD,
  isContent,
  isDigit,
  isTrimSpace,
  segmentClass,
  SEG_CLAUSE,
  SEG_DOT,
  SEG_SENTENCE,
} from './text.js';

/** Marks and sentence starts of the texts analysed into it. */
export class AnalysisStore {
  readonly marks = new Marks();
  sentences = new Int32Array(256);
  sentenceCount = 0;

  /** Forgets every analysis made into this store (they must not be read afterwards). */
  reset(): void {
    this.marks.count = 0;
    this.marks.shrink();
    this.sentenceCount = 0;
    if (this.sentences.length > 1 << 16) this.sentences = new Int32Array(256);
  }

  pushSentence(start: number): void {
    if (this.sentenceCount === this.sentences.length) {
      const grown = new Int32Array(this.sentences.length * 2);
      grown.set(this.sentences);
      this.sentences = grown;
    }
    this.sentences[this.sentenceCount++] = start;
  }
}

/** A text as the components read it. Valid until its store is reset. */
export interface Analysis {
  /** The text as given (folding never changes offsets). */
  readonly text: string;
  readonly store: AnalysisStore;
  /** Its marks are `store.marks[markFrom .. markTo)` (targets only, hit order, negation flags set). */
  readonly markFrom: number;
  readonly markTo: number;
  /** Start offsets of its sentences are `store.sentences[sentenceFrom .. + sentenceCount)`; the first is 0. */
  readonly sentenceFrom: number;
  readonly sentenceCount: number;
  /** Where the answer starts, on the folded text: after the first `</think>` of a leading think block, else 0. */
  readonly answerStart: number;
  /** Length of the answer after trimming whitespace. */
  readonly answerLength: number;
}

/** Letters, digits and ideographs in a sentence of an analysis (no spaces or punctuation). */
export function sentenceContent(analysis: Analysis, sentence: number): number {
  if (sentence >= analysis.sentenceCount) return 0;
  const starts = analysis.store.sentences;
  const at = analysis.sentenceFrom + sentence;
  const end = sentence + 1 < analysis.sentenceCount ? starts[at + 1]! : analysis.text.length;
  const text = analysis.text;
  let count = 0;
  for (let i = starts[at]!; i < end; i++) if (isContent(text.charCodeAt(i))) count++;
  return count;
}

const SHADOW = 6;

/** The components that read with one set of negation options: their target groups together. */
interface Profile {
  readonly negation: NegationGroups;
  /** Role of every group (TARGET, PRE, POST, COND, BREAK, SHADOW or 0). */
  readonly roles: Uint8Array;
  /** The analyses of the last batch, by the batch array. */
  batch: readonly Rollout[] | null;
  analyses: Analysis[];
}

export class Analyzer {
  private readonly profiles = new Map<NegationGroups, Profile>();
  private readonly batchStore = new AnalysisStore();
  private readonly singleStore = new AnalysisStore();
  private readonly promptStore = new AnalysisStore();

  constructor(
    private readonly scanner: PhraseScanner,
    profiles: ReadonlyMap<NegationGroups, readonly number[]>,
    groupCount: number,
  ) {
    for (const [negation, targets] of profiles) {
      const roles = new Uint8Array(groupCount);
      for (const group of targets) roles[group] = TARGET;
      roles[negation.pre] = PRE;
      roles[negation.post] = POST;
      roles[negation.conditional] = COND;
      roles[negation.breaker] = BREAK;
      roles[negation.shadow] = SHADOW;
      this.profiles.set(negation, { negation, roles, batch: null, analyses: [] });
    }
  }

  private profile(negation: NegationGroups): Profile {
    const profile = this.profiles.get(negation);
    if (!profile) throw new Error('Analyzer: negation groups that were not registered with the phrase index');
    return profile;
  }

  /**
   * The analysis of every completion of a batch. The last batch of each profile is kept: the next
   * component called with the same array gets the same analyses. A rollout whose completion changed
   * since is read again (callers check `analysis.text`).
   */
  batch(rollouts: readonly Rollout[], negation: NegationGroups): readonly Analysis[] {
    const profile = this.profile(negation);
    if (profile.batch === rollouts && profile.analyses.length === rollouts.length) return profile.analyses;
    // The store is shared by the profiles: a new batch forgets every profile's last one.
    this.batchStore.reset();
    for (const other of this.profiles.values()) {
      other.batch = null;
      other.analyses = [];
    }
    const analyses: Analysis[] = new Array<Analysis>(rollouts.length);
    for (let i = 0; i < rollouts.length; i++)
      analyses[i] = this.analyze(rollouts[i]!.completion ?? '', profile, this.batchStore);
    profile.batch = rollouts;
    profile.analyses = analyses;
    return analyses;
  }

  /** One text, outside any batch; valid until the next call of `one`. */
  one(text: string, negation: NegationGroups): Analysis {
    this.singleStore.reset();
    return this.analyze(text, this.profile(negation), this.singleStore);
  }

  /** A prompt; valid until the next call of `prompt`. */
  prompt(text: string, negation: NegationGroups): Analysis {
    this.promptStore.reset();
    return this.analyze(text, this.profile(negation), this.promptStore);
  }

  private analyze(text: string, profile: Profile, store: AnalysisStore): Analysis {
    const automaton = this.scanner.automaton;
    const hitCount = automaton && text.length > 0 ? automaton.scan(text) : 0;
    const { groupStart, groupList } = this.scanner;
    const roles = profile.roles;
    const marks = store.marks;
    const markFrom = marks.count;
    const sentenceFrom = store.sentenceCount;
    store.pushSentence(0);
    const n = text.length;

    // One pass over the hits (by start) and the boundary units the automaton saw: each hit gets the
    // clause and sentence of its start, and becomes a mark per target or cue group of its phrase.
    const found = automaton ? automaton.hits : marks.group;
    const boundaries = automaton ? automaton.boundaries : marks.group;
    const boundaryCount = automaton ? automaton.boundaryCount : 0;
    let clause = 0;
    let sentence = 0;
    let b = 0;
    let shadowStart = -1;
    let shadowEnd = -1;
    let m = markFrom;
    for (let h = 0; h <= hitCount; h++) {
      const at = h * AC_HIT_FIELDS;
      const start = h < hitCount ? found[at]! : n;
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
          sentence++;
          store.pushSentence(i + 1);
        }
      }
      if (h === hitCount) break;
      const end = found[at + 1]!;
      const phrase = found[at + 2]!;
      // A hit strictly inside a longer shadow phrase is not read at all.
      const shadowed = start >= shadowStart && end <= shadowEnd && end - start < shadowEnd - shadowStart;
      for (let k = groupStart[phrase]!, kEnd = groupStart[phrase + 1]!; k < kEnd; k++) {
        const group = groupList[k]!;
        const role = roles[group]!;
        if (role === 0) continue;
        if (role === SHADOW) {
          if (end > shadowEnd) {
            shadowStart = start;
            shadowEnd = end;
          }
          continue;
        }
        if (shadowed) continue;
        if (m === marks.group.length) {
          marks.count = m;
          marks.reserve(m + 1);
        }
        marks.role[m] = role;
        marks.group[m] = group;
        marks.start[m] = start;
        marks.end[m] = end;
        marks.phrase[m] = phrase;
        marks.clause[m] = clause;
        marks.sentence[m] = sentence;
        marks.flags[m] = 0;
        m++;
      }
    }
    marks.count = m;
    marks.resolve(markFrom, profile.negation);

    const answerStart = answerStartFolded(text);
    let answerEnd = n;
    while (answerEnd > answerStart && isTrimSpace(text.charCodeAt(answerEnd - 1))) answerEnd--;
    let answerFrom = answerStart;
    while (answerFrom < answerEnd && isTrimSpace(text.charCodeAt(answerFrom))) answerFrom++;
    return {
      text,
      store,
      markFrom,
      markTo: marks.count,
      sentenceFrom,
      sentenceCount: store.sentenceCount - sentenceFrom,
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
