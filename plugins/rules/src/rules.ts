import type { ComponentScore } from '@medrl/sdk';

/**
 * Rule metadata: every rule id a component can report, its default points and how the points
 * apply. data/rl/reward_rules.md documents the same table; a test keeps the two in sync.
 */

/**
 * - `fixed`: the rule adds its points once when it fires.
 * - `scaled`: the rule adds points times a fraction in [0, 1] (e.g. how far past a band edge).
 * - `per-hit`: the rule adds its points per distinct phrase found, up to its cap.
 */
export type RuleKind = 'fixed' | 'scaled' | 'per-hit';

export interface RuleInfo {
  id: string;
  /** Default points (for `scaled`, the value at fraction 1). */
  points: number;
  kind: RuleKind;
  /** When the rule fires. */
  description: string;
  /** A completion (or prompt => completion) that makes it fire. */
  example: string;
}

/** The name every option error starts with. */
export const PLUGIN_NAME = '@medrl/plugin-rules';

/** Collects a component's fired rules and their points. */
export class Verdict {
  readonly reasons: string[] = [];
  readonly points: Record<string, number> = {};

  constructor(private readonly table: Readonly<Record<string, number>>) {}

  /** Records a rule with its configured points times `scale`; a rule configured to 0 is off. */
  fire(id: string, scale = 1): number {
    const base = this.table[id]!;
    if (base === 0) return 0;
    const value = base * scale;
    this.reasons.push(id);
    this.points[id] = (this.points[id] ?? 0) + value;
    return value;
  }

  /** Records a rule with points computed by the caller (per-hit lexicons). */
  add(id: string, value: number): number {
    this.reasons.push(id);
    this.points[id] = (this.points[id] ?? 0) + value;
    return value;
  }

  has(id: string): boolean {
    return id in this.points;
  }
}

/** A distinct sequence of steps: a node of a `ScoreTree`. */
interface TreeNode {
  readonly path: readonly number[];
  readonly next: (TreeNode | undefined)[];
  /** Scores built for this sequence, by the caller's variant (a small integer). */
  readonly scores: (ComponentScore | undefined)[];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/**
 * What a score found, as a sequence of small integer steps (a fired rule, a lexicon and its count),
 * walked in a tree of the sequences seen so far: a step allocates nothing once its sequence is known.
 * A component whose score is a function of the sequence (and of a small variant, e.g. the question's
 * context) builds it once and shares it, frozen: most answers end in one of a few hundred sequences, so
 * scoring them allocates no reasons, points or details.
 */
export class ScoreTree {
  private readonly root: TreeNode = { path: [], next: [], scores: [] };
  private node = this.root;

  /** Starts a score. */
  reset(): void {
    this.node = this.root;
  }

  /** Appends a step (a small non-negative integer). */
  step(key: number): void {
    const node = this.node;
    this.node = node.next[key] ??= { path: [...node.path, key], next: [], scores: [] };
  }

  /** The steps since `reset`. */
  get path(): readonly number[] {
    return this.node.path;
  }

  /** The shared score of the steps and `variant`, if built. */
  get(variant: number): ComponentScore | undefined {
    return this.node.scores[variant];
  }

  /** Shares `score` (frozen) as the score of the steps and `variant`; returns it. */
  set(variant: number, score: ComponentScore): ComponentScore {
    this.node.scores[variant] = deepFreeze(score);
    return score;
  }
}

/**
 * A Verdict of fixed rules (scale 1) as a `ScoreTree`: the rules fired, in order. A component whose
 * rules are all fixed shares one score per sequence (`shared`).
 */
export class FiredRules {
  private readonly slot = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly tree = new ScoreTree();
  private fired = 0;

  constructor(private readonly table: Readonly<Record<string, number>>) {
    for (const id of Object.keys(table)) {
      this.slot.set(id, this.ids.length);
      this.ids.push(id);
    }
  }

  /** Starts a score. */
  reset(): void {
    this.tree.reset();
    this.fired = 0;
  }

  /** As `Verdict.fire` with scale 1: returns the rule's points; a rule configured to 0 is off. */
  fire(id: string): number {
    const base = this.table[id]!;
    if (base === 0) return 0;
    const slot = this.slot.get(id)!;
    this.tree.step(slot);
    if (slot < 31) this.fired |= 1 << slot;
    return base;
  }

  /** The rule fired since `reset` (as `Verdict.has`). */
  has(id: string): boolean {
    const slot = this.slot.get(id)!;
    return slot < 31 ? (this.fired & (1 << slot)) !== 0 : this.tree.path.includes(slot);
  }

  /** A Verdict holding the fired rules, in order, as `Verdict.fire` recorded them. */
  verdict(): Verdict {
    const verdict = new Verdict(this.table);
    for (const slot of this.tree.path) verdict.fire(this.ids[slot]!);
    return verdict;
  }

  /** The shared score of the fired rules and `variant`, built (and frozen) on first use. */
  shared(variant: number, build: (verdict: Verdict, variant: number) => ComponentScore): ComponentScore {
    return this.tree.get(variant) ?? this.tree.set(variant, build(this.verdict(), variant));
  }
}

/** Default points keyed by rule id. */
export function defaultPoints(rules: readonly RuleInfo[]): Record<string, number> {
  return Object.fromEntries(rules.map((r) => [r.id, r.points]));
}
