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

/** Default points keyed by rule id. */
export function defaultPoints(rules: readonly RuleInfo[]): Record<string, number> {
  return Object.fromEntries(rules.map((r) => [r.id, r.points]));
}
