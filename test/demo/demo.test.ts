import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, DEMO_FILES, describeDemo, lastDigestMoment, runDemo, type DemoResult } from '../../src/cli/run-demo.js';
import { createSettableClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { repoRoot } from '../support/built-app.js';
import { readPng } from '../support/png.js';
import { DIGEST_CHART_HEIGHT, DIGEST_CHART_WIDTH } from '../../src/charts/digest-chart.js';

/**
 * `npm run demo` on the small data set: the digest printed as it reads in Slack (names, not
 * ids), its chart as a real PNG, the HTML rendering with the chart and escaped text, and numbers
 * that make sense. Once in process (a fixed clock), once as the built command with no Slack
 * token and no .env.
 */

// Wednesday 9 Dec 2026, 15:00 in Berlin: the demo's digest is Monday 7 Dec, 09:00.
const NOW = Date.parse('2026-12-09T14:00:00Z');
let work: string;
let result: DemoResult;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'peerloop-demo-'));
  result = await buildDemo({ out: 'out', seed: 'peerloop', small: true }, { clock: createSettableClock(NOW), logger: createLogger('silent'), cwd: work });
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('npm run demo (in process, small)', () => {
  it('computes the digest at the last Monday 09:00 in the workspace zone, for the week before it', () => {
    expect(lastDigestMoment(NOW)).toBe(Date.parse('2026-12-07T08:00:00Z'));
    // On the hour itself, that hour; a minute before, the week before.
    expect(lastDigestMoment(Date.parse('2026-12-07T08:00:00Z'))).toBe(Date.parse('2026-12-07T08:00:00Z'));
    expect(lastDigestMoment(Date.parse('2026-12-07T07:59:00Z'))).toBe(Date.parse('2026-11-30T08:00:00Z'));
    expect(result.postedAt).toBe(Date.parse('2026-12-07T08:00:00Z'));
    expect(result.report.period.from).toBe(Date.parse('2026-11-29T23:00:00Z'));
    expect(result.report.period.to).toBe(Date.parse('2026-12-06T23:00:00Z'));
  });

  it('prints the digest as it reads in Slack: the headline KPIs, people by name, no Slack markup', () => {
    const printed = describeDemo(result, work);
    expect(printed).toContain('Peerloop demo: Northwind Labs, 12 people over 3 weeks');
    expect(printed).toContain('The weekly digest, as posted in #peer-learning on Mon 7 Dec, 09:00 CET:');
    const digest = result.text;
    expect(digest).toContain('Peer learning, the week of Mon 30 Nov – Sun 6 Dec');
    expect(digest).toMatch(/Participation/);
    expect(digest).toMatch(/sessions? in the last 30 days/);
    expect(digest).toMatch(/Coming up in the next 7 days/);
    expect(digest).toContain('Lunch & learn');
    // Mentions and dates are rendered, not left as Slack's <@U…> and <!date^…> markup.
    expect(digest).not.toMatch(/<@U|<!date|<#C|&amp;|&lt;/);
    // Every emoji the digest uses is drawn, none left as a :shortcode:.
    expect(digest).not.toMatch(/:[a-z_+-]+:/);
    expect(digest).toMatch(/@(Ana|Ben|Priya|Marcus|Chloé|Daniel|Elif|Kenji|Julia|Grace|Felix|Nadia) /);
    expect(printed).toContain(`out/${DEMO_FILES.chart}`);
    expect(printed).toContain(`npm run report -- --db out/${DEMO_FILES.database} --team T0DEMO`);
    expect(printed).toContain('README.md');
  });

  it('writes the chart as a PNG, the HTML with the chart and escaped text, and the database', () => {
    const png = readPng(readFileSync(result.files.chart));
    expect([png.width, png.height]).toEqual([DIGEST_CHART_WIDTH, DIGEST_CHART_HEIGHT]);
    // Not blank: the lines, bars and text give many colours.
    expect(new Set(Array.from({ length: 2000 }, (_, i) => png.pixel((i * 7919) % png.width, (i * 104729) % png.height).join())).size).toBeGreaterThan(5);
    const html = readFileSync(result.files.html, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain(`src="${DEMO_FILES.chart}"`);
    // "Lunch & learn" is escaped once: never a raw & in text, never double-escaped.
    expect(html).toContain('Lunch &amp; learn');
    expect(html).not.toContain('&amp;amp;');
    expect(html).not.toMatch(/Lunch & learn/);
    expect(statSync(result.files.database).size).toBeGreaterThan(50_000);
  });

  it('has sane numbers', () => {
    const r = result.report;
    expect(r.hasAnySessions).toBe(true);
    expect(r.sessions.held).toBeGreaterThan(0);
    expect(r.participation.invited).toBeGreaterThan(0);
    if (r.participation.value !== null) {
      expect(r.participation.value).toBeGreaterThanOrEqual(0);
      expect(r.participation.value).toBeLessThanOrEqual(100);
    }
    expect(r.participation.unmarkedSessions).toBe(1);
    expect(r.sessions.cancelled).toBe(1);
    if (r.satisfaction.value !== null) {
      expect(r.satisfaction.value).toBeGreaterThanOrEqual(1);
      expect(r.satisfaction.value).toBeLessThanOrEqual(5);
    }
    expect(r.satisfaction.distribution.reduce((a, b) => a + b, 0)).toBe(r.satisfaction.votes);
    expect(r.skillGaps.length).toBeGreaterThan(0);
    expect(r.contributors.hosts.length).toBeGreaterThan(0);
  });

  it('builds afresh over a previous run, leaving other files in the folder alone', async () => {
    const keep = join(work, 'out', 'notes.txt');
    writeFileSync(keep, 'mine');
    const again = await buildDemo({ out: 'out', seed: 'peerloop', small: true }, { clock: createSettableClock(NOW), logger: createLogger('silent'), cwd: work });
    expect(again.report).toEqual({ ...result.report, computedAt: again.report.computedAt });
    expect(again.text).toBe(result.text);
    expect(readFileSync(keep, 'utf8')).toBe('mine');
  });

  it('refuses unknown flags and flags without a value with a clear line and exit 2', async () => {
    for (const [args, line] of [
      [['--colour'], 'Unknown option --colour.'],
      [['--seed'], '--seed needs a value.'],
      [['--small=yes'], '--small takes no value.'],
      [['now'], 'Unexpected argument "now": every value follows its flag, such as --out demo-output.'],
    ] as [string[], string][]) {
      let stderr = '';
      let stdout = '';
      const code = await runDemo(args, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        clock: createSettableClock(NOW),
        logger: createLogger('silent'),
        cwd: work,
      });
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.split('\n')[0], args.join(' ')).toBe(line);
      expect(stderr).toContain('usage: npm run demo');
      expect(stdout).toBe('');
    }
  });
});

describe('npm run demo (the built command)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  });

  it('runs with no Slack token and no .env, printing the digest and writing the files', () => {
    const cwd = join(work, 'cli');
    execFileSync('mkdir', ['-p', cwd]);
    const run = spawnSync(process.execPath, [join(repoRoot, 'dist/demo.js'), '--small', '--out', 'demo'], { cwd, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Peer learning, the week of');
    for (const file of Object.values(DEMO_FILES)) expect(existsSync(join(cwd, 'demo', file)), file).toBe(true);
  });
});
