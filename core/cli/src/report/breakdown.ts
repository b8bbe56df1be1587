/** A reward breakdown as an HTML table: one row per component with raw, weight, weighted and reasons. */
import type { RewardBreakdown } from '@medrl/sdk';
import { escapeHtml, formatNumber, table, text } from './html.js';

/** A component as a run's rollouts.jsonl may store it: a full breakdown or just a number. */
export type LooseComponent =
  number | null | { raw?: number | null; weight?: number; weighted?: number | null; reasons?: unknown };

/** The breakdown table; `total` and `gate` go into the caption. */
export function breakdownTable(
  breakdown: Pick<RewardBreakdown, 'total' | 'gate' | 'dropped'> & { components: Record<string, LooseComponent> },
): string {
  const rows = Object.entries(breakdown.components).map(([name, component]) => {
    const c = typeof component === 'number' || component === null ? { raw: component } : component;
    const reasons = Array.isArray(c.reasons) ? c.reasons.map(String) : [];
    return [
      text(name),
      text(formatNumber(c.raw ?? null)),
      text(formatNumber(c.weight ?? null, 2)),
      text(formatNumber(c.weighted ?? null)),
      { html: reasons.map((r) => `<code>${escapeHtml(r)}</code>`).join(' '), className: 'text' },
    ];
  });
  const caption = [
    `total ${formatNumber(breakdown.total)}`,
    breakdown.gate ? `gate: ${breakdown.gate}` : '',
    breakdown.dropped ? `dropped: ${breakdown.dropped}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return table(['component', 'raw', 'weight', 'weighted', 'reasons'], rows, caption);
}
