import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSettableClock, type SettableClock } from '../src/clock.js';
import { parseConfig } from '../src/config.js';
import { openDb, type DbHandle } from '../src/db/client.js';
import { composePeerloop } from '../src/compose.js';
import type { Scheduler } from '../src/jobs/scheduler.js';
import { createLogger } from '../src/logger.js';
import { REMINDER_KIND } from '../src/services/reminders.js';
import { createSendBudget } from '../src/services/send-budget.js';
import { syncSessionJobs } from '../src/services/session-jobs.js';
import type { AppDeps } from '../src/deps.js';
import type { SlackApi } from '../src/slack/web-api.js';
import { createMessenger } from '../src/slack/messenger.js';
import { startFakeSlackProcess } from './lib/children.js';
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.js';

/**
 * 10,000 reminders due at the same moment, against a fake Slack that answers instantly.
 * Measures jobs settled per second by Peerloop's side (claim, check, render, send through the
 * real messenger, record), checks that no reminder went out twice, and in a second pass checks
 * the per-workspace messages-per-minute cap minute by minute on a moving settable clock.
 * Bar (issue 12: the exactly-once checks must not cost it): at least 10,000 jobs per second.
 */

const TEAM = 'T0BENCH';
const START = Date.UTC(2030, 0, 7, 10, 0);
export const THROUGHPUT_BAR_PER_SECOND = 10_000;

interface Setup {
  dir: string;
  database: DbHandle;
  clock: SettableClock;
  deps: AppDeps;
  scheduler: Scheduler;
}

/**
 * A Slack that answers instantly inside this process: the Web API calls the messenger makes
 * (web-api.ts), with nothing in between, so the measurement is Peerloop's own work and not this
 * machine's loopback HTTP (which tops out near 2,000 requests a second on 2 cores).
 */
function instantApi() {
  const perChannel = new Map<string, number>();
  let ts = 0;
  const api: SlackApi = {
    async call<T>(method: string, args: Record<string, unknown>): Promise<T> {
      if (method === 'chat.postMessage') {
        const channel = String(args.channel);
        perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
        ts += 1;
        return { ok: true, channel, ts: `1700000000.${String(ts).padStart(6, '0')}` } as T;
      }
      if (method === 'conversations.open') return { ok: true, channel: { id: `D${String(args.users).slice(1)}` } } as T;
      throw new Error(`the in-process Slack does not answer ${method}`);
    },
    post: async () => undefined,
  };
  return { api, perChannel };
}

async function setUp(fake: { apiUrl: string }, options: { sessions: number; perSession: number; cap: number | undefined; api?: SlackApi }): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'peerloop-bench-jobs-'));
  const parsed = parseConfig({
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef0123456789',
    SLACK_API_URL: fake.apiUrl,
    DATABASE_PATH: join(dir, 'peerloop.db'),
    LOG_LEVEL: 'silent',
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const config = parsed.config;
  const logger = createLogger('silent');
  const database = openDb(config.databasePath);
  const clock = createSettableClock(START - 2 * 24 * 60 * 60_000);
  const cap = options.cap;
  // The shared send budget, as the app's messenger has it (createAppMessenger): every paced send asks the database.
  const sendBudget = createSendBudget({ db: database.db, clock, logger });
  const messenger = createMessenger(config, logger, { clock, capFor: () => cap, sendBudget, ...(options.api === undefined ? {} : { api: options.api }) });
  // Composed like the app (no kicks: the bench ticks by hand), with its own messenger (cap, api).
  const { deps, scheduler } = composePeerloop({ config, database, clock, logger, messenger, planners: [], kick: false });

  // Rows written straight to SQLite in one transaction: the set-up is not what is measured.
  const sqlite = database.sqlite;
  const settings = JSON.stringify({ reminderLeadMinutes: [15], ...(cap === undefined ? {} : { messagesPerMinute: cap }) });
  sqlite.transaction(() => {
    sqlite.prepare(`INSERT INTO workspaces (team_id, time_zone, settings, created_at, updated_at) VALUES (?, 'Europe/Berlin', ?, 0, 0)`).run(TEAM, settings);
    const session = sqlite.prepare(
      `INSERT INTO sessions (team_id, number, title, format, topic, host_id, creator_id, starts_at, duration_min, channel_id, agenda, created_at, updated_at)
       VALUES (?, ?, ?, 'micro-lesson', '', ?, ?, ?, 30, 'C0BENCH', 'Warm-up, demo, questions', 0, 0)`,
    );
    const participant = sqlite.prepare(`INSERT INTO participants (team_id, session_number, user_id, role, joined_at) VALUES (?, ?, ?, ?, 0)`);
    const member = sqlite.prepare(`INSERT INTO members (team_id, user_id, time_zone, first_seen_at) VALUES (?, ?, ?, 0)`);
    const zones = ['America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'Australia/Sydney'];
    for (let s = 1; s <= options.sessions; s += 1) {
      const host = `U0H${String(s).padStart(5, '0')}`;
      session.run(TEAM, s, `Session ${s}`, host, host, START);
      participant.run(TEAM, s, host, 'host');
      member.run(TEAM, host, zones[s % zones.length]);
      for (let a = 1; a < options.perSession; a += 1) {
        const user = `U0A${String(s).padStart(5, '0')}${String(a).padStart(4, '0')}`;
        participant.run(TEAM, s, user, 'attendee');
        if (a % 2 === 0) member.run(TEAM, user, zones[a % zones.length]);
      }
    }
  })();
  const sdeps = { db: database.db, clock, logger };
  for (let s = 1; s <= options.sessions; s += 1) syncSessionJobs(sdeps, TEAM, s);
  clock.set(START - 15 * 60_000);
  return { dir, database, clock, deps, scheduler };
}

/**
 * Reminders still to send. Only reminders: the sessions also plan their end-of-session card job
 * (due after the start, so not part of this burst).
 */
function pendingReminders(setup: Setup): number {
  return (setup.database.sqlite.prepare(`SELECT count(*) AS n FROM jobs WHERE kind = ? AND status IN ('pending', 'running')`).get(REMINDER_KIND) as { n: number }).n;
}

function tearDown(setup: Setup): void {
  setup.database.close();
  rmSync(setup.dir, { recursive: true, force: true });
}

/** Counts deliveries per channel (a DM channel per person) and per minute of the settable clock. */
function countDeliveries(fake: FakeSlack, clock: SettableClock) {
  const perChannel = new Map<string, number>();
  const perMinute = new Map<number, number>();
  fake.onMethod('chat.postMessage', (args) => {
    const channel = String(args.channel);
    perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
    const minute = Math.floor(clock.now() / 60_000);
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    return { ok: true, channel, ts: fake.nextTs() };
  });
  return { perChannel, perMinute };
}

async function measure(fake: { apiUrl: string }, api: SlackApi | undefined): Promise<{ jobs: number; settled: number; seconds: number }> {
  const setup = await setUp(fake, { sessions: 100, perSession: 100, cap: undefined, ...(api === undefined ? {} : { api }) });
  const { scheduler } = setup;
  const jobs = pendingReminders(setup);
  const started = performance.now();
  const report = await scheduler.tick();
  const seconds = (performance.now() - started) / 1000;
  await scheduler.stop();
  tearDown(setup);
  return { jobs, settled: report.done + report.skipped + report.failed, seconds };
}

/** Pass 1 of this benchmark on its own: jobs per second with Slack answering in-process, and whether each person got exactly one. */
export async function measureInProcessThroughput(): Promise<{ perSecond: number; deliveries: number; duplicates: number; missing: number; jobs: number; settled: number; seconds: number }> {
  const fake = await startFakeSlack();
  try {
    const instant = instantApi();
    const one = await measure(fake, instant.api);
    const duplicates = [...instant.perChannel.values()].filter((n) => n > 1).length;
    const missing = one.jobs - instant.perChannel.size;
    const deliveries = [...instant.perChannel.values()].reduce((a, b) => a + b, 0);
    return { ...one, perSecond: one.settled / one.seconds, deliveries, duplicates, missing };
  } finally {
    await fake.stop();
  }
}

export interface JobsThroughputResult {
  jobs: number;
  seconds: number;
  perSecond: number;
  duplicates: number;
  missing: number;
  capped: { cap: number; jobs: number; minutes: number; maxPerMinute: number; maxInAnyWindow: number; duplicates: number };
  pass: boolean;
}

export async function runJobsThroughput(): Promise<JobsThroughputResult> {
  const fake = await startFakeSlack();
  try {
    console.log('jobs throughput: 10,000 reminders due at the same moment, Slack answering instantly');

    // Pass 1: throughput, no cap, Slack answering instantly in-process (the bar).
    const one = await measureInProcessThroughput();
    const { duplicates, missing, perSecond } = one;
    console.log(`  Slack in-process: ${one.settled} of ${one.jobs} jobs settled in ${one.seconds.toFixed(2)} s: ${Math.round(perSecond)} jobs/s (bar >= ${THROUGHPUT_BAR_PER_SECOND}) ${perSecond >= THROUGHPUT_BAR_PER_SECOND ? 'PASS' : 'FAIL'}`);
    console.log(`  deliveries: ${one.deliveries}, people reminded twice: ${duplicates}, never reminded: ${missing} ${duplicates === 0 && missing === 0 ? 'PASS' : 'FAIL'}`);

    // The same over real HTTP to a fake Slack in its own process (two calls per DM: conversations.open, chat.postMessage).
    const remote = await startFakeSlackProcess();
    const two = await measure(remote, undefined);
    const counts = await remote.counts();
    await remote.stop();
    console.log(
      `  fake Slack over HTTP: ${two.settled} jobs in ${two.seconds.toFixed(2)} s: ${Math.round(two.settled / two.seconds)} jobs/s (info: bound by loopback HTTP); deliveries ${counts.deliveries}, duplicates ${counts.duplicates}`,
    );

    // Pass 2: the cap, minute by minute on a moving clock.
    fake.reset();
    const cap = 120;
    const capped = await setUp(fake, { sessions: 10, perSession: 100, cap });
    const cappedCounts = countDeliveries(fake, capped.clock);
    const cappedScheduler = capped.scheduler;
    const cappedJobs = pendingReminders(capped);
    let minutes = 0;
    // Ticks every 20 s of clock time, so the check also covers windows that straddle a tick.
    const sendTimes: number[] = [];
    const seen = cappedCounts.perMinute;
    fake.onMethod('chat.postMessage', (args) => {
      const channel = String(args.channel);
      cappedCounts.perChannel.set(channel, (cappedCounts.perChannel.get(channel) ?? 0) + 1);
      sendTimes.push(capped.clock.now());
      const minute = Math.floor(capped.clock.now() / 60_000);
      seen.set(minute, (seen.get(minute) ?? 0) + 1);
      return { ok: true, channel, ts: fake.nextTs() };
    });
    while (pendingReminders(capped) > 0 && minutes < 60) {
      await cappedScheduler.tick();
      capped.clock.advance(20_000);
      minutes += 1 / 3;
    }
    await cappedScheduler.stop();
    tearDown(capped);
    let maxInAnyWindow = 0;
    for (let i = 0, j = 0; i < sendTimes.length; i += 1) {
      while (sendTimes[i]! - sendTimes[j]! >= 60_000) j += 1;
      maxInAnyWindow = Math.max(maxInAnyWindow, i - j + 1);
    }
    const maxPerMinute = Math.max(0, ...seen.values());
    const cappedDuplicates = [...cappedCounts.perChannel.values()].filter((n) => n > 1).length;
    const cappedOk = maxInAnyWindow <= cap && cappedDuplicates === 0 && sendTimes.length === cappedJobs;
    console.log(
      `  with a cap of ${cap}/min: ${sendTimes.length} of ${cappedJobs} sent over ${Math.ceil(minutes)} clock minutes, at most ${maxPerMinute} in a calendar minute and ${maxInAnyWindow} in any 60 s window, duplicates ${cappedDuplicates} ${cappedOk ? 'PASS' : 'FAIL'}`,
    );
    return {
      jobs: one.jobs,
      seconds: one.seconds,
      perSecond,
      duplicates,
      missing,
      capped: { cap, jobs: cappedJobs, minutes: Math.ceil(minutes), maxPerMinute, maxInAnyWindow, duplicates: cappedDuplicates },
      pass: perSecond >= THROUGHPUT_BAR_PER_SECOND && duplicates === 0 && missing === 0 && cappedOk,
    };
  } finally {
    await fake.stop();
  }
}

// `tsx bench/jobs-throughput.ts` runs it on its own.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runJobsThroughput().catch((error: unknown) => {
    console.error('benchmark crashed:', error);
    process.exitCode = 1;
  });
}
