import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { jobs, workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { jobHandlers } from '../../src/jobs/registry.js';
import { createScheduler, DEFAULT_LEASE_MS } from '../../src/jobs/scheduler.js';
import type { JobHandler } from '../../src/jobs/types.js';
import { claimDueJobs, scheduleJob, type Job } from '../../src/services/jobs.js';
import { serviceDeps } from '../../src/deps.js';
import { JOB_MESSAGE_EVENT } from '../../src/slack/send-attempt.js';
import type { TestApp } from '../support/app.js';
import { dmChannel } from '../support/fake-slack.js';
import { captureLogs } from '../support/logs.js';
import { createWorkspace } from '../support/factories.js';
import { useTestApp } from '../support/use-test-app.js';
import { HOUR, jobByKey, jobRows, MINUTE, setupSession, TEAM } from './support.js';

/**
 * Issue 12, item 1 in one process: every job post carries its job's metadata, and an attempt
 * after one that may have reached Slack (its process died, or the post failed unclearly) looks
 * for the post first. Killing real processes is in test/e2e/crash-fan-out.test.ts.
 */

const NOW = Date.UTC(2026, 10, 20, 9, 0);
const people = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `U${prefix}${String(i).padStart(4, '0')}`);
const logs = captureLogs('info');
const t = useTestApp({ planners: [], now: NOW, resetFake: true, clearData: true, logger: logs.logger });

function setSettings(app: TestApp, settings: Record<string, unknown>): void {
  createWorkspace(app.database.db, TEAM);
  app.database.db.update(workspaces).set({ settings: JSON.stringify(settings) }).where(eq(workspaces.teamId, TEAM)).run();
}

/** Reminders for `attendees`, all due now. */
function dueReminders(attendees: string[]): void {
  setSettings(t, { reminderLeadMinutes: [15], messagesPerMinute: 600 });
  const start = NOW + 2 * HOUR;
  setupSession(t, { startsAt: start, attendees });
  t.clock.set(start - 15 * MINUTE);
}

/** Another process on the same file: it claims `n` due jobs and is never heard of again (no heartbeat renews its lease). */
function claimAndDie(n: number): Job[] {
  const dead = openDb(t.config.databasePath);
  const deps = { db: dead.db, clock: t.clock, logger: createLogger('silent') };
  const claimed = claimDueJobs(deps, n, DEFAULT_LEASE_MS, 'dead-process');
  dead.close();
  return claimed;
}

/** What the dead process got into Slack before it died: the job's post, with its metadata, as the messenger makes it. */
async function postAsDeadProcess(job: Job): Promise<void> {
  const userId = (job.payload as { userId: string }).userId;
  await t.deps.messenger.postMessage(TEAM, { channel: dmChannel(userId), text: 'Reminder (sent before the crash)' }, {
    jobKey: job.key,
    attempt: attemptAt(null),
  });
}

/** A job's send attempt as the scheduler makes it, held throughout; `verifySince` set: an earlier attempt may have sent. */
const attemptAt = (verifySince: number | null) => ({ verifySince, posts: new Map<string, number>(), postSent: false, assertHeld: () => undefined });

const reminderDms = (userId: string) => t.fake.messagesIn(dmChannel(userId));

beforeEach(() => {
  t.fake.tsClock = () => t.clock.now();
});

describe('the metadata on every job post', () => {
  it('names the job and numbers the post; an interactive post carries none', async () => {
    dueReminders(['U0META0001']);
    await t.tick();
    const [message] = reminderDms('U0META0001');
    const key = jobRows(t, TEAM, 'reminder').find((j) => JSON.parse(j.payload).userId === 'U0META0001')!.key;
    expect(message?.metadata).toEqual({ event_type: JOB_MESSAGE_EVENT, event_payload: { job: key, part: 1 } });
    // A first attempt reads nothing back.
    expect(t.fake.callsTo('conversations.history')).toHaveLength(0);
    await t.deps.messenger.postMessage(TEAM, { channel: 'C0PLAIN', text: 'hello' });
    expect(t.fake.messagesIn('C0PLAIN')[0]?.metadata).toBeUndefined();
  });
});

describe('taking over the jobs of a process that died mid fan-out', () => {
  it('sends each person exactly one reminder: what the dead process posted is found and recorded, the rest is sent', async () => {
    const attendees = people('0V', 20);
    dueReminders(attendees);
    const everyone = [...attendees, 'U0HOST'];
    const claimed = claimAndDie(12);
    // It got 5 of its 12 into Slack before it died; their results were never recorded.
    for (const job of claimed.slice(0, 5)) await postAsDeadProcess(job);
    await t.tick();
    // Its lease has not run out: the other 9 go out, its 12 wait.
    expect(everyone.filter((u) => reminderDms(u).length === 1)).toHaveLength(9 + 5);
    t.clock.advance(DEFAULT_LEASE_MS + 1);
    await t.tick();
    for (const userId of everyone) expect(reminderDms(userId), userId).toHaveLength(1);
    expect(jobRows(t, TEAM, 'reminder').map((j) => j.status)).toEqual(everyone.map(() => 'done'));
    // The five found in Slack are recorded with the ts of the message that is there.
    for (const job of claimed.slice(0, 5)) {
      const row = jobByKey(t, job.key)!;
      const userId = (job.payload as { userId: string }).userId;
      expect(JSON.parse(row.result!)).toMatchObject({ ts: reminderDms(userId)[0]!.ts });
      expect(row.verifySince).not.toBeNull();
    }
    expect(logs.matching('earlier attempt had posted this message')).toHaveLength(5);
    // Only the taken-over jobs looked back, each in its own DM, from shortly before the dead claim.
    const looks = t.fake.callsTo('conversations.history');
    expect(looks.map((c) => c.args.channel).sort()).toEqual(claimed.map((j) => dmChannel((j.payload as { userId: string }).userId)).sort());
    for (const look of looks) expect(Number(look.args.oldest)).toBeLessThanOrEqual(NOW + 2 * HOUR - 15 * MINUTE);
  });

  it('a job whose post Slack accepted but whose answer was lost (a 500 after the work) is not posted again on its retry', async () => {
    dueReminders(['U0LOST0001']);
    t.fake.always('chat.postMessage', { status: 500, afterProcessing: true });
    const first = await t.tick();
    t.fake.clearScripts();
    expect(first.retried).toBe(2);
    const row = jobRows(t, TEAM, 'reminder').find((j) => JSON.parse(j.payload).userId === 'U0LOST0001')!;
    expect(row).toMatchObject({ status: 'pending', lastError: 'http_500' });
    expect(row.verifySince).not.toBeNull();
    expect(reminderDms('U0LOST0001')).toHaveLength(1);
    t.clock.advance(5 * MINUTE);
    await t.tick();
    expect(reminderDms('U0LOST0001')).toHaveLength(1);
    expect(jobByKey(t, row.key)?.status).toBe('done');
  });

  it('a job whose post failed before Slack had it (a plain 500) is posted on its retry, once', async () => {
    dueReminders(['U0FAIL0001']);
    t.fake.always('chat.postMessage', { status: 500 });
    await t.tick();
    t.fake.clearScripts();
    expect(reminderDms('U0FAIL0001')).toHaveLength(0);
    t.clock.advance(5 * MINUTE);
    await t.tick();
    expect(reminderDms('U0FAIL0001')).toHaveLength(1);
    expect(jobRows(t, TEAM, 'reminder')[0]?.status).toBe('done');
  });

  it('a post Slack refused (429) is certainly not there: the retry posts without reading anything', async () => {
    dueReminders(['U0RATE0001']);
    t.fake.always('chat.postMessage', { status: 429, retryAfter: 1 });
    await t.tick();
    t.fake.clearScripts();
    const row = jobRows(t, TEAM, 'reminder').find((j) => JSON.parse(j.payload).userId === 'U0RATE0001')!;
    expect(row).toMatchObject({ status: 'pending', verifySince: null });
    t.clock.advance(2_000);
    await t.tick();
    expect(reminderDms('U0RATE0001')).toHaveLength(1);
    expect(t.fake.callsTo('conversations.history')).toHaveLength(0);
  });

  it('a slow or failing look back waits and looks again; it never posts blind', async () => {
    dueReminders(['U0SLOW0001']);
    const [job] = claimAndDie(1);
    await postAsDeadProcess(job!);
    t.clock.advance(DEFAULT_LEASE_MS + 1);
    t.fake.script('conversations.history', { status: 503 }, { status: 503 }, { status: 503 });
    const report = await t.tick();
    expect(report.retried).toBe(1);
    expect(reminderDms('U0SLOW0001')).toHaveLength(1);
    t.clock.advance(5 * MINUTE);
    await t.tick();
    expect(reminderDms('U0SLOW0001')).toHaveLength(1);
    expect(jobByKey(t, job!.key)?.status).toBe('done');
  });

  it('without the history scope (an install from before it), the post goes ahead with a warning: never lost', async () => {
    dueReminders(['U0SCOPE001']);
    claimAndDie(1);
    t.clock.advance(DEFAULT_LEASE_MS + 1);
    t.fake.always('conversations.history', { error: 'missing_scope' });
    await t.tick();
    expect(reminderDms('U0SCOPE001')).toHaveLength(1);
    expect(logs.matching('could not check for an earlier post').at(-1)).toMatchObject({ code: 'missing_scope' });
  });

  it('finds a post in a thread through conversations.replies', async () => {
    const parent = await t.deps.messenger.postMessage(TEAM, { channel: 'C0THREAD', text: 'card' });
    const meta = (verifySince: number | null) => ({ jobKey: 'poll_open:T:1', attempt: attemptAt(verifySince) });
    const since = t.clock.now();
    t.clock.advance(1_100);
    const first = await t.deps.messenger.postMessage(TEAM, { channel: 'C0THREAD', thread_ts: parent.ts, text: 'poll' }, meta(null));
    // Past the channel's one-message-a-second gap, which holds back a scheduled post.
    t.clock.advance(1_100);
    const again = await t.deps.messenger.postMessage(TEAM, { channel: 'C0THREAD', thread_ts: parent.ts, text: 'poll' }, meta(since));
    expect(again).toEqual(first);
    expect(t.fake.messagesIn('C0THREAD')).toHaveLength(2);
    expect(t.fake.callsTo('conversations.replies')[0]?.args).toMatchObject({ channel: 'C0THREAD', ts: parent.ts });
  });
});

describe('files a job uploads', () => {
  const attempt = (verifySince: number | null) => ({ attempt: attemptAt(verifySince) });

  it('a calendar file already in the DM is not uploaded again; one with another name is', async () => {
    const file = { filename: 'peerloop-session-7.ics', title: 'Intro to SQLite', content: 'BEGIN:VCALENDAR', initialComment: "You're in" };
    const since = t.clock.now();
    const first = await t.deps.messenger.uploadFileToDm(TEAM, 'U0FILE0001', file, attempt(null));
    const again = await t.deps.messenger.uploadFileToDm(TEAM, 'U0FILE0001', file, attempt(since));
    expect(again).toEqual(first);
    expect(t.fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
    await t.deps.messenger.uploadFileToDm(TEAM, 'U0FILE0001', { ...file, filename: 'peerloop-session-8.ics' }, attempt(since));
    expect(t.fake.callsTo('files.completeUploadExternal')).toHaveLength(2);
  });

  it('the digest chart already in the thread is not uploaded again', async () => {
    const parent = await t.deps.messenger.postMessage(TEAM, { channel: 'C0DIGEST', text: 'digest' });
    const chart = { channelId: 'C0DIGEST', threadTs: parent.ts, filename: 'peerloop-digest-2026-11-16.png', title: 'Participation', content: Buffer.from('png') };
    const since = t.clock.now();
    const first = await t.deps.messenger.uploadFile(TEAM, chart, attempt(null));
    expect(await t.deps.messenger.uploadFile(TEAM, chart, attempt(since))).toEqual(first);
    expect(t.fake.callsTo('files.completeUploadExternal')).toHaveLength(1);
    expect(t.fake.callsTo('conversations.replies')[0]?.args).toMatchObject({ channel: 'C0DIGEST', ts: parent.ts });
  });
});

describe('heartbeats', () => {
  it('a dead process\'s jobs are taken over as soon as its lease runs out, without waiting for a tick', async () => {
    const attendees = [...people('0H', 3), 'U0HOST'];
    dueReminders(attendees.slice(0, 3));
    expect(claimAndDie(10)).toHaveLength(4);
    // The app's scheduler, started as main.ts starts it, with a fast heartbeat; its cron never fires in this test.
    const scheduler = createScheduler(t.deps, { handlers: jobHandlers, planners: [], tick: '0 0 1 1 *', heartbeatMs: 20, owner: 'live-process' });
    await scheduler.start();
    try {
      await scheduler.idle();
      expect(attendees.every((u) => reminderDms(u).length === 0)).toBe(true);
      t.clock.advance(DEFAULT_LEASE_MS + 1);
      await t.fake.waitFor(() => attendees.every((u) => reminderDms(u).length === 1), 'the taken-over reminders', 5_000);
      await scheduler.idle();
      expect(t.database.db.select().from(jobs).where(eq(jobs.kind, 'reminder')).all().map((j) => [j.status, j.owner])).toEqual(attendees.map(() => ['done', 'live-process']));
    } finally {
      await scheduler.stop();
    }
  });

  it('a job still held late in its lease (a slow beat, not lost) renews it and posts, once', async () => {
    setSettings(t, {});
    scheduleJob(serviceDeps(t.deps), { teamId: TEAM, kind: 'announce', key: 'announce:late', runAt: t.clock.now() - 1 });
    const late: JobHandler = async ({ deps, meta }) => {
      // 5 s of its lease left: under the post's fence, but nobody can have taken it yet.
      t.clock.advance(DEFAULT_LEASE_MS - 5_000);
      await deps.messenger.postMessage(TEAM, { channel: 'C0LATE', text: 'late but mine' }, meta);
      return { status: 'done' };
    };
    const scheduler = createScheduler(t.deps, { handlers: { announce: late }, planners: [], tick: '0 0 1 1 *', owner: 'slow-beat' });
    expect(await scheduler.tick()).toMatchObject({ done: 1, retried: 0 });
    expect(t.fake.messagesIn('C0LATE').map((m) => m.text)).toEqual(['late but mine']);
    expect(t.database.db.select().from(jobs).where(eq(jobs.key, 'announce:late')).get()).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('a process that lost its job (missed heartbeats, taken over) posts nothing when it wakes up', async () => {
    setSettings(t, {});
    scheduleJob(serviceDeps(t.deps), { teamId: TEAM, kind: 'announce', key: 'announce:lost', runAt: t.clock.now() - 1 });
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const frozen: JobHandler = async ({ deps, meta }) => {
      await woken;
      await deps.messenger.postMessage(TEAM, { channel: 'C0LOST', text: 'from the frozen process' }, meta);
      return { status: 'done' };
    };
    const healthy: JobHandler = async ({ deps, meta }) => {
      await deps.messenger.postMessage(TEAM, { channel: 'C0LOST', text: 'from the one that took over' }, meta);
      return { status: 'done' };
    };
    // Not started: no heartbeat renews its lease, as in a process frozen for longer than the lease.
    const stuck = createScheduler(t.deps, { handlers: { announce: frozen }, planners: [], tick: '0 0 1 1 *', owner: 'frozen' });
    const other = createScheduler(t.deps, { handlers: { announce: healthy }, planners: [], tick: '0 0 1 1 *', owner: 'healthy' });
    const stuckPass = stuck.tick();
    await t.fake.waitFor(() => t.database.db.select().from(jobs).where(eq(jobs.key, 'announce:lost')).get()?.status === 'running', 'the claim');
    t.clock.advance(DEFAULT_LEASE_MS + 1);
    expect(await other.tick()).toMatchObject({ done: 1 });
    wake();
    expect(await stuckPass).toMatchObject({ done: 0, retried: 1 });
    expect(t.fake.messagesIn('C0LOST').map((m) => m.text)).toEqual(['from the one that took over']);
    expect(t.database.db.select().from(jobs).where(eq(jobs.key, 'announce:lost')).get()).toMatchObject({ status: 'done', owner: 'healthy', attempts: 2 });
    expect(logs.matching('job lease ran out before this process posted')).toHaveLength(1);
  });

  it('a live process keeps a job through a send far longer than the lease: another process never takes it', async () => {
    setSettings(t, {});
    scheduleJob(serviceDeps(t.deps), { teamId: TEAM, kind: 'slow', key: 'slow:long', runAt: t.clock.now() - 1 });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const runs: string[] = [];
    const slow: JobHandler = async ({ job }) => {
      runs.push(job.owner ?? '?');
      await released;
      return { status: 'done' };
    };
    const live = createScheduler(t.deps, { handlers: { slow }, planners: [], tick: '0 0 1 1 *', heartbeatMs: 10, owner: 'live' });
    const other = createScheduler(t.deps, { handlers: { slow }, planners: [], tick: '0 0 1 1 *', owner: 'other' });
    await live.start();
    try {
      await t.fake.waitFor(() => runs.length === 1, 'the slow send to start');
      // Three leases' worth of time go by, a heartbeat at a time; the other process keeps ticking.
      for (let step = 0; step < 12; step += 1) {
        t.clock.advance(DEFAULT_LEASE_MS / 4);
        await new Promise((r) => setTimeout(r, 40));
        expect(await other.tick()).toMatchObject({ done: 0, failed: 0, retried: 0 });
      }
      release();
      await live.idle();
    } finally {
      await live.stop();
    }
    expect(runs).toEqual(['live']);
    expect(t.database.db.select().from(jobs).where(eq(jobs.key, 'slow:long')).get()).toMatchObject({ status: 'done', owner: 'live', attempts: 1 });
  });
});
