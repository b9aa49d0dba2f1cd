import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Loader, Spec as VegaSpec, ViewOptions } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { readFontMetrics, type FontMetrics } from './font-metrics.js';

/**
 * The weekly digest's chart: participation rate and sessions held per week over the last weeks,
 * each against its target. Data in, PNG bytes out (vega-lite -> vega -> SVG -> resvg).
 *
 * Why two stacked panels rather than one chart with two y axes: the two series have different
 * units (a percentage, a count of sessions), and on a dual axis the reader has to work out which
 * line belongs to which scale, and where two lines cross means nothing. Stacked on one shared
 * week axis, each panel has its own honest scale starting at 0, its own target line labelled
 * where it ends, and a week reads straight down through both.
 */

export interface DigestChartWeek {
  /** YYYY-MM-DD, the Monday the week starts on (in the workspace zone). */
  weekStart: string;
  /** Attended / invited in percent (0-100); null when the week had too little data (drawn as a gap, never as 0). */
  participationPct: number | null;
  sessionsHeld: number;
}

export interface DigestChartInput {
  /** Oldest first, usually 8. */
  weeks: readonly DigestChartWeek[];
  participationTargetPct: number;
  /** The monthly target * 7 / 30: may be fractional. */
  sessionsPerWeekTarget: number;
  title?: string;
}

/**
 * The PNG's size in pixels: the chart is laid out for a 600 x 400 box (about the width of a Slack
 * message) and drawn at twice that, so it stays sharp on high-density screens.
 */
export const DIGEST_CHART_SCALE = 2;
export const DIGEST_CHART_WIDTH = 600 * DIGEST_CHART_SCALE;
export const DIGEST_CHART_HEIGHT = 400 * DIGEST_CHART_SCALE;

const LAYOUT_WIDTH = DIGEST_CHART_WIDTH / DIGEST_CHART_SCALE;
const LAYOUT_HEIGHT = DIGEST_CHART_HEIGHT / DIGEST_CHART_SCALE;

const FONT = 'Inter';
const COLORS = {
  participation: '#1d6fb8',
  sessions: '#2a9d8f',
  target: '#d9480f',
  text: '#1d1c1d',
  muted: '#616061',
  grid: '#e8e8e8',
  background: '#ffffff',
} as const;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const WEIGHTS = { 400: '400Regular', 600: '600SemiBold', 700: '700Bold' } as const;
type Weight = keyof typeof WEIGHTS;

/**
 * The TrueType files resvg draws text with, shipped in node_modules by @expo-google-fonts/inter,
 * so the chart looks the same on every machine. TTF on purpose: given a WOFF or WOFF2 file
 * resvg draws no text at all and says nothing. Resolved from this module's URL, which works
 * from src/ (tsx, vitest) and from the esbuild bundle in dist/ (packages stay external).
 */
export function interFontFiles(): Record<Weight, string> {
  const root = dirname(createRequire(import.meta.url).resolve('@expo-google-fonts/inter/package.json'));
  const file = (weight: Weight) => join(root, WEIGHTS[weight], `Inter_${WEIGHTS[weight]}.ttf`);
  return { 400: file(400), 600: file(600), 700: file(700) };
}

interface Fonts {
  files: string[];
  metrics: Record<Weight, FontMetrics>;
}

let fonts: Fonts | undefined;

interface ChartLibraries {
  vega: typeof import('vega');
  vegaLite: typeof import('vega-lite');
  Resvg: typeof import('@resvg/resvg-js').Resvg;
}

let libraries: Promise<ChartLibraries> | undefined;

/**
 * vega, vega-lite and resvg are loaded on the first chart, not when the app starts: together
 * about 32 MB of resident memory that a process serving clicks all week would otherwise carry for
 * one render a week (operations.md, "What keeps memory low").
 */
function loadLibraries(): Promise<ChartLibraries> {
  libraries ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then(([vega, vegaLite, resvg]) => ({ vega, vegaLite, Resvg: resvg.Resvg }));
  return libraries;
}

/**
 * Read once per process. Vega lays text out with `textMetrics.width`, a setting of the whole vega
 * module (vl-convert sets it the same way): pointed here at Inter's own advance widths, so what
 * vega reserves for a label is what resvg then draws. Nothing else in the app uses vega.
 */
function loadFonts(vega: ChartLibraries['vega']): Fonts {
  if (fonts !== undefined) return fonts;
  const files = interFontFiles();
  const metrics = { 400: readFontMetrics(files[400]), 600: readFontMetrics(files[600]), 700: readFontMetrics(files[700]) };
  const textMetrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
  textMetrics.width = (item, text) => metrics[weightOf(item.fontWeight)].width(text == null ? '' : String(text).trim(), item.fontSize ?? 11);
  fonts = { files: Object.values(files), metrics };
  return fonts;
}

interface TextItem {
  fontSize?: number;
  fontWeight?: number | string;
}

function weightOf(weight: number | string | undefined): Weight {
  const value = weight === 'bold' ? 700 : Number(weight ?? 400);
  return value >= 650 ? 700 : value >= 550 ? 600 : 400;
}

/** "2025-11-17" -> "Nov 17"; the year is added when the weeks span two years' same dates. */
function weekLabel(weekStart: string, withYear: boolean): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(weekStart);
  if (match === null) throw new Error(`weekStart must be YYYY-MM-DD, got ${JSON.stringify(weekStart)}`);
  const [, year, month, day] = match;
  const name = MONTHS[Number(month) - 1];
  if (name === undefined) throw new Error(`weekStart has no month ${month}: ${weekStart}`);
  return `${name} ${Number(day)}${withYear ? ` ${year}` : ''}`;
}

/** A target or a count as people write it: 4, 0.9, 1.5 (one decimal at most). */
function formatNumber(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}

/**
 * Titles longer than this are cut with an ellipsis: about what fits across the chart in bold 15px
 * Inter. (Vega's own `limit` measures text by an estimate that is far too wide for Inter.)
 */
const TITLE_MAX = 60;

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

const finite = (value: number | null): value is number => value !== null && Number.isFinite(value);
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The vega-lite spec of the chart: exported so a test can compile it and read the warnings. */
export function buildDigestChartSpec(input: DigestChartInput): TopLevelSpec {
  const shortLabels = input.weeks.map((w) => weekLabel(w.weekStart, false));
  const withYear = new Set(shortLabels).size !== shortLabels.length;
  // A target that is not a number draws no target line (rather than a line at 0).
  const participationTarget = finite(input.participationTargetPct) ? clamp(input.participationTargetPct, 0, 100) : null;
  const rows = input.weeks.map((w) => {
    const pct = finite(w.participationPct) ? clamp(w.participationPct, 0, 100) : null;
    const text = pct === null ? '' : `${Math.round(pct)}%`;
    // A label just under the target line would sit on it: those go below their point instead.
    const below = pct !== null && participationTarget !== null && participationTarget - pct >= 0 && participationTarget - pct < 22 && pct >= 14;
    return {
      week: weekLabel(w.weekStart, withYear),
      participation: pct,
      above: below ? '' : text,
      below: below ? text : '',
      noData: pct === null ? 'no data' : '',
      sessions: finite(w.sessionsHeld) ? Math.max(0, Math.round(w.sessionsHeld)) : 0,
    };
  });
  const weeks = rows.map((r) => r.week);
  const title = truncate((input.title ?? '').trim(), TITLE_MAX);
  const panelHeight = title === '' ? 126 : 112;
  const plotWidth = 472;
  const paddingInner = 0.35;
  const paddingOuter = 0.2;
  // One or two weeks would give bars as wide as the chart: capped at the width eight weeks give.
  const step = plotWidth / Math.max(1, rows.length - paddingInner + 2 * paddingOuter);
  const barWidth = Math.min(step * (1 - paddingInner), 36);
  const sessionTarget = finite(input.sessionsPerWeekTarget) ? Math.max(0, input.sessionsPerWeekTarget) : null;
  const sessionMax = Math.max(1, sessionTarget ?? 0, ...rows.map((r) => r.sessions));
  // Headroom for the count written above the tallest bar.
  const sessionTop = Math.ceil(sessionMax * 1.2);

  const x = (showLabels: boolean) => ({
    field: 'week',
    type: 'ordinal' as const,
    sort: null,
    scale: { domain: weeks, paddingInner, paddingOuter },
    axis: showLabels
      ? { title: 'Week of', labelAngle: 0, labelPadding: 6, titlePadding: 8, ticks: false, domainColor: '#bbbbbb' }
      : { title: null, labels: false, ticks: false, domainColor: '#bbbbbb' },
  });
  const yAxis = (format: string, tickMinStep: number) => ({ title: null, format, tickCount: 5, tickMinStep, grid: true, gridColor: COLORS.grid, domain: false, ticks: false, labelPadding: 6, minExtent: 36, maxExtent: 36 });
  const targetRule = (value: number) => ({ mark: { type: 'rule' as const, color: COLORS.target, strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { datum: value, type: 'quantitative' as const } } });
  const targetLabel = (value: number, text: string) => ({
    mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 6, color: COLORS.target, fontSize: 10.5, fontWeight: 600, lineHeight: 13 },
    encoding: { x: { value: plotWidth }, y: { datum: value, type: 'quantitative' as const }, text: { value: ['target', text] } },
  });
  const target = (value: number | null, text: string) => (value === null ? [] : [targetRule(value), targetLabel(value, text)]);

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(title === '' ? {} : { title: { text: title, anchor: 'start' as const, fontSize: 15, fontWeight: 700, color: COLORS.text, offset: 12 } }),
    background: COLORS.background,
    padding: { left: 12, right: 12, top: 12, bottom: 10 },
    data: { values: rows },
    spacing: 18,
    vconcat: [
      {
        title: { text: 'Participation rate (attended / invited)', anchor: 'start' as const, fontSize: 12, fontWeight: 600, color: COLORS.text, offset: 6 },
        width: plotWidth,
        height: panelHeight,
        layer: [
          ...target(participationTarget, `${formatNumber(participationTarget ?? 0)}%`),
          {
            mark: { type: 'line' as const, color: COLORS.participation, strokeWidth: 2.5, invalid: 'break-paths-filter-domains' as const, point: { filled: true, size: 45, color: COLORS.participation } },
            encoding: { x: x(false), y: { field: 'participation', type: 'quantitative' as const, scale: { domain: [0, 100] }, axis: yAxis('d', 20) } },
          },
          ...(['above', 'below'] as const).map((where) => ({
            mark: { type: 'text' as const, dy: where === 'above' ? -11 : 12, fontSize: 10.5, fontWeight: 600, color: COLORS.participation },
            encoding: { x: x(false), y: { field: 'participation', type: 'quantitative' as const }, text: { field: where } },
          })),
          {
            mark: { type: 'text' as const, fontSize: 10, color: COLORS.muted },
            encoding: { x: x(false), y: { value: panelHeight - 8 }, text: { field: 'noData' } },
          },
        ],
      },
      {
        title: { text: 'Sessions held per week', anchor: 'start' as const, fontSize: 12, fontWeight: 600, color: COLORS.text, offset: 6 },
        width: plotWidth,
        height: panelHeight,
        layer: [
          {
            mark: { type: 'bar' as const, width: barWidth, color: COLORS.sessions, cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
            encoding: { x: x(true), y: { field: 'sessions', type: 'quantitative' as const, scale: { domain: [0, sessionTop], nice: false }, axis: yAxis('d', 1) } },
          },
          ...target(sessionTarget, `${formatNumber(sessionTarget ?? 0)} a week`),
          // Each bar's number over the target line, on a white halo, so the dashes never cross it.
          ...[{ stroke: 'white', strokeWidth: 3 }, {}].map((halo) => ({
            mark: { type: 'text' as const, dy: -7, fontSize: 10.5, fontWeight: 600, color: COLORS.text, ...halo },
            encoding: { x: x(true), y: { field: 'sessions', type: 'quantitative' as const }, text: { field: 'sessions', type: 'quantitative' as const, format: 'd' } },
          })),
        ],
      },
    ],
    resolve: { scale: { x: 'shared' } },
    config: {
      font: FONT,
      view: { stroke: null },
      axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 10.5, titleFontSize: 10.5, labelColor: COLORS.muted, titleColor: COLORS.muted, titleFontWeight: 400 },
      title: { font: FONT, subtitleFont: FONT },
      text: { font: FONT },
    },
  } as TopLevelSpec;
}

/** Vega may load data, images and links through its loader: this one refuses, so nothing is ever fetched. */
const noLoader: Loader = {
  load: async (uri) => Promise.reject(new Error(`the digest chart loads nothing (asked for ${uri})`)),
  sanitize: async (uri) => Promise.reject(new Error(`the digest chart loads nothing (asked for ${uri})`)),
  http: async (uri) => Promise.reject(new Error(`the digest chart loads nothing (asked for ${uri})`)),
  file: async (uri) => Promise.reject(new Error(`the digest chart loads nothing (asked for ${uri})`)),
};

type Logger = NonNullable<ViewOptions['logger']>;

/**
 * Vega and vega-lite write their warnings to the console by default; here they go to `warn`
 * (nowhere in the app: the tests render many inputs and expect none), and an error throws.
 */
function chartLogger(warn: (message: string) => void): Logger {
  let level = 2;
  const text = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: unknown[]): never {
      throw new Error(`digest chart: ${text(args)}`);
    },
    warn(...args: unknown[]) {
      warn(text(args));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger as Logger;
}

export interface ChartRenderOptions {
  /** Receives vega's and vega-lite's warnings (a spec they had to guess about); ignored by default. */
  onWarning?: (message: string) => void;
}

/** The chart as SVG, laid out for a LAYOUT_WIDTH x LAYOUT_HEIGHT canvas. */
export async function renderDigestChartSvg(input: DigestChartInput, options: ChartRenderOptions = {}): Promise<string> {
  const { vega, vegaLite } = await loadLibraries();
  loadFonts(vega);
  const logger = chartLogger(options.onWarning ?? (() => {}));
  const { spec } = vegaLite.compile(buildDigestChartSpec(input), { logger });
  const view = new vega.View(vega.parse(spec as VegaSpec), { renderer: 'none', loader: noLoader, logger });
  try {
    await view.runAsync();
    // Clip and gradient ids count up across renders: reset, so the same data gives the same bytes.
    vega.resetSVGDefIds();
    const svg = await view.toSVG();
    return fitToCanvas(svg);
  } finally {
    view.finalize();
  }
}

/**
 * Vega sizes the SVG to what it drew (axis labels, titles), which moves by a few pixels with the
 * data; the PNG must always be the same size, so the drawing is placed, scaled to fit if it ever
 * overflows, on a fixed canvas.
 */
function fitToCanvas(svg: string): string {
  const open = /^<svg\b[^>]*>/.exec(svg);
  const width = Number(open === null ? NaN : /\swidth="([\d.]+)"/.exec(open[0])?.[1]);
  const height = Number(open === null ? NaN : /\sheight="([\d.]+)"/.exec(open[0])?.[1]);
  if (open === null || !(width > 0) || !(height > 0)) throw new Error('vega returned an SVG without a width and height');
  // Drawn 1:1 when it fits (sharpest text), centred; shrunk only if it would overflow.
  const scale = Math.min(1, LAYOUT_WIDTH / width, LAYOUT_HEIGHT / height);
  const [w, h] = [width * scale, height * scale];
  const place = `x="${round((LAYOUT_WIDTH - w) / 2)}" y="${round((LAYOUT_HEIGHT - h) / 2)}" width="${round(w)}" height="${round(h)}" viewBox="0 0 ${width} ${height}"`;
  // The root tag is replaced whole: its own size attributes would clash with the placement's.
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${LAYOUT_WIDTH}" height="${LAYOUT_HEIGHT}" viewBox="0 0 ${LAYOUT_WIDTH} ${LAYOUT_HEIGHT}"><rect width="100%" height="100%" fill="${COLORS.background}"/><svg ${place}>${svg.slice(open[0].length)}</svg>`;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The digest chart as PNG bytes, DIGEST_CHART_WIDTH x DIGEST_CHART_HEIGHT.
 *
 * resvg-js 2.6 holds each render's pixels (about 4 MB here) in memory V8 does not count, so they
 * are freed at the next garbage collection rather than at once: harmless for a weekly digest, but
 * a loop of renders shows RSS climbing until a collection runs (fixed upstream in 2.7, not yet
 * released as stable).
 */
export async function renderDigestChart(input: DigestChartInput, options: ChartRenderOptions = {}): Promise<Buffer> {
  const svg = await renderDigestChartSvg(input, options);
  const { vega, Resvg } = await loadLibraries();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: DIGEST_CHART_SCALE },
    font: { fontFiles: loadFonts(vega).files, loadSystemFonts: false, defaultFontFamily: FONT, sansSerifFamily: FONT },
    background: COLORS.background,
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
