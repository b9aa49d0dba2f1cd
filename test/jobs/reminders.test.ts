import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { jobs, participants, sessions, workspaces } from '../../src/db/schema.js';
import { getJob, scheduleJob } from '../../src/services/jobs.js';
import { reminderKey } from '../../src/services/reminders.js';
import { syncSessionJobs, syncUpcomingSessionJobs } from '../../src/services/session-jobs.js';
import { cancelSession, joinSession, leaveSession } from '../../src/services/sessions.js';
import { formatInZone } from '../../src/services/time.js';
import { serviceDeps } from '../../src/deps.js';
import { SessionActions } from '../../src/slack/ids.js';
import { dmChannel } from '../support/fake-slack.js';
import { useTestApp } from '../support/use-test-app.js';
import { HOUR, jobByKey, jobRows, memberIn, MINUTE, reasonOf, recordDeliveries, setupSession, TEAM } from './support.js';

let deliveries: ReturnType<typeof recordDeliveries>;
const NOW = Date.UTC(2026, 10, 20, 9, 0);

const t = useTestApp({ planners: [], now: NOW, resetFake: true, clearData: true });
beforeEach(() => {
  deliveries = recordDeliveries(t.fake);
});

const sdeps = () => serviceDeps(t.deps);
const key = (n: number, userId: string, lead: number, startsAt: number) => reminderKey({ sessionNumber: n, userId, leadMinutes: lead, startsAt });

describe('scheduling jobs', () => {
  it('scheduling the same key twice keeps one row', () => {
    setupSession(t, { startsAt: NOW + 48 * HOUR });
    const input = { teamId: TEAM, kind: 'test-noop', key: 'same-key', runAt: NOW + HOUR, payload: { a: 1 } };
    expect(scheduleJob(sdeps(), input)).toBe(true);
    expect(scheduleJob(sdeps(), { ...input, runAt: NOW + 2 * HOUR })).toBe(false);
    const rows = jobRows(t).filter((j) => j.key === 'same-key');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.runAt).toBe(NOW + HOUR);
  });

  it('refuses a reminder payload that does not fit its schema, and stores nothing', () => {
    setupSession(t, { startsAt: NOW + 48 * HOUR });
    expect(() => scheduleJob(sdeps(), { teamId: TEAM, kind: 'reminder', key: 'reminder:bad', runAt: NOW, payload: { sessionNumber: 'one' } })).toThrow(/invalid/);
    expect(jobByKey(t, 'reminder:bad')).toBeUndefined();
  });

  it('plans one reminder per person and lead time, and syncing again adds nothing', () => {
    const start = NOW + 48 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA', 'U0BOB'] });
    syncSessionJobs(sdeps(), TEAM, n);
    const pending = jobRows(t, TEAM, 'reminder').filter((j) => j.status === 'pending');
    expect(pending.map((j) => j.key).sort()).toEqual(
      [key(n, 'U0HOST', 1440, start), key(n, 'U0HOST', 15, start), key(n, 'U0ANNA', 1440, start), key(n, 'U0ANNA', 15, start), key(n, 'U0BOB', 1440, start), key(n, 'U0BOB', 15, start)].sort(),
    );
    expect(pending.find((j) => j.key === key(n, 'U0ANNA', 15, start))!.runAt).toBe(start - 15 * MINUTE);
  });
});

describe('reminders', () => {
  it('DMs the host and each attendee 24 hours and 15 minutes before, in each reader\'s zone with the zone shown', async () => {
    t.database.db.insert(workspaces).values({ teamId: TEAM, timeZone: 'Europe/Berlin', createdAt: 0, updatedAt: 0 }).run();
    memberIn(t, 'U0HOST', 'America/New_York');
    memberIn(t, 'U0ANNA', 'Asia/Kolkata');
    // U0BOB has no member row: the workspace zone is used.
    const start = Date.UTC(2026, 10, 23, 14, 0);
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA', 'U0BOB'], agenda: 'Read <!channel> chapter 2', link: 'https://meet.example.com/x' });

    await t.tick();
    expect(deliveries.total()).toBe(0);

    t.clock.set(start - 24 * HOUR);
    const report = await t.tick();
    expect(report.done).toBe(3);
    expect(deliveries.total()).toBe(3);
    const anna = deliveries.to('U0ANNA')[0]!;
    expect(anna.text).toContain(formatInZone(start, 'Asia/Kolkata'));
    expect(anna.text).toContain('19:30 GMT+5:30');
    expect(anna.text).toContain('24 hours');
    expect(deliveries.to('U0HOST')[0]!.text).toContain('09:00 EST');
    expect(deliveries.to('U0BOB')[0]!.text).toContain('15:00 CET');
    const blocks = JSON.stringify(anna.blocks);
    expect(blocks).toContain('https://meet.example.com/x');
    expect(blocks).toContain('&lt;!channel&gt; chapter 2');
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).toContain(SessionActions.leave);
    expect(blocks).toContain(`"value":"${n}"`);
    // The host cancels rather than leaves: no Leave button.
    expect(JSON.stringify(deliveries.to('U0HOST')[0]!.blocks)).not.toContain(SessionActions.leave);
    const done = jobByKey(t, key(n, 'U0ANNA', 1440, start))!;
    expect(done.status).toBe('done');
    expect(JSON.parse(done.result!)).toMatchObject({ channel: dmChannel('U0ANNA'), ts: expect.any(String) });

    t.clock.set(start - 15 * MINUTE);
    await t.tick();
    expect(deliveries.total()).toBe(6);
    expect(deliveries.to('U0ANNA')[1]!.text).toContain('15 minutes');

    // Nothing more is due: ticking again sends nothing twice.
    t.clock.advance(5 * MINUTE);
    await t.tick();
    expect(deliveries.total()).toBe(6);
    for (const user of ['U0HOST', 'U0ANNA', 'U0BOB']) expect(deliveries.perChannel.get(dmChannel(user))).toBe(2);
  });

  it('renders the time right for a reader whose zone changes to winter time between the reminder and the session', async () => {
    memberIn(t, 'U0NYC', 'America/New_York');
    // US clocks go back on Sun 1 Nov 2026 at 02:00; the 24h reminder goes out on Sat (EDT).
    t.clock.set(Date.UTC(2026, 9, 29, 12, 0));
    const start = Date.UTC(2026, 10, 1, 15, 0);
    setupSession(t, { startsAt: start, attendees: ['U0NYC'] });
    t.clock.set(start - 24 * HOUR);
    await t.tick();
    expect(deliveries.to('U0NYC')[0]!.text).toContain('Sun 1 Nov, 10:00 EST');
  });

  it('respects opt-out: skipped with the reason, nothing sent', async () => {
    memberIn(t, 'U0ANNA', 'UTC');
    t.database.sqlite.prepare(`UPDATE members SET opted_out = 1 WHERE user_id = 'U0ANNA'`).run();
    const start = NOW + 2 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA'] });
    t.clock.set(start - 15 * MINUTE);
    await t.tick();
    expect(deliveries.to('U0ANNA')).toHaveLength(0);
    expect(reasonOf(jobByKey(t, key(n, 'U0ANNA', 15, start)))).toBe('opted_out');
    expect(deliveries.to('U0HOST')).toHaveLength(1);
  });

  it('cancels the reminders of someone who left, and skips at send time if the rows were stale', async () => {
    const start = NOW + 48 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA', 'U0BOB'] });
    leaveSession(sdeps(), TEAM, n, 'U0ANNA');
    expect(jobByKey(t, key(n, 'U0ANNA', 1440, start))!.status).toBe('cancelled');
    // Bob leaves without a sync (as if a write path forgot): the handler's own check catches it.
    t.database.db.update(participants).set({ leftAt: NOW }).where(and(eq(participants.userId, 'U0BOB'), eq(participants.sessionNumber, n))).run();
    t.clock.set(start - 24 * HOUR);
    await t.tick();
    expect(deliveries.to('U0ANNA')).toHaveLength(0);
    expect(deliveries.to('U0BOB')).toHaveLength(0);
    expect(deliveries.to('U0HOST')).toHaveLength(1);
    const bob = jobByKey(t, key(n, 'U0BOB', 1440, start))!;
    expect(bob.status).toBe('skipped');
    expect(reasonOf(bob)).toBe('not_a_participant');
  });

  it('someone who leaves and joins again gets their reminders back, once', async () => {
    const start = NOW + 48 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA'] });
    leaveSession(sdeps(), TEAM, n, 'U0ANNA');
    expect(jobByKey(t, key(n, 'U0ANNA', 1440, start))!.status).toBe('cancelled');
    joinSession(sdeps(), TEAM, n, 'U0ANNA');
    expect(jobRows(t).filter((j) => j.key === key(n, 'U0ANNA', 1440, start))).toHaveLength(1);
    expect(jobByKey(t, key(n, 'U0ANNA', 1440, start))!.status).toBe('pending');
    t.clock.set(start - 24 * HOUR);
    await t.tick();
    expect(deliveries.to('U0ANNA')).toHaveLength(1);
  });

  it('cancels reminders of a cancelled session, and skips them if the cancel was not synced', async () => {
    const start = NOW + 48 * HOUR;
    const a = setupSession(t, { startsAt: start, attendees: ['U0ANNA'] });
    const b = setupSession(t, { startsAt: start, attendees: ['U0BOB'] });
    cancelSession(sdeps(), TEAM, a, { userId: 'U0HOST', isAdmin: false }, null);
    expect(jobRows(t).filter((j) => j.key.startsWith(`reminder:${a}:`)).every((j) => j.status === 'cancelled')).toBe(true);
    t.database.db.update(sessions).set({ status: 'cancelled' }).where(eq(sessions.number, b)).run();
    t.clock.set(start - 24 * HOUR);
    await t.tick();
    // No reminder went out; the one DM is Anna's cancellation notice, planned by cancelSession.
    expect(deliveries.delivered.map((d) => [d.channel, d.text.includes('was cancelled')])).toEqual([[dmChannel('U0ANNA'), true]]);
    expect(reasonOf(jobByKey(t, key(b, 'U0BOB', 1440, start)))).toBe('session_cancelled');
  });

  it('replaces the reminders of a moved session: old ones cancelled or skipped, the new time reminded', async () => {
    const start = NOW + 48 * HOUR;
    const moved = start + 3 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA'] });
    t.database.db.update(sessions).set({ startsAt: moved }).where(eq(sessions.number, n)).run();
    // Before the sync, the old 24h reminder comes due: the handler sees the move and skips it.
    t.clock.set(start - 24 * HOUR);
    await t.tick();
    expect(deliveries.total()).toBe(0);
    expect(reasonOf(jobByKey(t, key(n, 'U0ANNA', 1440, start)))).toBe('session_moved');
    syncSessionJobs(sdeps(), TEAM, n);
    expect(jobByKey(t, key(n, 'U0ANNA', 15, start))!.status).toBe('cancelled');
    expect(jobByKey(t, key(n, 'U0ANNA', 1440, moved))!.status).toBe('pending');
    t.clock.set(moved - 24 * HOUR);
    await t.tick();
    expect(deliveries.to('U0ANNA')).toHaveLength(1);
    expect(deliveries.to('U0ANNA')[0]!.text).toContain(formatInZone(moved, 'UTC'));
  });

  it('skips a reminder that would arrive after the start', async () => {
    const start = NOW + 48 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA'] });
    t.clock.set(start + MINUTE);
    await t.tick();
    expect(deliveries.total()).toBe(0);
    expect(reasonOf(jobByKey(t, key(n, 'U0ANNA', 15, start)))).toBe('session_started');
    expect(reasonOf(jobByKey(t, key(n, 'U0ANNA', 1440, start)))).toBe('session_started');
  });

  it('after a long outage sends only the shortest reminder that is due, not two in the same minute', async () => {
    const start = NOW + 48 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA'] });
    t.clock.set(start - 10 * MINUTE);
    await t.tick();
    expect(deliveries.to('U0ANNA')).toHaveLength(1);
    expect(deliveries.to('U0ANNA')[0]!.text).toContain('15 minutes');
    expect(reasonOf(jobByKey(t, key(n, 'U0ANNA', 1440, start)))).toBe('superseded');
  });

  it('does not plan reminders whose time has passed when someone joins late', () => {
    const start = NOW + 10 * MINUTE;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA'] });
    expect(getJob(sdeps(), TEAM, key(n, 'U0ANNA', 15, start))).toBeUndefined();
    expect(t.database.db.select().from(jobs).where(eq(jobs.kind, 'reminder')).all()).toHaveLength(0);
  });
});

describe('changing the lead times', () => {
  it('re-plans upcoming sessions: old lead times cancelled, new ones planned', () => {
    const start = NOW + 48 * HOUR;
    const n = setupSession(t, { startsAt: start, attendees: ['U0ANNA'] });
    t.database.db.update(workspaces).set({ settings: JSON.stringify({ reminderLeadMinutes: [60] }) }).where(eq(workspaces.teamId, TEAM)).run();
    expect(syncUpcomingSessionJobs(sdeps(), TEAM)).toBe(1);
    expect(jobByKey(t, key(n, 'U0ANNA', 1440, start))!.status).toBe('cancelled');
    expect(jobByKey(t, key(n, 'U0ANNA', 60, start))!.status).toBe('pending');
  });
});
