/**
 * Negation-aware reading of phrase hits. A hit of a target lexicon is *negated* when, in the same
 * clause, a negation cue ends at most `window` characters before it (不建议就医, no need to go to
 * the ER) or a post-negation cue starts at most `window` characters after it (去急诊没有必要,
 * warfarin is contraindicated). A cue preceded in its clause by a conditional (如果…不缓解, if it
 * does not improve) negates nothing; a breaker (但是, but) ends a cue's scope; a hit inside a longer
 * shadow phrase is ignored (勿 in 勿延误, don't in don't hesitate, 可能 in 不可能). Linear in the hits.
 *
 * Marks are written into a reusable `Marks` buffer (one per component; scoring is synchronous), so
 * reading a completion allocates nothing.
 */
import {
  HIT_CLAUSE,
  HIT_END,
  HIT_FIELDS,
  HIT_PHRASE,
  HIT_SENTENCE,
  HIT_START,
  type PhraseScanner,
  type ScanResult,
} from './scanner.js';

/** Group ids of the negation lexicons of one component. */
export interface NegationGroups {
  pre: number;
  post: number;
  conditional: number;
  breaker: number;
  shadow: number;
  /** Maximum characters between a cue and its target. */
  window: number;
}

const PRE = 1;
const POST = 2;
const COND = 3;
const BREAK = 4;
const TARGET = 5;

/** Mark flag: a negation cue applies. */
export const NEGATED = 1;
/** Mark flag: a conditional (if, 如果) precedes the hit in its clause. */
export const CONDITIONAL = 2;

/**
 * The marks of one text: hits of the target groups, read in context, in hit order. Mark i is
 * `group[i]`, `start[i]`, ... for i < count. One mark per (hit, target group) pair.
 */
export class Marks {
  count = 0;
  group = new Int32Array(64);
  start = new Int32Array(64);
  end = new Int32Array(64);
  phrase = new Int32Array(64);
  clause = new Int32Array(64);
  sentence = new Int32Array(64);
  flags = new Uint8Array(64);
  /** Role while marking (cues are dropped at the end). */
  private role = new Uint8Array(64);

  isNegated(i: number): boolean {
    return (this.flags[i]! & NEGATED) !== 0;
  }

  isConditional(i: number): boolean {
    return (this.flags[i]! & CONDITIONAL) !== 0;
  }

  private grow(): void {
    const size = this.group.length * 2;
    const int = (old: Int32Array): Int32Array<ArrayBuffer> => {
      const grown = new Int32Array(size);
      grown.set(old);
      return grown;
    };
    this.group = int(this.group);
    this.start = int(this.start);
    this.end = int(this.end);
    this.phrase = int(this.phrase);
    this.clause = int(this.clause);
    this.sentence = int(this.sentence);
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.flags = flags;
    const role = new Uint8Array(size);
    role.set(this.role);
    this.role = role;
  }

  /**
   * Replaces the content with the marks of the target groups (`isTarget[group] === 1`) of a scan;
   * `scanner` is the one that made it (it knows each phrase's groups).
   */
  read(scan: ScanResult, scanner: PhraseScanner, isTarget: Uint8Array, neg: NegationGroups): void {
    const hits = scan.hits;
    const { groupStart, groupList } = scanner;
    let shadowStart = -1;
    let shadowEnd = -1;
    let n = 0;
    let targets = 0;
    for (let h = 0, at = 0; h < scan.hitCount; h++, at += HIT_FIELDS) {
      const start = hits[at + HIT_START]!;
      const end = hits[at + HIT_END]!;
      const phrase = hits[at + HIT_PHRASE]!;
      // A hit strictly inside a longer shadow phrase is not read at all.
      const shadowed = start >= shadowStart && end <= shadowEnd && end - start < shadowEnd - shadowStart;
      for (let k = groupStart[phrase]!, kEnd = groupStart[phrase + 1]!; k < kEnd; k++) {
        const group = groupList[k]!;
        if (group === neg.shadow) {
          if (end > shadowEnd) {
            shadowStart = start;
            shadowEnd = end;
          }
          continue;
        }
        if (shadowed) continue;
        let role = 0;
        if (group < isTarget.length && isTarget[group] === 1) role = TARGET;
        else if (group === neg.pre) role = PRE;
        else if (group === neg.post) role = POST;
        else if (group === neg.conditional) role = COND;
        else if (group === neg.breaker) role = BREAK;
        if (role === 0) continue;
        if (n === this.group.length) this.grow();
        if (role === TARGET) targets++;
        this.role[n] = role;
        this.group[n] = group;
        this.start[n] = start;
        this.end[n] = end;
        this.phrase[n] = phrase;
        this.clause[n] = hits[at + HIT_CLAUSE]!;
        this.sentence[n] = hits[at + HIT_SENTENCE]!;
        this.flags[n] = 0;
        n++;
      }
    }
    this.count = 0;
    if (targets === 0) return;
    const { role, clause, start, end, flags } = this;

    // Forward: pre-negation cues and conditionals.
    let negClause = -1;
    let negEnd = -1;
    let condClause = -1;
    for (let i = 0; i < n; i++) {
      const r = role[i]!;
      if (r === TARGET) {
        if (condClause === clause[i]) flags[i] = flags[i]! | CONDITIONAL;
        if (negClause === clause[i] && negEnd <= start[i]! && start[i]! - negEnd <= neg.window)
          flags[i] = flags[i]! | NEGATED;
      } else if (r === PRE) {
        if (condClause !== clause[i]) {
          negClause = clause[i]!;
          negEnd = end[i]!;
        }
      } else if (r === COND) condClause = clause[i]!;
      else if (r === BREAK) negClause = -1;
    }
    // Backward: post-negation cues (the nearest one after the target).
    let postClause = -1;
    let postStart = -1;
    for (let i = n - 1; i >= 0; i--) {
      const r = role[i]!;
      if (r === TARGET) {
        if (postClause === clause[i] && postStart >= end[i]! && postStart - end[i]! <= neg.window)
          flags[i] = flags[i]! | NEGATED;
      } else if (r === POST) {
        postClause = clause[i]!;
        postStart = start[i]!;
      } else if (r === BREAK) postClause = -1;
    }
    // Keep the targets, in order.
    if (targets < n) {
      let w = 0;
      for (let i = 0; i < n; i++) {
        if (role[i] !== TARGET) continue;
        if (w !== i) {
          this.group[w] = this.group[i]!;
          start[w] = start[i]!;
          end[w] = end[i]!;
          this.phrase[w] = this.phrase[i]!;
          clause[w] = clause[i]!;
          this.sentence[w] = this.sentence[i]!;
          flags[w] = flags[i]!;
        }
        w++;
      }
    }
    this.count = targets;
  }
}

/** Registers a component's negation lexicons in a phrase index. */
export function addNegationGroups(
  index: { add(phrases: readonly string[]): number },
  options: {
    pre: readonly string[];
    post: readonly string[];
    conditional: readonly string[];
    breaker: readonly string[];
    shadow: readonly string[];
    window: number;
  },
): NegationGroups {
  return {
    pre: index.add(options.pre),
    post: index.add(options.post),
    conditional: index.add(options.conditional),
    breaker: index.add(options.breaker),
    shadow: index.add(options.shadow),
    window: options.window,
  };
}
