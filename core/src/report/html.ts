/**
 * HTML building blocks for reports: escaping, number formats, tables and the page shell.
 * The page loads nothing: CSS is inline, charts are inline SVG or drawn by inline scripts allowed by
 * their hash, and a Content-Security-Policy forbids every fetch, so the file opens offline and
 * cannot leak data to a server.
 */
import { escapeUTF8 } from 'entities/escape';

/** Escapes text for HTML element content and double-quoted attributes (& < > " '). */
export function escapeHtml(text: unknown): string {
  return escapeUTF8(String(text ?? ''));
}

/** A number with `digits` decimals; an em dash for null, undefined or non-finite. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/**
 * A logged stat: 4 decimals, or 3 significant digits in exponent form when that would hide it
 * (a learning rate of 1.41e-5 is not `0.0000`; a token count of 2.5e6 is not 2500000.0000).
 */
export function formatStat(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return value.toExponential(2).replace('e+', 'e');
  return value.toFixed(4);
}

/** A share in [0, 1] as a percentage with one decimal. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** A signed number (`+0.125`, `−0.040`), for differences. */
export function formatSigned(value: number | null | undefined, format: (v: number) => string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (Math.abs(value) < 1e-9) return format(0); // float noise of a difference that is zero
  return value > 0 ? `+${format(value)}` : value < 0 ? `−${format(-value)}` : format(0);
}

/** A table cell: raw HTML (already escaped) with an optional class. */
export interface Cell {
  html: string;
  className?: string;
  title?: string;
}

export const text = (value: unknown, className?: string): Cell => ({ html: escapeHtml(value), className });

/** A table with escaped headers; cells are given as already-safe HTML. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[], caption?: string): string {
  const head = headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${row
          .map(
            (cell) =>
              `<td${cell.className ? ` class="${escapeHtml(cell.className)}"` : ''}${cell.title ? ` title="${escapeHtml(cell.title)}"` : ''}>${cell.html}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table>${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A summary card: a big number and a label. */
export function card(label: string, value: string, note?: string, className = ''): string {
  return `<div class="card ${escapeHtml(className)}"><div class="card-value">${escapeHtml(value)}</div><div class="card-label">${escapeHtml(label)}</div>${note ? `<div class="card-note">${escapeHtml(note)}</div>` : ''}</div>`;
}

/** Long text in a pre-wrapped block (prompts, answers). */
export function textBlock(value: string, className = 'text-block'): string {
  return `<pre class="${escapeHtml(className)}">${escapeHtml(value)}</pre>`;
}

const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-soft: #f6f8fa;
  --good: #1a7f37; --bad: #cf222e; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif;
  color: var(--fg); background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 24px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 20px 0 6px; }
p.meta, .muted { color: var(--muted); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-soft); padding: 1px 4px; border-radius: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--bg-soft); }
.card-value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card-label { color: var(--muted); }
.card-note { font-size: 12px; color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; overflow-x: auto; background: #fff; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart figcaption { font-size: 12px; color: var(--muted); padding: 4px 4px 0; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; min-width: 50%; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: var(--bg-soft); font-weight: 600; position: sticky; top: 0; }
td.text, th.text { text-align: left; }
td .ci { color: var(--muted); font-size: 12px; display: block; }
.good { color: var(--good); }
.bad { color: var(--bad); }
details.sample { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 12px; }
details.sample summary { cursor: pointer; font-weight: 600; }
pre.text-block { white-space: pre-wrap; word-break: break-word; background: var(--bg-soft); border-radius: 6px; padding: 8px 10px;
  font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; max-height: 420px; overflow: auto; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; background: var(--bg-soft); border: 1px solid var(--line); margin-right: 4px; }
.badge.bad { border-color: var(--bad); }
.badge.good { border-color: var(--good); }
nav.toc a { margin-right: 14px; color: var(--accent); text-decoration: none; }
@media print { figure.chart, details.sample { break-inside: avoid; } }
`;

export interface PageOptions {
  /** More CSS (chart styles). */
  css?: string;
  /** CSP sources (`'sha256-...'`) of the inline scripts the page may run; none by default. */
  scriptHashes?: readonly string[];
  /** Reload the page every this many seconds (`medrl report --watch` while a run is going). */
  refreshSeconds?: number;
}

/** The whole page: title, inline CSS, a CSP that blocks every external load, and the body. */
export function page(title: string, body: string, options: PageOptions = {}): string {
  const scripts = options.scriptHashes?.length ? `; script-src ${options.scriptHashes.join(' ')}` : '';
  const refresh = options.refreshSeconds ? `\n<meta http-equiv="refresh" content="${options.refreshSeconds}">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:${scripts}">${refresh}
<title>${escapeHtml(title)}</title>
<style>${CSS}${options.css ?? ''}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
