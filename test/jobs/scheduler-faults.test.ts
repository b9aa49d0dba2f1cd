import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { claimDueJobs, countJobs } from '../../src/services/jobs.js';
import { DEFAULT_LEASE_MS } from '../../src/jobs/scheduler.js';
import { reminderKey } from '../../src/services/reminders.js';
import { serviceDeps } from '../../src/deps.js';
import type { TestApp } from '../support/app.js';
import { useTestApp } from '../support/use-test-app.js';
import { dmChannel } from '../support/fake-slack.js';
import { createWorkspace } from '../support/factories.js';
import { HOUR, jobByKey, jobRows, MINUTE, reasonOf, recordDeliveries, setupSession, TEAM, useAppsOnOneFile } from './support.js';

const NOW = Date.UTC(2026, 10, 20, 9, 0);
const people = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `U${prefix}${String(i).padStart(4, '0')}`);

function setSettings(t: TestApp, settings: Record<string, unknown>, teamId = TEAM): void {
  createWorkspace(t.database.db, teamId);
  t.database.db.update(workspaces).set({ settings: JSON.stringify(settings) }).where(eq(workspaces.teamId, teamId)).run();
}

describe('Slack failures while sending reminders', () => {
  let deliveries: ReturnType<typeof recordDeliveries>;

  const t = useTestApp({ planners: [], now: NOW, resetFake: true, clearData: true });
  beforeEach(() => {
    deliveries = recordDeliveries(t.fake);
    setSettings(t, { reminderLeadMinutes: [15], messagesPerMinute: 600 });
  });

  it('429 with Retry-After: 2 for a burst: every message still goes out exactly once, later', async () => {
    const attendees = people('0R', 20);
    const start = NOW + 2 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees });
    t.fake.script('chat.postMessage', { status: 429, retryAfter: 2 }, { status: 429, retryAfter: 2 }, { status: 429, retryAfter: 2 });
    t.clock.set(start - 15 * MINUTE);
    await t.tick();
    expect(deliveries.total()).toBeLessThan(21);
    const waiting = jobRows(t, TEAM, 'reminder').filter((j) => j.status === 'pending');
    expect(waiting.length).toBeGreaterThan(0);
    // Waiting for Slack is not a failed attempt.
    expect(waiting.every((j) => j.attempts === 0 && j.runAt >= start - 15 * MINUTE + 2_000)).toBe(true);
    for (let i = 0; i < 5 && countJobs(serviceDeps(t.deps), TEAM).pending > 0; i += 1) {
      t.clock.advance(2_000);
      await t.tick();
    }
    expect(deliveries.total()).toBe(21);
    for (const user of [...attendees, 'U0HOST']) expect(deliveries.perChannel.get(dmChannel(user))).toBe(1);
    expect(jobRows(t, TEAM, 'reminder').every((j) => j.status === 'done')).toBe(true);
    expect(jobByKey(t, reminderKey({ sessionNumber: n, userId: attendees[0]!, leadMinutes: 15, startsAt: start }))!.status).toBe('done');
  });

  it('a 429 in one workspace does not hold back another', async () => {
    setSettings(t, { reminderLeadMinutes: [15], messagesPerMinute: 600 }, 'T0OTHER');
    const start = NOW + 2 * HOUR;
    setupSession(t, { startsAt: start, attendees: people('0A', 5) });
    setupSession(t, { teamId: 'T0OTHER', startsAt: start + 1, hostId: 'U0OHOST', attendees: people('0B', 5) });
    t.fake.script('chat.postMessage', { status: 429, retryAfter: 30 });
    t.clock.set(start + 1 - 15 * MINUTE);
    await t.tick();
    const first = t.fake.callsTo('chat.postMessage')[0]!;
    const limitedTeam = first.args.channel === dmChannel('U0OHOST') || String(first.args.channel).startsWith('D0B') ? 'T0OTHER' : TEAM;
    const otherTeam = limitedTeam === TEAM ? 'T0OTHER' : TEAM;
    expect(jobRows(t, otherTeam, 'reminder').every((j) => j.status === 'done')).toBe(true);
    expect(jobRows(t, limitedTeam, 'reminder').some((j) => j.status === 'pending')).toBe(true);
    t.clock.advance(30_000);
    await t.tick();
    expect(deliveries.total()).toBe(12);
    expect([...deliveries.perChannel.values()].every((count) => count === 1)).toBe(true);
  });

  it('500 three times, then ok: sent once', async () => {
    const start = NOW + 2 * HOUR;
    setupSession(t, { startsAt: start, hostId: 'U0SOLO' });
    t.fake.script('chat.postMessage', { status: 500 }, { status: 500 }, { status: 500 });
    t.clock.set(start - 15 * MINUTE);
    // Posting is never retried inside a call (Slack may already have the message); each 500 is
    // one attempt, and the scheduler backs off before the next.
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await t.tick();
      const row = jobRows(t, TEAM, 'reminder')[0]!;
      expect(row).toMatchObject({ status: 'pending', attempts: attempt, lastError: 'http_500' });
      expect(row.runAt).toBeGreaterThan(t.clock.now());
      t.clock.set(row.runAt);
    }
    await t.tick();
    expect(deliveries.total()).toBe(1);
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(4);
    expect(jobRows(t, TEAM, 'reminder')[0]!.status).toBe('done');
  }, 20_000);

  it('records permanent errors as failed and never retries them', async () => {
    const start = NOW + 2 * HOUR;
    setupSession(t, { startsAt: start, hostId: 'U0GONE', attendees: ['U0NOCHAN'] });
    // Handlers outlive reset(), so this one answers everyone else as the default does.
    t.fake.onMethod('conversations.open', (args) => (args.users === 'U0GONE' ? { ok: false, error: 'user_not_found' } : { ok: true, channel: { id: dmChannel(String(args.users)) } }));
    t.fake.script('chat.postMessage', { error: 'channel_not_found' });
    t.clock.set(start - 15 * MINUTE);
    await t.tick();
    const rows = jobRows(t, TEAM, 'reminder');
    expect(rows.map((r) => [r.status, r.lastError]).sort()).toEqual([
      ['failed', 'channel_not_found'],
      ['failed', 'user_not_found'],
    ]);
    const calls = t.fake.calls.length;
    // Past every backoff step (30 s, 2 min, 8 min), still before the session ends (whose "Who came?" DM is a job of its own).
    t.clock.advance(10 * MINUTE);
    await t.tick();
    expect(t.fake.calls.length).toBe(calls);
  });

  it('gives up after five transient failures', async () => {
    const start = NOW + 6 * HOUR;
    setSettings(t, { reminderLeadMinutes: [300], messagesPerMinute: 600 });
    setupSession(t, { startsAt: start, hostId: 'U0FLAKY' });
    t.fake.always('chat.postMessage', { error: 'internal_error' });
    t.clock.set(start - 300 * MINUTE);
    for (let i = 0; i < 6; i += 1) {
      await t.tick();
      t.clock.advance(HOUR);
    }
    expect(jobRows(t, TEAM, 'reminder')[0]).toMatchObject({ status: 'failed', attempts: 5, lastError: 'internal_error' });
  }, 20_000);

  it('paces a workspace to its messages-per-minute cap', async () => {
    setSettings(t, { reminderLeadMinutes: [15], messagesPerMinute: 5 });
    // Later than every other test's sends, so the messenger's window holds only this test's.
    const start = NOW + 7 * HOUR;
    setupSession(t, { startsAt: start, attendees: people('0P', 11) });
    t.clock.set(start - 15 * MINUTE);
    const perTick: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const before = deliveries.total();
      await t.tick();
      perTick.push(deliveries.total() - before);
      t.clock.advance(MINUTE);
    }
    expect(perTick).toEqual([5, 5, 2, 0]);
    expect([...deliveries.perChannel.values()].every((count) => count === 1)).toBe(true);
  });
});

describe('restarts, crashes, outages and two processes on one database', () => {
  const clock = createSettableClock(NOW);
  const files = useAppsOnOneFile(clock, NOW, 'peerloop-jobs-');
  const start = files.start;

  it('stopped in the middle of 500 reminders and started again: each sent exactly once, none lost', async () => {
    const deliveries = recordDeliveries(files.fake);
    const first = await start();
    setSettings(first, { reminderLeadMinutes: [15], messagesPerMinute: 600 });
    const attendees = people('0M', 499);
    const sessionStart = NOW + 2 * HOUR;
    setupSession(first, { startsAt: sessionStart, attendees });
    files.fake.always('chat.postMessage', { delayMs: 3 });
    clock.set(sessionStart - 15 * MINUTE);
    const pass = first.tick();
    await files.fake.waitFor(() => deliveries.total() >= 100, '100 deliveries');
    await first.stop();
    await pass;
    const sentBefore = deliveries.total();
    expect(sentBefore).toBeGreaterThanOrEqual(100);
    expect(sentBefore).toBeLessThan(500);

    const second = await start();
    expect(countJobs(serviceDeps(second.deps)).running).toBe(0);
    await second.tick();
    expect(deliveries.total()).toBe(500);
    for (const user of [...attendees, 'U0HOST']) expect(deliveries.perChannel.get(dmChannel(user))).toBe(1);
    // The two jobs still pending are the session's end (its card turns to "ended") and the host's "Who came?", not due yet.
    expect(countJobs(serviceDeps(second.deps))).toMatchObject({ done: 500, pending: 2, running: 0 });
  }, 30_000);

  it('a process that died holding jobs: they are taken over once its lease runs out (20 s without a heartbeat), checked first, and sent once', async () => {
    const deliveries = recordDeliveries(files.fake);
    const app = await start();
    setSettings(app, { reminderLeadMinutes: [15], messagesPerMinute: 600 });
    const sessionStart = NOW + 2 * HOUR;
    setupSession(app, { startsAt: sessionStart, attendees: people('0C', 29) });
    clock.set(sessionStart - 15 * MINUTE);
    // Another process claims 10 jobs and dies before sending them.
    const dead = openDb(files.databasePath);
    const deadDeps = { db: dead.db, clock, logger: createLogger('silent') };
    const claimed = claimDueJobs(deadDeps, 10, DEFAULT_LEASE_MS, 'dead-process');
    dead.close();
    expect(claimed).toHaveLength(10);
    await app.tick();
    // Its lease (which its heartbeat would keep moving on) has not run out: its jobs are left to it.
    expect(deliveries.total()).toBe(20);
    clock.advance(DEFAULT_LEASE_MS - 1_000);
    await app.tick();
    expect(deliveries.total()).toBe(20);
    clock.advance(1_001);
    await app.tick();
    expect(deliveries.total()).toBe(30);
    expect([...deliveries.perChannel.values()].every((count) => count === 1)).toBe(true);
    // Each taken-over job looked in its DM for the post the dead process may have made.
    expect(files.fake.callsTo('conversations.history').map((c) => c.args.channel).sort()).toEqual(claimed.map((j) => dmChannel((j.payload as { userId: string }).userId)).sort());
  });

  it('two app processes ticking at once on one database: each job runs once', async () => {
    const deliveries = recordDeliveries(files.fake);
    const a = await start();
    const b = await start();
    setSettings(a, { reminderLeadMinutes: [15], messagesPerMinute: 600 });
    const sessionStart = NOW + 2 * HOUR;
    const attendees = people('0T', 299);
    setupSession(a, { startsAt: sessionStart, attendees });
    files.fake.always('chat.postMessage', { delayMs: 1 });
    clock.set(sessionStart - 15 * MINUTE);
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect(ra.done + rb.done).toBe(300);
    expect(ra.done).toBeGreaterThan(0);
    expect(rb.done).toBeGreaterThan(0);
    expect(deliveries.total()).toBe(300);
    expect([...deliveries.perChannel.values()].every((count) => count === 1)).toBe(true);
  }, 30_000);

  it('down for three hours: the catch-up at start-up sends what still makes sense and skips the rest', async () => {
    const deliveries = recordDeliveries(files.fake);
    const before = await start();
    const D = NOW;
    clock.set(D - 2 * 24 * HOUR);
    const s1 = setupSession(before, { startsAt: D + HOUR, hostId: 'U0H1', attendees: ['U0A1'] });
    const s2 = setupSession(before, { startsAt: D + 25 * HOUR, hostId: 'U0H2', attendees: ['U0A2'] });
    const s3 = setupSession(before, { startsAt: D + 2.5 * HOUR, hostId: 'U0H3', attendees: ['U0A3'] });
    const s4 = setupSession(before, { startsAt: D + 3 * HOUR + 10 * MINUTE, hostId: 'U0H4', attendees: ['U0A4'] });
    clock.set(D);
    await before.tick();
    expect(deliveries.total()).toBe(6); // the 24h reminders of s1, s3 and s4
    await before.stop();

    clock.set(D + 3 * HOUR);
    const after = await start();
    await after.scheduler.start();
    await after.scheduler.idle();
    await after.scheduler.stop();
    const k = (n: number, user: string, lead: number, at: number) => jobByKey(after, reminderKey({ sessionNumber: n, userId: user, leadMinutes: lead, startsAt: at }));
    expect(k(s2, 'U0A2', 1440, D + 25 * HOUR)!.status).toBe('done');
    expect(k(s4, 'U0A4', 15, D + 3 * HOUR + 10 * MINUTE)!.status).toBe('done');
    expect(reasonOf(k(s1, 'U0A1', 15, D + HOUR))).toBe('session_started');
    expect(reasonOf(k(s3, 'U0A3', 15, D + 2.5 * HOUR))).toBe('session_started');
    expect(k(s2, 'U0A2', 15, D + 25 * HOUR)!.status).toBe('pending');
    // s1 and s3 ended while it was down: their hosts are asked who came (still the same day).
    expect(deliveries.to('U0H1').map((d) => d.text)).toContainEqual(expect.stringContaining('Who came to'));
    expect(deliveries.to('U0H3').map((d) => d.text)).toContainEqual(expect.stringContaining('Who came to'));
    expect(deliveries.total()).toBe(12);
    expect([...deliveries.perChannel.values()].every((count) => count <= 2)).toBe(true);
  });
});
