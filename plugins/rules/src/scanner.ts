/**
 * Multi-pattern phrase matching over one Aho-Corasick automaton (./automaton.ts), shared by every
 * lexicon of a component (or of the whole plugin): a text is scanned once, whatever the number of
 * lexicons. Phrases are folded (lowercase, half-width) when the automaton is built; texts are
 * folded on the fly while they are matched, so offsets index the text as given. `PhraseIndex`
 * collects the lexicons and negation options of the components and builds the scanner and the
 * shared reader of texts (./analysis.ts) once.
 */
import { Analyzer } from './analysis.js';
import { PhraseAutomaton } from './automaton.js';
import { addNegationGroups, type NegationGroups } from './marking.js';
import type { NegationOptions } from './options.js';
import { fold, FOLD, isAsciiLetter, isDigit, segmentClass, SEG_CLAUSE, SEG_DOT, SEG_SENTENCE } from './text.js';

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

/** An immutable automaton over groups of phrases. Build it with `PhraseIndex`. */
export class PhraseScanner {
  /** The automaton over every phrase (null without phrases). */
  readonly automaton: PhraseAutomaton | null;
  private readonly phrases: string[] = [];
  /** Groups of phrase p: `groupList[groupStart[p] .. groupStart[p + 1])`. */
  readonly groupStart: Int32Array;
  readonly groupList: Int32Array;
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
}

/**
 * Collects lexicon groups and negation options from one or more components, then builds a single
 * scanner and reader for all of them on first use. Components keep the group ids that `add` returns
 * and the negation groups that `negation` returns.
 */
export class PhraseIndex {
  private readonly groups: (readonly string[])[] = [];
  private built: PhraseScanner | null = null;
  private builtAnalyzer: Analyzer | null = null;
  /** Negation options registered so far, with their groups and the target groups read with them. */
  private readonly profiles: { options: NegationOptions; groups: NegationGroups; targets: number[] }[] = [];

  /** Registers a lexicon; returns its group id. */
  add(phrases: readonly string[]): number {
    if (this.built) throw new Error('PhraseIndex: cannot add a lexicon after the scanner was built');
    this.groups.push(phrases);
    return this.groups.length - 1;
  }

  /**
   * Registers negation options and the target groups a component reads with them; components with
   * equal options get the same groups, and a text is then marked once for all of them.
   */
  negation(options: NegationOptions, targets: readonly number[]): NegationGroups {
    if (this.built) throw new Error('PhraseIndex: cannot add negation options after the scanner was built');
    let profile = this.profiles.find((p) => sameNegation(p.options, options));
    if (!profile) {
      profile = { options, groups: addNegationGroups(this, options), targets: [] };
      this.profiles.push(profile);
    }
    profile.targets.push(...targets);
    return profile.groups;
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

  /** The reader of texts over the scanner, for every registered negation option set (built once). */
  get analyzer(): Analyzer {
    this.builtAnalyzer ??= new Analyzer(
      this.scanner,
      new Map(this.profiles.map((p) => [p.groups, p.targets])),
      this.groups.length,
    );
    return this.builtAnalyzer;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

function sameNegation(a: NegationOptions, b: NegationOptions): boolean {
  return (
    a.window === b.window &&
    sameList(a.pre, b.pre) &&
    sameList(a.post, b.post) &&
    sameList(a.conditional, b.conditional) &&
    sameList(a.breaker, b.breaker) &&
    sameList(a.shadow, b.shadow)
  );
}
