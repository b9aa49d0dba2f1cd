import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createSettableClock } from '../src/clock.js';
import { openDb } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { renderDigestChart } from '../src/charts/digest-chart.js';
import type { KpiReport } from '../src/services/kpi-report.js';
import { computeKpiReport, computeWeeklySeries, lastFullWeek, type WeeklyPoint } from '../src/services/kpis.js';
import { prng } from './lib/prng.js';

/**
 * Issue 11, "Speed": the digest's numbers on a big workspace. A generated database (50,000
 * members; 200,000 sessions over two years, 3% cancelled; 2,000,000 participant rows, host rows
 * included, with waitlists, people who left, marked and unmarked attendance; 1,000,000 poll votes,
 * some from people later marked absent; 300 skills with about 50,000 skill rows, competencies
 * over two years; 52,000 matching groups) is built once into the temp folder (keyed by
 * DATA_VERSION: bump it when the generator changes) and reused. Child processes (this file bundled as `npm start` bundles the app, run
 * with plain node) open it, as the app would, and measure:
 *
 * - computeKpiReport for the last full week, with the previous week (what the digest computes):
 *   the first (cold) run and the median of warm runs; bar < 250 ms for both;
 * - computeWeeklySeries over 8 weeks (the chart's data), same way (info);
 * - renderDigestChart of those 8 weeks to PNG (charts/digest-chart.ts), same way; bar < 500 ms;
 * - the peak RSS (VmHWM) of a process doing one digest's work once; bar < 250 MB. (Repeated
 *   chart renders keep resvg's pixel buffers until a garbage collection, so the timing child's
 *   peak is shown for information.)
 *
 * A missed bar prints FAIL; the exit code never depends on it.
 */

const DATA_VERSION = 'digest-v5';
const TEAM = 'T0BENCH';
const ZONE = 'Europe/Berlin';
/** A Wednesday; the last full week is Monday 8 to Sunday 14 March 2027. */
const NOW = Date.UTC(2027, 2, 17, 10);
const DAY = 86_400_000;
const MEMBERS = 50_000;
const SESSIONS = 200_000;
const PARTICIPANT_ROWS = 2_000_000;
const VOTES = 1_000_000;
const SKILLS = 300;
const CHANNELS = 20;
/** Where the parent (running from bench/ under tsx) is, and where it bundles the children. */
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUILD_DIR = 'dist/bench';
const BAR_KPIS_MS = 250;
const BAR_CHART_MS = 500;
const BAR_RSS_MB = 250;
const WARM_RUNS = 7;

const userId = (i: number): string => `U${String(i).padStart(7, '0')}`;
const channelId = (i: number): string => `C0BENCH${String(i).padStart(2, '0')}`;

/** The cached database's path, building it first when missing (about a minute). */
export function ensureDigestDatabase(log: (line: string) => void = console.log): string {
  const path = join(tmpdir(), `peerloop-bench-${DATA_VERSION}.db`);
  if (existsSync(path)) return path;
  const building = `${path}.building-${process.pid}`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(building + suffix, { force: true });
  const started = performance.now();
  openDb(building).close(); // the app's own migrations
  const sqlite = new Database(building);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -200000');
  try {
    build(sqlite);
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
  renameSync(building, path);
  for (const suffix of ['-wal', '-shm']) rmSync(building + suffix, { force: true });
  log(`  built ${path} in ${((performance.now() - started) / 1000).toFixed(0)} s (cached for later runs)`);
  return path;
}

function build(sqlite: Database.Database): void {
  const random = prng(11);
  const pick = (n: number): number => Math.floor(random() * n);
  // A few people do most of the hosting and skills are Zipf-popular, as in real workspaces.
  const skewed = (n: number, power: number): number => Math.floor(n * random() ** power);

  sqlite.transaction(() => {
    sqlite
      .prepare(`INSERT INTO workspaces (team_id, name, time_zone, settings, next_session_number, created_at, updated_at) VALUES (?, 'Bench', ?, ?, ?, 0, 0)`)
      .run(TEAM, ZONE, JSON.stringify({ digestChannelId: 'C0DIGEST', competencyBaselineBefore: '2026-01-01' }), SESSIONS + 1);
    const member = sqlite.prepare(`INSERT INTO members (team_id, user_id, name, time_zone, opted_out, first_seen_at) VALUES (?, ?, ?, ?, ?, 0)`);
    for (let i = 0; i < MEMBERS; i += 1) member.run(TEAM, userId(i), `Person ${i}`, ZONE, random() < 0.02 ? 1 : 0);
  })();

  // Sessions, in start order (numbers grow with time, as in the app), with their participants.
  const session = sqlite.prepare(
    `INSERT INTO sessions (team_id, number, title, format, topic, host_id, creator_id, starts_at, duration_min, channel_id, status, created_at, updated_at)
     VALUES (?, ?, ?, 'micro-lesson', '', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const participant = sqlite.prepare(`INSERT INTO participants (team_id, session_number, user_id, role, joined_at, left_at, attended, waitlisted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const first = NOW - 730 * DAY;
  const span = 744 * DAY; // two years back, two weeks ahead
  let rowsLeft = PARTICIPANT_ROWS;
  const durations = [15, 20, 30, 30, 45, 60];
  sqlite.transaction(() => {
    for (let i = 0; i < SESSIONS; i += 1) {
      const number = i + 1;
      const startsAt = Math.floor((first + (i / SESSIONS) * span) / 900_000) * 900_000;
      const durationMin = durations[pick(durations.length)]!;
      const host = userId(skewed(MEMBERS, 3));
      const cancelled = random() < 0.03;
      session.run(TEAM, number, `Session ${number}`, host, host, startsAt, durationMin, channelId(pick(CHANNELS)), cancelled ? 'cancelled' : 'scheduled', startsAt - 7 * DAY, startsAt - 7 * DAY);
      const ended = startsAt + durationMin * 60_000 <= NOW;
      const marked = ended && !cancelled && random() < 0.8;
      participant.run(TEAM, number, host, 'host', startsAt - 7 * DAY, null, marked ? 'yes' : 'unknown', 0);
      // Rows per session average out to exactly PARTICIPANT_ROWS (the last session takes the rest).
      const sessionsLeft = SESSIONS - i;
      const attendees = sessionsLeft === 1 ? rowsLeft - 1 : Math.max(0, Math.round(((rowsLeft - sessionsLeft) / sessionsLeft) * 2 * random()));
      const seen = new Set<string>([host]);
      for (let k = 0; k < attendees; k += 1) {
        let who = userId(pick(MEMBERS));
        while (seen.has(who)) who = userId(pick(MEMBERS));
        seen.add(who);
        const joinedAt = startsAt - (1 + pick(14)) * DAY;
        const r = random();
        const waitlisted = r < 0.03;
        const leftAt = r < 0.03 ? null : r < 0.08 ? joinedAt + DAY / 2 : r < 0.09 ? startsAt + 60_000 : null;
        const seated = !waitlisted && (leftAt === null || leftAt >= startsAt);
        const attended = marked && seated && leftAt === null ? (random() < 0.02 ? 'unknown' : random() < 0.75 ? 'yes' : 'no') : 'unknown';
        participant.run(TEAM, number, who, 'attendee', joinedAt, leftAt, attended, waitlisted ? 1 : 0);
      }
      rowsLeft -= 1 + attendees;
    }
  })();

  sqlite.transaction(() => {
    // Polls on every ended session someone could answer, then exactly VOTES votes among those who
    // could (and some from people marked absent, which the KPIs must leave out).
    sqlite.exec(`
      INSERT INTO polls (team_id, session_number, question, channel_id, message_ts, status, opened_at, closes_at)
      SELECT s.team_id, s.number, 'How useful was this session for your work?', s.channel_id, '1700000000.000001',
        CASE WHEN s.starts_at + s.duration_min * 60000 + 300000 + 259200000 <= ${NOW} THEN 'closed' ELSE 'open' END,
        s.starts_at + s.duration_min * 60000 + 300000, s.starts_at + s.duration_min * 60000 + 300000 + 259200000
      FROM sessions s WHERE s.team_id = '${TEAM}' AND s.status = 'scheduled' AND s.starts_at + s.duration_min * 60000 + 300000 <= ${NOW}
        AND EXISTS (SELECT 1 FROM participants p WHERE p.team_id = s.team_id AND p.session_number = s.number AND p.role = 'attendee' AND p.waitlisted = 0 AND p.left_at IS NULL)`);
    sqlite.exec(`
      INSERT INTO poll_votes (team_id, session_number, user_id, value, comment, comment_shared, voted_at)
      SELECT team_id, session_number, user_id,
        CASE WHEN r < 5 THEN 1 WHEN r < 15 THEN 2 WHEN r < 35 THEN 3 WHEN r < 70 THEN 4 ELSE 5 END,
        CASE WHEN r % 7 = 0 THEN 'Useful, thanks' END, 0, opened_at + 3600000
      FROM (
        SELECT p.team_id, p.session_number, p.user_id, pl.opened_at, abs(random()) % 100 AS r
        FROM participants p JOIN polls pl ON pl.team_id = p.team_id AND pl.session_number = p.session_number
        WHERE p.team_id = '${TEAM}' AND p.role = 'attendee' AND p.waitlisted = 0 AND p.left_at IS NULL
          AND (p.attended != 'no' OR abs(random()) % 10 = 0)
        ORDER BY random() LIMIT ${VOTES}
      )
      -- Stored in the order they would arrive (within 72 h of each session), as the app stores them.
      ORDER BY opened_at, session_number`);
  })();

  // Skills: 300, Zipf-popular; 0 to 3 to teach and 0 to 3 to learn a person, a third of the
  // people; learn rows started over two years, half of them learned 5 to 120 days later.
  const skill = sqlite.prepare(`INSERT INTO skills (team_id, key, name, created_by, created_at) VALUES (?, ?, ?, ?, 0)`);
  const memberSkill = sqlite.prepare(
    `INSERT INTO member_skills (team_id, user_id, skill_key, kind, started_at, added_at, removed_at, completed_at, taught_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  sqlite.transaction(() => {
    for (let k = 0; k < SKILLS; k += 1) skill.run(TEAM, `skill ${k}`, `Skill ${k}`, userId(0));
    for (let i = 0; i < MEMBERS; i += 3) {
      const mine = new Set<number>();
      const add = (kind: 'teach' | 'learn') => {
        // Half of what people want to learn is what few teach: the digest's skill gaps.
        const k = kind === 'learn' && random() < 0.5 ? SKILLS - 1 - skewed(SKILLS, 2) : skewed(SKILLS, 2);
        if (mine.has(k)) return;
        mine.add(k);
        const startedAt = NOW - pick(730) * DAY;
        const removed = random() < 0.1 ? startedAt + pick(30) * DAY : null;
        const done = kind === 'learn' && removed === null && random() < 0.5 ? startedAt + (5 + pick(116)) * DAY : null;
        const completedAt = done !== null && done <= NOW ? done : null;
        const taughtBy = completedAt !== null && random() < 0.7 ? userId(pick(MEMBERS)) : null;
        memberSkill.run(TEAM, userId(i), `skill ${k}`, kind, startedAt, startedAt, removed !== null && removed <= NOW ? removed : null, completedAt, taughtBy);
      };
      for (let t = pick(4); t > 0; t -= 1) add('teach');
      for (let l = pick(4); l > 0; l -= 1) add('learn');
    }
  })();

  // Matching: 5 channels, a weekly round of 100 pairs each for two years; 60% answered.
  const group = sqlite.prepare(
    `INSERT INTO match_groups (team_id, channel_id, round_date, group_index, score, reason, created_at, outcome, outcome_at) VALUES (?, ?, ?, ?, 1, '{}', ?, ?, ?)`,
  );
  const groupMember = sqlite.prepare(`INSERT INTO match_group_members (team_id, group_id, user_id) VALUES (?, ?, ?)`);
  sqlite.transaction(() => {
    for (let week = 104; week >= 1; week -= 1) {
      const at = NOW - week * 7 * DAY;
      const roundDate = new Date(at).toISOString().slice(0, 10);
      for (let c = 0; c < 5; c += 1) {
        for (let g = 0; g < 100; g += 1) {
          const r = random();
          const outcome = r < 0.36 ? 'met' : r < 0.48 ? 'scheduled' : r < 0.6 ? 'not_this_time' : null;
          const id = group.run(TEAM, channelId(c), roundDate, g, at, outcome, outcome === null ? null : at + 7 * DAY).lastInsertRowid;
          const a = pick(MEMBERS);
          groupMember.run(TEAM, id, userId(a));
          groupMember.run(TEAM, id, userId((a + 1 + pick(MEMBERS - 1)) % MEMBERS));
        }
      }
    }
  })();
}

/** Rows per table, read here rather than in the measuring child (a full count is not the digest's work). */
function countRows(path: string): Record<string, number> {
  const sqlite = new Database(path, { readonly: true });
  try {
    const count = (table: string): number => sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return Object.fromEntries(['members', 'sessions', 'participants', 'polls', 'poll_votes', 'member_skills', 'match_groups'].map((t) => [t, count(t)]));
  } finally {
    sqlite.close();
  }
}

interface Timing {
  coldMs: number;
  warmMedianMs: number;
  /** CPU time (user + system) of the warm run with the median wall time: what the work costs when the machine is busy with others. */
  warmCpuMs: number;
}

interface TimingReport {
  kpis: Timing;
  kpisNoPrevious: Timing;
  series: Timing;
  chart: Timing;
  chartBytes: number;
  peakRssMb: number;
  summary: string;
}

interface OnceReport {
  /** Resident memory after loading the code and opening the database, before any digest work. */
  openedRssMb: number;
  peakRssMb: number;
  ms: number;
}

/**
 * This process's own peak resident memory: VmHWM. Not getrusage's maxRSS, which Linux carries
 * over from the parent at fork (so it would report the data generation's peak).
 */
function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function timed(run: () => unknown): Promise<Timing> {
  let started = performance.now();
  await run();
  const coldMs = performance.now() - started;
  const warm: { ms: number; cpuMs: number }[] = [];
  for (let i = 0; i < WARM_RUNS; i += 1) {
    const cpu = process.cpuUsage();
    started = performance.now();
    await run();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    warm.push({ ms, cpuMs: (used.user + used.system) / 1000 });
  }
  warm.sort((a, b) => a.ms - b.ms);
  const median = warm[warm.length >> 1]!;
  return { coldMs, warmMedianMs: median.ms, warmCpuMs: median.cpuMs };
}

function openBench(path: string) {
  const handle = openDb(path);
  const deps = { db: handle.db, clock: createSettableClock(NOW), logger: createLogger('silent') };
  return { handle, deps, period: lastFullWeek(NOW, ZONE) };
}

/** The chart input as the digest builds it: the settings' default targets, 60 % and 4 a month (4 x 7 / 30 a week). */
const chartInput = (weeks: WeeklyPoint[]) => ({ weeks, participationTargetPct: 60, sessionsPerWeekTarget: (4 * 7) / 30 });

/** Child "time": each step cold (first run, nothing in SQLite's cache yet) and warm (median of WARM_RUNS). */
async function measureTimes(path: string): Promise<TimingReport> {
  const { handle, deps, period } = openBench(path);
  try {
    let report: KpiReport | undefined;
    const kpis = await timed(() => (report = computeKpiReport(deps, TEAM, { period })));
    const kpisNoPrevious = await timed(() => computeKpiReport(deps, TEAM, { period, previousPeriod: null }));
    let weeks: WeeklyPoint[] = [];
    const series = await timed(() => (weeks = computeWeeklySeries(deps, TEAM, { endingBefore: period.to, weeks: 8 })));
    let chartBytes = 0;
    const chart = await timed(async () => (chartBytes = (await renderDigestChart(chartInput(weeks))).length));
    if (report === undefined) throw new Error('no report');
    const fmt = (n: number | null, digits = 1): string => (n === null ? '-' : n.toFixed(digits));
    const summary =
      `held ${report.sessions.held}, cancelled ${report.sessions.cancelled}, participation ${fmt(report.participation.value)}% of ${report.participation.invited} ` +
      `(${report.participation.unmarkedSessions} unmarked), satisfaction ${fmt(report.satisfaction.value, 2)} from ${report.satisfaction.votes} votes, ` +
      `time to competency ${fmt(report.competency.value)} days (${report.competency.reached} reached, baseline ${fmt(report.competency.baselineDays)}), ` +
      `${report.contributors.hosts.length} hosts, ${report.contributors.newParticipants.length} new participants, ${report.skillGaps.length} skill gaps, ${report.matching.groups} groups`;
    return { kpis, kpisNoPrevious, series, chart, chartBytes, peakRssMb: peakRssMb(), summary };
  } finally {
    handle.close();
  }
}

/** Child "once": what one digest does, once (report, series, chart), for its memory. */
async function measureOnce(path: string): Promise<OnceReport> {
  const { handle, deps, period } = openBench(path);
  try {
    const openedRssMb = process.memoryUsage().rss / 1_048_576;
    const started = performance.now();
    computeKpiReport(deps, TEAM, { period });
    await renderDigestChart(chartInput(computeWeeklySeries(deps, TEAM, { endingBefore: period.to, weeks: 8 })));
    return { openedRssMb, peakRssMb: peakRssMb(), ms: performance.now() - started };
  } finally {
    handle.close();
  }
}

const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

export interface DigestBenchResult {
  kpisWarmMs: number;
  kpisColdMs: number;
  seriesWarmMs: number;
  chartWarmMs: number;
  peakRssMb: number;
  pass: boolean;
}

/**
 * Runs a child as `npm start` runs the app: this file bundled by scripts/build.mjs and started
 * with plain node (tsx would add about 50 MB of its own to the memory measured).
 */
function runChild<T>(mode: 'time' | 'once', path: string): T {
  const out = execFileSync(process.execPath, [join(REPO_ROOT, BUILD_DIR, 'digest.js'), '--child', mode, path], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

export async function runDigest(): Promise<DigestBenchResult> {
  console.log('digest: KPIs of the last full week on 50,000 members, 200,000 sessions, 2,000,000 participant rows, 1,000,000 votes; the chart');
  const path = ensureDigestDatabase((line) => console.log(line));
  const counts = countRows(path);
  execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', BUILD_DIR, 'bench/digest.ts'], { cwd: REPO_ROOT, stdio: 'inherit' });
  // Each in a child process of its own, so the memory is the digest's and not the data generation's.
  const once = runChild<OnceReport>('once', path);
  const r = runChild<TimingReport>('time', path);
  const n = (x: number): string => x.toLocaleString('en-US');
  console.log(`  data: ${Object.entries(counts).map(([t, c]) => `${n(c)} ${t}`).join(', ')}`);
  console.log(`  last full week: ${r.summary}`);
  const kpisOk = r.kpis.warmMedianMs < BAR_KPIS_MS && r.kpis.coldMs < BAR_KPIS_MS;
  console.log(
    `  KPI report (with the previous week): ${r.kpis.warmMedianMs.toFixed(1)} ms warm (median of ${WARM_RUNS}; CPU ${r.kpis.warmCpuMs.toFixed(0)} ms), ${r.kpis.coldMs.toFixed(1)} ms cold (first run); bar < ${BAR_KPIS_MS} ms ${verdict(kpisOk)}`,
  );
  console.log(`  KPI report without the previous week (the digest comparing with last week's snapshot): ${r.kpisNoPrevious.warmMedianMs.toFixed(1)} ms warm (CPU ${r.kpisNoPrevious.warmCpuMs.toFixed(0)} ms) (info)`);
  console.log(`  weekly series, 8 weeks: ${r.series.warmMedianMs.toFixed(1)} ms warm (CPU ${r.series.warmCpuMs.toFixed(0)} ms), ${r.series.coldMs.toFixed(1)} ms cold (info)`);
  const chartOk = r.chart.warmMedianMs < BAR_CHART_MS && r.chart.coldMs < BAR_CHART_MS;
  console.log(
    `  chart, 8 weeks to a ${(r.chartBytes / 1024).toFixed(0)} KB PNG: ${r.chart.warmMedianMs.toFixed(1)} ms warm (CPU ${r.chart.warmCpuMs.toFixed(0)} ms), ${r.chart.coldMs.toFixed(1)} ms cold (first render: fonts, vega); bar < ${BAR_CHART_MS} ms ${verdict(chartOk)}`,
  );
  const rssOk = once.peakRssMb < BAR_RSS_MB;
  console.log(
    `  peak RSS of a process doing one digest (report, series, chart; ${once.ms.toFixed(0)} ms): ${once.peakRssMb.toFixed(0)} MB, ${once.openedRssMb.toFixed(0)} MB of it after loading the code and opening the database; bar < ${BAR_RSS_MB} MB ${verdict(rssOk)}`,
  );
  console.log(`  peak RSS of the timing process (${WARM_RUNS + 1} reports, series and charts): ${r.peakRssMb.toFixed(0)} MB (info)`);
  return { kpisWarmMs: r.kpis.warmMedianMs, kpisColdMs: r.kpis.coldMs, seriesWarmMs: r.series.warmMedianMs, chartWarmMs: r.chart.warmMedianMs, peakRssMb: once.peakRssMb, pass: kpisOk && chartOk && rssOk };
}

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
if (isMain && process.argv[2] === '--child') {
  const [mode, path] = [process.argv[3], process.argv[4]!];
  (mode === 'once' ? measureOnce(path) : measureTimes(path)).then(
    (report) => console.log(JSON.stringify(report)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
} else if (isMain) {
  // `tsx bench/digest.ts` runs it on its own.
  runDigest().catch((error: unknown) => {
    console.error('benchmark crashed:', error);
    process.exitCode = 1;
  });
}
