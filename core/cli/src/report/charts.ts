/**
 * Charts as data: each builder returns a Vega-Lite spec, and `renderChart` compiles it with
 * vega-lite and renders it to an SVG string with vega's headless View. Nothing is fetched: the data
 * is inline and the loader refuses every URL, so a report renders the same offline.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { escapeHtml } from './html.js';

/** Colours of the series, colour-blind safe (Okabe–Ito). */
export const SERIES_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

const FONT = 'system-ui, -apple-system, Segoe UI, Noto Sans, PingFang SC, Microsoft YaHei, sans-serif';

/** Shared look: fonts, sizes and no chart border. */
const BASE_CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320, gridColor: '#eaeef2' },
  axisBand: { labelLimit: 320 },
  axisY: { labelLimit: 320 },
  header: { labelFontSize: 12, labelFontWeight: 'bold' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top' },
  title: { fontSize: 14, anchor: 'start', offset: 10 },
} as const;

/** A loader that refuses every load: report data is always inline. */
function offlineLoader(): ReturnType<typeof vega.loader> {
  const loader = vega.loader();
  const refuse = async (uri: string): Promise<never> => {
    throw new Error(`report charts load no external resources (refused ${uri})`);
  };
  return Object.assign(loader, { load: refuse, sanitize: refuse, http: refuse, file: refuse });
}

/** Renders a Vega-Lite spec to an SVG string (the title and labels escaped by vega). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // Compiler notes (e.g. on merged band scales) are not the user's business: log errors only.
  const { spec: vegaSpec } = compile({ ...spec, config: { ...BASE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec, {
    logger: vega.logger(vega.Error),
  });
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', loader: offlineLoader(), logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A chart with its title (in the SVG) and a caption under it. */
export interface Chart {
  title: string;
  caption?: string;
  spec: TopLevelSpec;
}

/** Renders a chart into a <figure> with its SVG inline. */
export async function renderChart(chart: Chart): Promise<string> {
  const svg = await renderSvg({ ...chart.spec, title: chart.title, description: chart.title } as TopLevelSpec);
  const caption = chart.caption ? `<figcaption>${escapeHtml(chart.caption)}</figcaption>` : '';
  return `<figure class="chart" data-chart="${escapeHtml(chart.title)}">${svg}${caption}</figure>`;
}

/** One bar of an interval chart: a group, a metric, a series (model or baseline) and an estimate. */
export interface IntervalRow {
  group: string;
  metric: string;
  series: string;
  value: number;
  lo: number | null;
  hi: number | null;
  n: number;
  /** A value the panel's axis must include (1 for shares, so a rate of 0 still shows a 0–1 axis). */
  axisHint?: number;
}

/**
 * Horizontal bars with confidence-interval whiskers: one panel per metric (own x scale), one row
 * per group, one bar per series.
 */
export function intervalBarChart(input: {
  title: string;
  caption?: string;
  rows: readonly IntervalRow[];
  groupOrder: readonly string[];
  metricOrder: readonly string[];
  seriesOrder: readonly string[];
  panelWidth?: number;
}): Chart {
  const y = { field: 'group', type: 'nominal', sort: [...input.groupOrder], title: null };
  const yOffset = { field: 'series', type: 'nominal', sort: [...input.seriesOrder] };
  const tooltip = [
    { field: 'group', type: 'nominal' },
    { field: 'series', type: 'nominal' },
    { field: 'value', type: 'quantitative', format: '.3f' },
    { field: 'lo', type: 'quantitative', format: '.3f' },
    { field: 'hi', type: 'quantitative', format: '.3f' },
    { field: 'n', type: 'quantitative' },
  ];
  return {
    title: input.title,
    caption: input.caption,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: {
        values: input.rows.map((r) => ({ ...r, lo: r.lo ?? r.value, hi: r.hi ?? r.value, axisHint: r.axisHint ?? 0 })),
      },
      facet: {
        column: { field: 'metric', type: 'nominal', sort: [...input.metricOrder], title: null },
      },
      spec: {
        width: input.panelWidth ?? 170,
        height: { step: input.seriesOrder.length > 1 ? 9 : 14 },
        layer: [
          {
            mark: { type: 'bar', tooltip: true },
            encoding: {
              y,
              yOffset,
              x: { field: 'value', type: 'quantitative', title: null },
              color: {
                field: 'series',
                type: 'nominal',
                title: null,
                scale: { domain: [...input.seriesOrder], range: SERIES_COLORS.slice(0, input.seriesOrder.length) },
                legend: input.seriesOrder.length > 1 ? {} : null,
              },
              tooltip,
            },
          },
          {
            mark: { type: 'rule', color: '#1f2328', strokeWidth: 1.2 },
            encoding: { y, yOffset, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } },
          },
          // Invisible: stretches the panel's axis to include axisHint.
          { mark: { type: 'tick', opacity: 0 }, encoding: { y, x: { field: 'axisHint', type: 'quantitative' } } },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    } as TopLevelSpec,
  };
}

/** One point of a difference chart. */
export interface DeltaRow {
  group: string;
  metric: string;
  value: number;
  lo: number;
  hi: number;
  /** Whether the difference is an improvement for this metric (its "better" direction). */
  direction: 'better' | 'worse' | 'no change';
}

/** Differences (model − baseline) with whiskers and a zero line, one panel per group. */
export function deltaChart(input: {
  title: string;
  caption?: string;
  rows: readonly DeltaRow[];
  groupOrder: readonly string[];
  metricOrder: readonly string[];
}): Chart {
  const y = { field: 'metric', type: 'nominal', sort: [...input.metricOrder], title: null };
  return {
    title: input.title,
    caption: input.caption,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { values: [...input.rows] },
      facet: { column: { field: 'group', type: 'nominal', sort: [...input.groupOrder], title: null } },
      spec: {
        width: 200,
        height: { step: 20 },
        layer: [
          {
            mark: { type: 'rule', color: '#8c959f', strokeDash: [4, 3] },
            encoding: { x: { datum: 0, type: 'quantitative' } },
          },
          {
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: {
              y,
              x: { field: 'lo', type: 'quantitative', title: 'model − baseline' },
              x2: { field: 'hi' },
              color: { field: 'direction', type: 'nominal', legend: null },
            },
          },
          {
            mark: { type: 'point', filled: true, size: 50, tooltip: true },
            encoding: {
              y,
              x: { field: 'value', type: 'quantitative' },
              color: {
                field: 'direction',
                type: 'nominal',
                title: null,
                scale: { domain: ['better', 'worse', 'no change'], range: ['#1a7f37', '#cf222e', '#59636e'] },
              },
            },
          },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    } as TopLevelSpec,
  };
}

/** One point of a line chart over training steps. */
export interface SeriesPoint {
  step: number;
  series: string;
  value: number;
}

/** Lines over steps, one per series, with a legend when there are several. */
export function lineChart(input: {
  title: string;
  caption?: string;
  points: readonly SeriesPoint[];
  seriesOrder: readonly string[];
  yTitle?: string;
  width?: number;
}): Chart {
  const many = input.seriesOrder.length > 1;
  return {
    title: input.title,
    caption: input.caption,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: input.width ?? 480,
      height: 220,
      data: { values: [...input.points] },
      mark: { type: 'line', strokeWidth: 1.6, point: input.points.length <= 60 ? { size: 18 } : false, tooltip: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'value', type: 'quantitative', title: input.yTitle ?? null, scale: { zero: false } },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          sort: [...input.seriesOrder],
          scale: {
            domain: [...input.seriesOrder],
            range: SERIES_COLORS.slice(0, Math.max(1, input.seriesOrder.length)),
          },
          legend: many ? { columns: 2, labelLimit: 320 } : null,
        },
      },
    } as TopLevelSpec,
  };
}
