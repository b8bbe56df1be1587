/**
 * Negation-aware reading of phrase hits. A hit of a target lexicon is *negated* when, in the same
 * clause, a negation cue ends at most `window` characters before it (不建议就医, no need to go to
 * the ER) or a post-negation cue starts at most `window` characters after it (去急诊没有必要,
 * warfarin is contraindicated). A cue preceded in its clause by a conditional (如果…不缓解, if it
 * does not improve) negates nothing; a breaker (但是, but) ends a cue's scope; a hit inside a longer
 * shadow phrase is ignored (勿 in 勿延误, don't in don't hesitate, 可能 in 不可能). Linear in the hits.
 *
 * ./analysis.ts appends the marks of a text to a `Marks` store (`appendCue` / `appendTarget`, then
 * `resolve`); a component copies its own marks into its own reusable `Marks` (`select`), so reading a
 * completion allocates nothing.
 */

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

/** Roles while marking (cues are dropped by `resolve`). */
export const PRE = 1;
export const POST = 2;
export const COND = 3;
export const BREAK = 4;
export const TARGET = 5;

/** Mark flag: a negation cue applies. */
export const NEGATED = 1;
/** Mark flag: a conditional (if, 如果) precedes the hit in its clause. */
export const CONDITIONAL = 2;

/**
 * Marks: hits of target groups, read in context, in hit order. Mark i is `group[i]`, `start[i]`, ...
 * for i < count. One mark per (hit, target group) pair.
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
  /** Role while marking. */
  role = new Uint8Array(64);

  isNegated(i: number): boolean {
    return (this.flags[i]! & NEGATED) !== 0;
  }

  isConditional(i: number): boolean {
    return (this.flags[i]! & CONDITIONAL) !== 0;
  }

  /** Makes room for `size` marks, keeping the first `count`. */
  reserve(size: number): void {
    if (size <= this.group.length) return;
    let capacity = this.group.length * 2;
    while (capacity < size) capacity *= 2;
    const int = (old: Int32Array): Int32Array<ArrayBuffer> => {
      const grown = new Int32Array(capacity);
      grown.set(old.subarray(0, this.count));
      return grown;
    };
    this.group = int(this.group);
    this.start = int(this.start);
    this.end = int(this.end);
    this.phrase = int(this.phrase);
    this.clause = int(this.clause);
    this.sentence = int(this.sentence);
    const flags = new Uint8Array(capacity);
    flags.set(this.flags.subarray(0, this.count));
    this.flags = flags;
    const role = new Uint8Array(capacity);
    role.set(this.role.subarray(0, this.count));
    this.role = role;
  }

  /** Drops buffers grown by a huge input (do not pin megabytes); only when empty. */
  shrink(): void {
    if (this.count === 0 && this.group.length > 1 << 16) {
      const fresh = new Marks();
      this.group = fresh.group;
      this.start = fresh.start;
      this.end = fresh.end;
      this.phrase = fresh.phrase;
      this.clause = fresh.clause;
      this.sentence = fresh.sentence;
      this.flags = fresh.flags;
      this.role = fresh.role;
    }
  }

  /**
   * Negation flags of the marks in [from, count), then only the targets are kept, in order; returns
   * the number of targets. Every mark from `from` on belongs to one text.
   */
  resolve(from: number, neg: NegationGroups): number {
    const to = this.count;
    const { role, clause, start, end, flags } = this;
    let targets = 0;
    // Forward: pre-negation cues and conditionals.
    let negClause = -1;
    let negEnd = -1;
    let condClause = -1;
    for (let i = from; i < to; i++) {
      const r = role[i]!;
      if (r === TARGET) {
        targets++;
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
    if (targets === 0) {
      this.count = from;
      return 0;
    }
    // Backward: post-negation cues (the nearest one after the target).
    let postClause = -1;
    let postStart = -1;
    for (let i = to - 1; i >= from; i--) {
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
    if (targets < to - from) {
      let w = from;
      for (let i = from; i < to; i++) {
        if (role[i] !== TARGET) continue;
        if (w !== i) {
          this.group[w] = this.group[i]!;
          start[w] = start[i]!;
          end[w] = end[i]!;
          this.phrase[w] = this.phrase[i]!;
          clause[w] = clause[i]!;
          this.sentence[w] = this.sentence[i]!;
          flags[w] = flags[i]!;
          role[w] = TARGET;
        }
        w++;
      }
    }
    this.count = from + targets;
    return targets;
  }

  /** Replaces the content with the marks `[from, to)` of `source` whose group is a target here. */
  select(source: Marks, from: number, to: number, isTarget: Uint8Array): void {
    this.count = 0;
    this.reserve(to - from);
    const targets = isTarget.length;
    let n = 0;
    for (let i = from; i < to; i++) {
      const group = source.group[i]!;
      if (group >= targets || isTarget[group] !== 1) continue;
      this.group[n] = group;
      this.start[n] = source.start[i]!;
      this.end[n] = source.end[i]!;
      this.phrase[n] = source.phrase[i]!;
      this.clause[n] = source.clause[i]!;
      this.sentence[n] = source.sentence[i]!;
      this.flags[n] = source.flags[i]!;
      n++;
    }
    this.count = n;
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
