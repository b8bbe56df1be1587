/**
 * Negation-aware reading of phrase hits. A hit of a target lexicon is *negated* when, in the same
 * clause, a negation cue ends at most `window` characters before it (不建议就医, no need to go to
 * the ER) or a post-negation cue starts at most `window` characters after it (去急诊没有必要,
 * warfarin is contraindicated). A cue preceded in its clause by a conditional (如果…不缓解, if it
 * does not improve) negates nothing; a breaker (但是, but) ends a cue's scope; a hit inside a longer
 * shadow phrase is ignored (勿 in 勿延误, don't in don't hesitate, 可能 in 不可能). Linear in the hits.
 */
import type { ScanResult } from './scanner.js';

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

/** A hit of one target group, read in context. */
export interface Mark {
  group: number;
  start: number;
  end: number;
  phrase: string;
  clause: number;
  sentence: number;
  negated: boolean;
  /** A conditional (if, 如果) precedes the hit in its clause. */
  conditional: boolean;
}

const PRE = 1;
const POST = 2;
const COND = 3;
const BREAK = 4;
const TARGET = 5;

interface Entry extends Mark {
  role: number;
}

/** Returns the marks of the target groups (`isTarget[group] === 1`), in hit order. */
export function markHits(scan: ScanResult, isTarget: Uint8Array, neg: NegationGroups): Mark[] {
  const entries: Entry[] = [];
  const { clauseStarts, sentenceStarts } = scan;
  let shadowStart = -1;
  let shadowEnd = -1;
  // Hits come by start, so clause and sentence indexes only move forward.
  let clause = 0;
  let sentence = 0;
  let targets = 0;
  for (const hit of scan.hits) {
    // A hit strictly inside a longer shadow phrase is not read at all.
    const shadowed = hit.start >= shadowStart && hit.end <= shadowEnd && hit.end - hit.start < shadowEnd - shadowStart;
    for (const group of hit.groups) {
      if (group === neg.shadow) {
        if (hit.end > shadowEnd) {
          shadowStart = hit.start;
          shadowEnd = hit.end;
        }
        continue;
      }
      if (shadowed) continue;
      let role = 0;
      if (isTarget[group] === 1) role = TARGET;
      else if (group === neg.pre) role = PRE;
      else if (group === neg.post) role = POST;
      else if (group === neg.conditional) role = COND;
      else if (group === neg.breaker) role = BREAK;
      if (role === 0) continue;
      while (clause + 1 < clauseStarts.length && clauseStarts[clause + 1]! <= hit.start) clause++;
      while (sentence + 1 < sentenceStarts.length && sentenceStarts[sentence + 1]! <= hit.start) sentence++;
      if (role === TARGET) targets++;
      entries.push({
        role,
        group,
        start: hit.start,
        end: hit.end,
        phrase: hit.phrase,
        clause,
        sentence,
        negated: false,
        conditional: false,
      });
    }
  }
  if (targets === 0) return [];

  // Forward: pre-negation cues and conditionals.
  let negClause = -1;
  let negEnd = -1;
  let condClause = -1;
  for (const e of entries) {
    if (e.role === TARGET) {
      if (condClause === e.clause) e.conditional = true;
      if (negClause === e.clause && negEnd <= e.start && e.start - negEnd <= neg.window) e.negated = true;
    } else if (e.role === PRE) {
      if (condClause !== e.clause) {
        negClause = e.clause;
        negEnd = e.end;
      }
    } else if (e.role === COND) condClause = e.clause;
    else if (e.role === BREAK) negClause = -1;
  }
  // Backward: post-negation cues (the nearest one after the target).
  let postClause = -1;
  let postStart = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.role === TARGET) {
      if (postClause === e.clause && postStart >= e.end && postStart - e.end <= neg.window) e.negated = true;
    } else if (e.role === POST) {
      postClause = e.clause;
      postStart = e.start;
    } else if (e.role === BREAK) postClause = -1;
  }
  if (targets === entries.length) return entries;
  const marks: Mark[] = [];
  for (const e of entries) if (e.role === TARGET) marks.push(e);
  return marks;
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
