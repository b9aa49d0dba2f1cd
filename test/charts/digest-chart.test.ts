import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  buildDigestChartSpec,
  DIGEST_CHART_HEIGHT,
  DIGEST_CHART_WIDTH,
  interFontFiles,
  renderDigestChart,
  renderDigestChartSvg,
  type DigestChartInput,
} from '../../src/charts/digest-chart.js';
import { readPng, type Png } from '../support/png.js';

const MONDAYS = ['2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16'];

function weeks(participation: (number | null)[], sessions: number[]): DigestChartInput['weeks'] {
  return participation.map((pct, i) => ({ weekStart: MONDAYS[i]!, participationPct: pct, sessionsHeld: sessions[i]! }));
}

const EIGHT_WEEKS: DigestChartInput = {
  weeks: weeks([55, 62.4, null, 48, 71, 66, null, 80], [3, 4, 0, 2, 5, 6, 1, 4]),
  participationTargetPct: 60,
  sessionsPerWeekTarget: (4 * 7) / 30,
  title: 'Peerloop: the last 8 weeks',
};

/** The chart's colours (src/charts/digest-chart.ts), to find each series in the pixels. */
const BLUE: RGB = [0x1d, 0x6f, 0xb8];
const TEAL: RGB = [0x2a, 0x9d, 0x8f];
const ORANGE: RGB = [0xd9, 0x48, 0x0f];
type RGB = [number, number, number];

const near = (p: readonly number[], c: RGB, tolerance = 24) => Math.abs(p[0]! - c[0]) + Math.abs(p[1]! - c[1]) + Math.abs(p[2]! - c[2]) <= tolerance;

function count(png: Png, test: (p: [number, number, number, number]) => boolean): number {
  let n = 0;
  for (let y = 0; y < png.height; y += 1) for (let x = 0; x < png.width; x += 1) if (test(png.pixel(x, y))) n += 1;
  return n;
}

/** Text is the only thing drawn near-black (titles, panel titles, bar counts). */
const dark = (p: readonly number[]) => Math.max(p[0]!, p[1]!, p[2]!) < 90;

/** The widest horizontal run of one colour in any row. */
function widestRun(png: Png, colour: RGB): number {
  let widest = 0;
  for (let y = 0; y < png.height; y += 1) {
    let run = 0;
    for (let x = 0; x < png.width; x += 1) {
      run = near(png.pixel(x, y), colour, 3) ? run + 1 : 0;
      widest = Math.max(widest, run);
    }
  }
  return widest;
}

/** The texts of an SVG, a multi-line text's lines joined by a space. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()).filter((t) => t !== '');
}

async function render(input: DigestChartInput): Promise<{ png: Png; bytes: Buffer; warnings: string[] }> {
  const warnings: string[] = [];
  const bytes = await renderDigestChart(input, { onWarning: (w) => warnings.push(w) });
  return { png: readPng(bytes), bytes, warnings };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('renderDigestChart', () => {
  it('draws eight weeks as a PNG of the advertised size: both series, both targets, text, no warnings', async () => {
    const { png, bytes, warnings } = await render(EIGHT_WEEKS);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.width, png.height]).toEqual([DIGEST_CHART_WIDTH, DIGEST_CHART_HEIGHT]);
    expect(warnings).toEqual([]);

    const colours = new Set<number>();
    for (let i = 0; i < png.rgba.length; i += 4) colours.add((png.rgba[i]! << 16) | (png.rgba[i + 1]! << 8) | png.rgba[i + 2]!);
    expect(colours.size).toBeGreaterThan(100);
    const painted = count(png, (p) => p[0] < 250 || p[1] < 250 || p[2] < 250) / (png.width * png.height);
    expect(painted).toBeGreaterThan(0.05);
    expect(painted).toBeLessThan(0.5);

    expect(count(png, (p) => near(p, BLUE))).toBeGreaterThan(1000); // the participation line and its points
    expect(count(png, (p) => near(p, TEAL))).toBeGreaterThan(20_000); // the bars
    expect(count(png, (p) => near(p, ORANGE, 60))).toBeGreaterThan(1500); // two dashed target lines and their labels
    expect(count(png, dark)).toBeGreaterThan(2000);
  });

  it('writes the weeks, values and targets as text people can read', async () => {
    const svg = await renderDigestChartSvg(EIGHT_WEEKS);
    const words = texts(svg);
    expect(words).toEqual(expect.arrayContaining(['Peerloop: the last 8 weeks', 'Participation rate (attended / invited)', 'Sessions held per week', 'Week of']));
    expect(words).toEqual(expect.arrayContaining(['Sep 28', 'Oct 5', 'Nov 16', '55%', '62%', '80%', 'target 60%', 'target 0.9 a week']));
    expect(words.filter((t) => t === 'no data')).toHaveLength(2);
    expect(svg).toContain('font-family="Inter"');
  });

  it('draws its text with the bundled Inter TrueType files (no text at all would mean the font was not found)', async () => {
    const files = Object.values(interFontFiles());
    expect(files).toHaveLength(3);
    for (const file of files) {
      expect(file).toMatch(/\.ttf$/);
      expect(existsSync(file), file).toBe(true);
    }
    const withTitle = await render(EIGHT_WEEKS);
    const without = await render({ ...EIGHT_WEEKS, title: undefined });
    expect([without.png.width, without.png.height]).toEqual([DIGEST_CHART_WIDTH, DIGEST_CHART_HEIGHT]);
    // Panel titles and bar counts are text too; the chart title adds a line of bold text on top.
    expect(count(without.png, dark)).toBeGreaterThan(1500);
    expect(count(withTitle.png, dark) - count(without.png, dark)).toBeGreaterThan(1000);
  });

  it('shows a week without participation as a gap labelled "no data", never as 0', async () => {
    const svg = await renderDigestChartSvg(EIGHT_WEEKS);
    const points = [...svg.matchAll(/aria-label="week: ([^;"]+); participation: ([^;"]+)" role="graphics-symbol" aria-roledescription="point"/g)].map((m) => [m[1], m[2]]);
    expect(points).toEqual([
      ['Sep 28', '55'],
      ['Oct 5', '62'],
      ['Oct 19', '48'],
      ['Oct 26', '71'],
      ['Nov 2', '66'],
      ['Nov 16', '80'],
    ]);
    // One line broken in three pieces at the two empty weeks: Sep 28-Oct 5, Oct 19-Nov 2, Nov 16.
    const line = /aria-roledescription="line mark" d="([^"]+)"/.exec(svg)![1]!;
    expect(line.match(/M/g)).toHaveLength(3);
    expect(buildDigestChartSpec(EIGHT_WEEKS)).toMatchObject({ data: { values: expect.arrayContaining([expect.objectContaining({ week: 'Oct 12', participation: null, noData: 'no data' })]) } });
  });

  it('draws no participation at all when no week has any (all null), and still draws the sessions', async () => {
    const input: DigestChartInput = { weeks: weeks(Array(8).fill(null), [1, 0, 2, 0, 0, 3, 0, 1]), participationTargetPct: 60, sessionsPerWeekTarget: 1 };
    const { png, warnings } = await render(input);
    expect(warnings).toEqual([]);
    expect(count(png, (p) => near(p, BLUE, 40))).toBe(0);
    expect(count(png, (p) => near(p, TEAL))).toBeGreaterThan(5000);
    const svg = await renderDigestChartSvg(input);
    expect(texts(svg).filter((t) => t === 'no data')).toHaveLength(8);
    expect(svg).not.toContain('aria-roledescription="point"');
  });

  it('draws zero sessions as zero (no bars, a 0 over each week) on an axis of whole numbers', async () => {
    const input: DigestChartInput = { weeks: weeks([50, 50, 50, 50, 50, 50, 50, 50], Array(8).fill(0)), participationTargetPct: 60, sessionsPerWeekTarget: 0.4 };
    const { png, warnings } = await render(input);
    expect(warnings).toEqual([]);
    expect(count(png, (p) => near(p, TEAL))).toBe(0);
    const words = texts(await renderDigestChartSvg(input));
    expect(words.filter((t) => t === '0').length).toBeGreaterThanOrEqual(8);
    expect(words).toContain('target 0.4 a week');
    // The sessions axis counts sessions: never 0.5 of one.
    expect(words.filter((t) => /^\d+\.\d+$/.test(t))).toEqual([]);
  });

  it('draws a single week with a bar no wider than eight weeks would give it', async () => {
    const one: DigestChartInput = { weeks: [{ weekStart: '2026-11-16', participationPct: 100, sessionsHeld: 12 }], participationTargetPct: 75, sessionsPerWeekTarget: 2.5, title: 'One week' };
    const { png, warnings } = await render(one);
    expect(warnings).toEqual([]);
    expect([png.width, png.height]).toEqual([DIGEST_CHART_WIDTH, DIGEST_CHART_HEIGHT]);
    const eight = await render(EIGHT_WEEKS);
    expect(widestRun(png, TEAL)).toBeGreaterThan(40);
    expect(widestRun(png, TEAL)).toBeLessThanOrEqual(widestRun(eight.png, TEAL) + 2);
    expect(texts(await renderDigestChartSvg(one))).toEqual(expect.arrayContaining(['Nov 16', '100%', '12', 'target 75%', 'target 2.5 a week']));
  });

  it('writes fractional targets with one decimal and draws them where they fall', async () => {
    const input: DigestChartInput = { ...EIGHT_WEEKS, participationTargetPct: 62.5, sessionsPerWeekTarget: 14 / 15 };
    const { warnings } = await render(input);
    expect(warnings).toEqual([]);
    const svg = await renderDigestChartSvg(input);
    expect(texts(svg)).toEqual(expect.arrayContaining(['target 62.5%', 'target 0.9 a week']));
    const spec = JSON.stringify(buildDigestChartSpec(input));
    expect(spec).toContain('"datum":62.5');
    expect(spec).toContain(`"datum":${14 / 15}`);
  });

  it('is the same bytes for the same data, also after rendering something else in between', async () => {
    const first = await renderDigestChart(EIGHT_WEEKS);
    await renderDigestChart({ ...EIGHT_WEEKS, title: 'Something else', weeks: EIGHT_WEEKS.weeks.slice(0, 3) });
    const again = await renderDigestChart(EIGHT_WEEKS);
    expect(again.equals(first)).toBe(true);
    const other = await renderDigestChart({ ...EIGHT_WEEKS, weeks: weeks([55, 62.4, null, 48, 71, 66, null, 81], [3, 4, 0, 2, 5, 6, 1, 4]) });
    expect(other.equals(first)).toBe(false);
  });

  it('cuts a long title with an ellipsis rather than shrinking the chart', async () => {
    const long = { ...EIGHT_WEEKS, title: 'A very long title that goes on and on about peer learning at a big company with many teams' };
    const svg = await renderDigestChartSvg(long);
    expect(texts(svg).filter((t) => t.startsWith('A very long'))).toEqual(['A very long title that goes on and on about peer learning a…']);
    const placed = /<svg x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="([\d.]+)" viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg)!;
    expect(Number(placed[2])).toBe(Number(placed[4])); // drawn 1:1
    expect(Number(placed[3])).toBe(Number(placed[5]));
  });

  it('loads nothing: the data is inline and no fetch happens while rendering', async () => {
    const fetch = vi.fn(async () => {
      throw new Error('no network in a chart');
    });
    vi.stubGlobal('fetch', fetch);
    await renderDigestChart(EIGHT_WEEKS);
    expect(fetch).not.toHaveBeenCalled();
    expect(JSON.stringify(buildDigestChartSpec(EIGHT_WEEKS))).not.toMatch(/"url"/);
  });

  it('draws no weeks as empty panels, and a target that is not a number as no target line (not a line at 0)', async () => {
    const empty = await render({ weeks: [], participationTargetPct: 60, sessionsPerWeekTarget: 1, title: 'Nothing yet' });
    expect(empty.warnings).toEqual([]);
    expect([empty.png.width, empty.png.height]).toEqual([DIGEST_CHART_WIDTH, DIGEST_CHART_HEIGHT]);
    const noTargets = await render({ ...EIGHT_WEEKS, participationTargetPct: Number.NaN, sessionsPerWeekTarget: Number.POSITIVE_INFINITY });
    expect(noTargets.warnings).toEqual([]);
    expect(count(noTargets.png, (p) => near(p, ORANGE, 60))).toBe(0);
    expect(texts(await renderDigestChartSvg({ ...EIGHT_WEEKS, participationTargetPct: Number.NaN }))).not.toContain('target 0%');
  });

  it('refuses a week start that is not a date, naming it', async () => {
    await expect(renderDigestChart({ ...EIGHT_WEEKS, weeks: [{ weekStart: '16/11/2026', participationPct: 50, sessionsHeld: 1 }] })).rejects.toThrow(/YYYY-MM-DD, got "16\/11\/2026"/);
  });
});
