import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/cli/run-report.js';
import { DIGEST_CHART_WEEKS } from '../../src/services/digest.js';
import { createSettableClock } from '../../src/clock.js';
import type { DatabaseConfigResult } from '../../src/config.js';
import { openDb } from '../../src/db/client.js';
import { DEMO_TEAM_ID } from '../../src/demo/demo-team.js';
import { seedDemo } from '../../src/demo/seed-demo.js';
import { createLogger } from '../../src/logger.js';
import { computeKpiReport, lastFullWeek, weekPeriod } from '../../src/services/kpis.js';
import { createWorkspace } from '../support/factories.js';
import { repoRoot } from '../support/built-app.js';
import { readPng } from '../support/png.js';
import { DIGEST_CHART_HEIGHT, DIGEST_CHART_WIDTH } from '../../src/charts/digest-chart.js';

/**
 * `npm run report`: the digest's KPIs from the database alone. In-process for each case (a
 * settable clock, so the JSON can be compared with computeKpiReport exactly), and through the
 * built dist/report.js for what only the real command shows: DATABASE_PATH read without any
 * Slack token, exit codes, nothing on stdout but the JSON.
 */

// Wednesday 9 Dec 2026, 15:00 in Berlin: the last full week is Mon 30 Nov - Sun 6 Dec.
const NOW = Date.parse('2026-12-09T14:00:00Z');
const ZONE = 'Europe/Berlin';
let work: string;
let dbPath: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'peerloop-report-'));
  // Not ./data/peerloop.db (the default): the built command run in `work` must not find it by accident.
  dbPath = join(work, 'store', 'peerloop.db');
  const handle = openDb(dbPath);
  seedDemo(handle.db, { teamId: DEMO_TEAM_ID, now: Date.parse('2026-12-07T08:00:00Z'), seed: 'report', size: 'small' });
  createWorkspace(handle.db, 'T0ACME', { name: 'Acme' });
  handle.close();
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function report(args: string[], options: { databasePath?: string } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runReport(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    clock: createSettableClock(NOW),
    logger: createLogger('silent'),
    databaseConfig: (): DatabaseConfigResult => ({ ok: true, databasePath: options.databasePath ?? join(work, 'nowhere.db') }),
  });
  return { code, stdout, stderr };
}

function expected(week?: string) {
  const handle = openDb(dbPath);
  try {
    const deps = { db: handle.db, clock: createSettableClock(NOW), logger: createLogger('silent') };
    const period = week === undefined ? lastFullWeek(NOW, ZONE) : weekPeriod(week, ZONE);
    const monday = new Date(period.from + 12 * 3_600_000).toISOString().slice(0, 10);
    const previous = new Date(Date.parse(`${monday}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
    return computeKpiReport(deps, DEMO_TEAM_ID, { period, previousPeriod: weekPeriod(previous, ZONE) });
  } finally {
    handle.close();
  }
}

describe('npm run report (in process)', () => {
  it('--json prints the KPI report computeKpiReport gives for the last full week, and nothing else', async () => {
    const run = await report(['--team', DEMO_TEAM_ID, '--json', '--db', dbPath]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const parsed: unknown = JSON.parse(run.stdout);
    expect(parsed).toEqual(expected());
    expect(parsed).toMatchObject({ teamId: DEMO_TEAM_ID, timeZone: ZONE, period: lastFullWeek(NOW, ZONE), hasAnySessions: true });
  });

  it('--week picks the week; DATABASE_PATH is used without --db', async () => {
    const run = await report(['--team', DEMO_TEAM_ID, '--week', '2026-11-23', '--json'], { databasePath: dbPath });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expected('2026-11-23'));
  });

  it('prints the digest KPIs as text: value, target, met, previous, change and sample, or the KPI’s own sentence', async () => {
    const run = await report(['--team', DEMO_TEAM_ID, '--db', dbPath]);
    expect(run.code).toBe(0);
    const r = expected();
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`Northwind Labs (${DEMO_TEAM_ID}): KPIs for Mon 30 Nov – Sun 6 Dec 2026 (Europe/Berlin)`);
    expect(lines.find((l) => l.startsWith('KPI'))).toMatch(/^KPI\s+Value\s+Target\s+Met\s+Previous\s+Change\s+Sample$/);
    const participation = lines.find((l) => l.startsWith('Participation rate'))!;
    if (r.participation.value === null) expect(participation).toContain(r.participation.insufficient!);
    else {
      expect(participation).toContain(`${Math.round(r.participation.value)}%`);
      expect(participation).toContain(`${r.participation.attended} of ${r.participation.invited} invited came`);
      expect(participation).toMatch(/\s60%\s/);
    }
    for (const label of ['Sessions per week', 'Sessions in 30 days', 'Average length', 'Satisfaction', 'Time to competency', 'Matches that met']) {
      expect(lines.some((l) => l.startsWith(label))).toBe(true);
    }
    expect(run.stdout).toContain(`${r.sessions.held} sessions held`);
    // People by name, never as ids.
    expect(run.stdout).not.toMatch(/U0DEMO\d/);
  });

  it('an unknown team: one line naming the database and the teams in it, exit 1', async () => {
    const run = await report(['--team', 'T123', '--db', dbPath]);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `No workspace T123 in ${dbPath}. Teams here: T0ACME (Acme), T0DEMO (Northwind Labs).\n` });
  });

  it('a database file that does not exist: a clear line, exit 1, and no file or folder made', async () => {
    const missing = join(work, 'absent', 'peerloop.db');
    const run = await report(['--team', DEMO_TEAM_ID, '--db', missing]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`No database at ${missing} (from --db). Point --db at Peerloop's database file, such as --db data/peerloop.db.\n`);
    expect(existsSync(join(work, 'absent'))).toBe(false);
    const fromEnv = await report(['--team', DEMO_TEAM_ID]);
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain(`No database at ${join(work, 'nowhere.db')} (from DATABASE_PATH`);
    expect(existsSync(join(work, 'nowhere.db'))).toBe(false);
  });

  it('a --week that is not a Monday, not a date, or not started yet: a clear line, exit 2', async () => {
    const wednesday = await report(['--team', DEMO_TEAM_ID, '--db', dbPath, '--week', '2026-11-18']);
    expect(wednesday.code).toBe(2);
    expect(wednesday.stderr.split('\n')[0]).toBe("--week 2026-11-18 is a Wednesday: give the Monday the week starts on (that week's is 2026-11-16).");
    for (const bad of ['2026-02-30', '16/11/2026', 'last week', '']) {
      const run = await report(['--team', DEMO_TEAM_ID, '--db', dbPath, '--week', bad]);
      expect(run.code, bad).toBe(2);
      expect(run.stderr.split('\n')[0], bad).toBe(`--week "${bad}" is not a date: give the Monday the week starts on, as YYYY-MM-DD (such as 2026-11-16).`);
    }
    const future = await report(['--team', DEMO_TEAM_ID, '--db', dbPath, '--week', '2026-12-14']);
    expect(future.code).toBe(2);
    expect(future.stderr).toBe('--week 2026-12-14 has not started yet (today is 2026-12-09 in Europe/Berlin): pick a week up to this one.\n');
    expect(future.stdout).toBe('');
  });

  it('the week in progress is reported, and says so', async () => {
    const run = await report(['--team', DEMO_TEAM_ID, '--db', dbPath, '--week', '2026-12-07']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[1]).toBe('This week is not over yet: the numbers are what happened so far.');
  });

  it('unknown flags, a missing --team, a stray argument or a missing value: a clear line and the usage, exit 2', async () => {
    const cases: [string[], string][] = [
      [['--team', DEMO_TEAM_ID, '--db', dbPath, '--foo'], 'Unknown option --foo.'],
      [['--db', dbPath], '--team is required: the Slack team id of the workspace, such as T0123ABCD.'],
      [['--team', DEMO_TEAM_ID, 'extra'], 'Unexpected argument "extra": every value follows its flag, such as --team T0123ABCD.'],
      [['--team'], '--team needs a value.'],
      [['--team', DEMO_TEAM_ID, '--chart', 'out.svg'], '--chart must name a .png file, such as --chart digest.png.'],
    ];
    for (const [args, line] of cases) {
      const run = await report(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n')[0], args.join(' ')).toBe(line);
      expect(run.stderr).toContain('usage: npm run report -- --team <team id>');
    }
    const help = await report(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run report');
  });

  it('--chart writes the 8-week chart ending with the reported week as a PNG', async () => {
    const out = join(work, 'charts', 'kpis.png');
    const run = await report(['--team', DEMO_TEAM_ID, '--db', dbPath, '--chart', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Chart written to ${out}`);
    const png = readPng(readFileSync(out));
    expect([png.width, png.height]).toEqual([DIGEST_CHART_WIDTH, DIGEST_CHART_HEIGHT]);
    // Not blank: the lines, bars and text give many colours.
    expect(new Set(Array.from({ length: 2000 }, (_, i) => png.pixel((i * 7919) % png.width, (i * 104729) % png.height).join())).size).toBeGreaterThan(5);
    expect(DIGEST_CHART_WEEKS).toBe(8);
  });
});

describe('npm run report (the built command)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  });

  // No Slack variable at all, and a working folder without a .env: only DATABASE_PATH.
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(repoRoot, 'dist/report.js'), ...args], { cwd: work, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

  it('reads DATABASE_PATH without any Slack token; --json puts only JSON on stdout', () => {
    const result = run(['--team', DEMO_TEAM_ID, '--json', '--week', '2026-11-30'], { DATABASE_PATH: dbPath });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const parsed = JSON.parse(result.stdout) as { teamId: string; period: unknown };
    expect(parsed.teamId).toBe(DEMO_TEAM_ID);
    expect(parsed.period).toEqual(weekPeriod('2026-11-30', ZONE));
  });

  it('exits 1 for an unknown team and for a missing database', () => {
    const unknown = run(['--team', 'T123'], { DATABASE_PATH: dbPath });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(`No workspace T123 in ${dbPath}. Teams here: T0ACME (Acme), T0DEMO (Northwind Labs).\n`);
    const missing = run(['--team', DEMO_TEAM_ID]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`No database at ${join(work, 'data', 'peerloop.db')} (from DATABASE_PATH`);
    expect(existsSync(join(work, 'data'))).toBe(false);
  });
});
