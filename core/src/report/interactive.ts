/**
 * Interactive line charts for run reports, drawn in the browser by uPlot (a 50 kB MIT library,
 * inlined into the page like everything else): hover shows every series' value at that step,
 * a slider smooths the curves (TensorBoard's debiased exponential moving average, the raw curve
 * stays faint behind), clicking a legend entry hides a series, and runs can be shown or hidden
 * when several are overlaid. The page stays one offline file: the data is a JSON block, the
 * scripts are inline and allowed by their SHA-256 in the page's Content-Security-Policy.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { escapeHtml } from './html.js';

/** One line of a chart: a stat of one run, values aligned with the chart's steps (null = not logged). */
export interface LineSeries {
  label: string;
  run: string;
  stat: string;
  color: string;
  /** Drawn thicker (the total reward). */
  emphasis?: boolean;
  /** Dash pattern in pixels (baselines, earlier runs). */
  dash?: number[];
  /** Show a dot at each value (sparse series such as the safety gate's). */
  points?: boolean;
  /** Whether the smoothing slider applies (not to flat reference lines). */
  smooth: boolean;
  y: (number | null)[];
}

export interface LineChartData {
  id: string;
  title: string;
  yLabel: string;
  caption?: string;
  /** Short explanations under the chart (e.g. why a KL is negative). */
  notes?: string[];
  x: number[];
  series: LineSeries[];
}

/** Aligns per-series points on the union of their steps. */
export function alignSeries(points: { step: number; value: number }[][]): { x: number[]; y: (number | null)[][] } {
  const x = [...new Set(points.flatMap((ps) => ps.map((p) => p.step)))].sort((a, b) => a - b);
  const at = new Map(x.map((s, i) => [s, i]));
  const y = points.map((ps) => {
    const row: (number | null)[] = new Array<number | null>(x.length).fill(null);
    for (const p of ps) row[at.get(p.step)!] = p.value;
    return row;
  });
  return { x, y };
}

/** The chart's place in the page; the script fills it. */
export function chartFigure(chart: LineChartData): string {
  const notes = (chart.notes ?? []).map((n) => `<p class="chart-note">${escapeHtml(n)}</p>`).join('');
  return `<figure class="chart interactive" data-chart-id="${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.title)}">
<div class="chart-title">${escapeHtml(chart.title)}</div>
<div class="plot" role="img" aria-label="${escapeHtml(chart.title)}"></div>
<div class="legend"></div>${notes}${chart.caption ? `<figcaption>${escapeHtml(chart.caption)}</figcaption>` : ''}
</figure>`;
}

/** The controls above the charts: smoothing, and one checkbox per run when several are shown. */
export function chartControls(runs: readonly string[]): string {
  const runBoxes =
    runs.length > 1
      ? `<span class="runs">Runs: ${runs
          .map((r) => `<label><input type="checkbox" data-run="${escapeHtml(r)}" checked> ${escapeHtml(r)}</label>`)
          .join(' ')}</span>`
      : '';
  return `<div class="chart-controls"><label>Smoothing <input type="range" id="smoothing" min="0" max="0.99" step="0.01" value="0"> <output id="smoothing-value">0.00</output></label> ${runBoxes}<span class="muted">Hover a chart for values; click a legend entry to hide it.</span></div>`;
}

const require = createRequire(import.meta.url);
let uplotAssets: { js: string; css: string } | undefined;
function uplot(): { js: string; css: string } {
  if (!uplotAssets) {
    const dist = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
    uplotAssets = {
      js: readFileSync(path.join(dist, 'uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(path.join(dist, 'uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

/** Draws the charts in the page: reads the JSON block, builds a uPlot per chart, wires the controls. */
const CLIENT_JS = String.raw`(function () {
  var data = JSON.parse(document.getElementById('medrl-chart-data').textContent);
  var slider = document.getElementById('smoothing');
  var shown = document.getElementById('smoothing-value');
  var hiddenRuns = {};
  var plots = [];
  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '—';
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2).replace('e+', 'e');
    return v.toFixed(4);
  }
  function tick(v) {
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(1).replace('e+', 'e');
    return String(Number(v.toPrecision(4)));
  }
  function ema(ys, w) {
    var last = 0, n = 0;
    return ys.map(function (y) {
      if (y === null || !isFinite(y)) return null;
      if (w === 0) return y;
      n += 1;
      last = last * w + (1 - w) * y;
      return last / (1 - Math.pow(w, n));
    });
  }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16 & 255) + ',' + (n >> 8 & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function arrays(chart, w) {
    var out = [chart.x];
    chart.series.forEach(function (s) { out.push(s.smooth ? ema(s.y, w) : s.y); });
    chart.series.forEach(function (s) { out.push(s.y); });
    return out;
  }
  function range(u, min, max) {
    if (min === null || max === null) return [0, 1];
    if (min === max) { var pad = Math.max(Math.abs(min) * 0.1, 0.05); return [min - pad, max + pad]; }
    var p = (max - min) * 0.06;
    return [min - p, max + p];
  }
  data.charts.forEach(function (chart) {
    var fig = document.querySelector('[data-chart-id="' + chart.id + '"]');
    var box = fig.querySelector('.plot');
    var legend = fig.querySelector('.legend');
    var n = chart.series.length;
    var series = [{ label: 'step' }];
    chart.series.forEach(function (s) {
      series.push({ label: s.label, stroke: s.color, width: s.emphasis ? 3 : 1.5, dash: s.dash || undefined,
        spanGaps: true, points: { show: !!s.points, size: 5, fill: s.color } });
    });
    chart.series.forEach(function (s) {
      series.push({ label: s.label + ' (raw)', stroke: alpha(s.color, 0.22), width: 1, dash: s.dash || undefined,
        spanGaps: true, points: { show: false }, show: false });
    });
    var rows = chart.series.map(function (s, i) {
      var row = document.createElement('div');
      row.className = 'legend-row' + (s.emphasis ? ' emphasis' : '');
      row.innerHTML = '<span class="swatch"></span><span class="label"></span><span class="value"></span>';
      row.querySelector('.swatch').style.borderTop = (s.emphasis ? '4px ' : '2px ') + (s.dash ? 'dashed ' : 'solid ') + s.color;
      row.querySelector('.label').textContent = s.label;
      row.title = 'click to hide or show';
      row.addEventListener('click', function () {
        var on = !plot.series[i + 1].show;
        plot.setSeries(i + 1, { show: on && !hiddenRuns[s.run] });
        plot.setSeries(i + 1 + n, { show: on && smoothing() > 0 && s.smooth && !hiddenRuns[s.run] });
        row.classList.toggle('off', !on);
      });
      legend.appendChild(row);
      return row;
    });
    var stepLabel = document.createElement('div');
    stepLabel.className = 'legend-step';
    legend.prepend(stepLabel);
    function showValues(idx) {
      stepLabel.textContent = idx === null || idx === undefined ? 'last logged values' : 'step ' + chart.x[idx];
      chart.series.forEach(function (s, i) {
        var at = idx;
        if (at === null || at === undefined) {
          at = null;
          for (var k = s.y.length - 1; k >= 0; k--) if (s.y[k] !== null) { at = k; break; }
        }
        var v = at === null ? null : plot.data[i + 1][at];
        var raw = at === null ? null : s.y[at];
        var text = fmt(v);
        if (s.smooth && smoothing() > 0 && raw !== null && raw !== undefined) text += ' (raw ' + fmt(raw) + ')';
        rows[i].querySelector('.value').textContent = text;
      });
    }
    var width = Math.max(320, box.clientWidth || 480);
    var plot = new uPlot({
      width: width, height: 240, series: series, legend: { show: false },
      scales: { x: { time: false }, y: { range: range } },
      axes: [{ label: 'step' }, { label: chart.yLabel, values: function (u, ticks) { return ticks.map(tick); }, size: 64 }],
      cursor: { drag: { x: true, y: false } },
      hooks: { setCursor: [function (u) { showValues(u.cursor.idx); }] }
    }, arrays(chart, 0), box);
    plot.medrl = { chart: chart, showValues: showValues, rows: rows };
    plots.push(plot);
    showValues(null);
  });
  function smoothing() { return slider ? Number(slider.value) : 0; }
  function redraw() {
    var w = smoothing();
    if (shown) shown.textContent = w.toFixed(2);
    plots.forEach(function (plot) {
      var chart = plot.medrl.chart, n = chart.series.length;
      plot.setData(arrays(chart, w));
      chart.series.forEach(function (s, i) {
        var off = plot.medrl.rows[i].classList.contains('off') || hiddenRuns[s.run];
        plot.setSeries(i + 1, { show: !off });
        plot.setSeries(i + 1 + n, { show: !off && w > 0 && s.smooth });
      });
      plot.medrl.showValues(plot.cursor.idx);
    });
  }
  if (slider) slider.addEventListener('input', redraw);
  document.querySelectorAll('input[data-run]').forEach(function (box) {
    box.addEventListener('change', function () { hiddenRuns[box.getAttribute('data-run')] = !box.checked; redraw(); });
  });
  window.addEventListener('resize', function () {
    plots.forEach(function (plot) {
      var box = plot.root.parentNode;
      plot.setSize({ width: Math.max(320, box.clientWidth), height: 240 });
    });
  });
})();`;

const CHART_CSS = `
.chart-title { font-weight: 600; padding: 2px 4px 6px; }
.chart-controls { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin: 8px 0 12px; }
.chart-controls .runs label { margin-right: 8px; }
.legend { font-size: 12px; padding: 4px; }
.legend-step { color: var(--muted); margin-bottom: 2px; }
.legend-row { display: flex; gap: 8px; align-items: center; cursor: pointer; }
.legend-row.off { opacity: 0.4; text-decoration: line-through; }
.legend-row.emphasis { font-weight: 700; }
.legend-row .swatch { display: inline-block; width: 22px; height: 0; }
.legend-row .value { margin-left: auto; font-variant-numeric: tabular-nums; }
.chart-note { font-size: 12px; color: var(--muted); margin: 4px; }
`;

export interface ChartAssets {
  /** CSS to add to the page. */
  css: string;
  /** The data block and scripts, to put at the end of the body. */
  html: string;
  /** CSP sources allowing exactly these scripts. */
  scriptHashes: string[];
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Everything the page needs to draw `charts`. */
export function chartAssets(charts: readonly LineChartData[]): ChartAssets {
  const { js, css } = uplot();
  // `<` as \u003c keeps any `</script>` inside the data from closing the block.
  const json = JSON.stringify({ charts }).replace(/</g, '\\u003c');
  return {
    css: css + CHART_CSS,
    html: `<script type="application/json" id="medrl-chart-data">${json}</script>\n<script>${js}</script>\n<script>${CLIENT_JS}</script>`,
    scriptHashes: [sha256(js), sha256(CLIENT_JS)],
  };
}
