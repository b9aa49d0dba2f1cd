import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { cancelSession } from '../../src/services/sessions.js';
import { serviceDeps } from '../../src/deps.js';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/app.js';
import { dmChannel as dm, startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { parseIcs } from '../support/ics.js';
import { CAST, scheduleOk, SESSION_TESTS_NOW, submitSchedule } from './sessions/helpers.js';

/**
 * The notices that follow a cancel, an edit or a freed seat are durable jobs planned with the
 * write (services/session-notices.ts), kicked at once after it, and retried by the scheduler.
 * "Delivered" below means Slack accepted the call: the fake also records the calls it answered
 * with 429 or 500, so deliveries are counted by handlers that only run for accepted calls.
 */

const MINUTE = 60_000;
const PEOPLE = ['U0BOB', 'U0CAROL', 'U0DAN', 'U0ERIN'];

interface Delivered {
  /** Accepted chat.postMessage calls per DM channel: their text. */
  dms: Map<string, string[]>;
  /** Accepted calendar files per DM channel: METHOD and SEQUENCE. */
  files: Map<string, { method: string | null; sequence: number }[]>;
}

/** Records what Slack accepted; installed once per fake (handlers survive fake.reset()). */
function recordDelivered(fake: FakeSlack): Delivered {
  const out: Delivered = { dms: new Map(), files: new Map() };
  const push = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
  fake.onMethod('chat.postMessage', (args) => {
    const channel = String(args.channel);
    if (channel.startsWith('D')) push(out.dms, channel, String(args.text ?? ''));
    const ts = fake.nextTs();
    return { ok: true, channel, ts, message: { type: 'message', text: args.text, ts } };
  });
  fake.onMethod('files.completeUploadExternal', (args) => {
    const files = args.files as { id: string; title?: string }[];
    for (const f of files) {
      const bytes = fake.uploads.find((u) => u.id === f.id)?.bytes;
      const cal = parseIcs(bytes?.toString('utf8') ?? '');
      push(out.files, String(args.channel_id), { method: cal.method, sequence: cal.events[0]?.sequence ?? -1 });
    }
    return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
  });
  return out;
}

const cancelledDms = (d: Delivered, userId: string) => (d.dms.get(dm(userId)) ?? []).filter((text) => text.includes('was cancelled'));
const changedDms = (d: Delivered, userId: string) => (d.dms.get(dm(userId)) ?? []).filter((text) => text.includes('changed'));
const seatDms = (d: Delivered, userId: string) => (d.dms.get(dm(userId)) ?? []).filter((text) => text.includes('A seat opened up'));
const hostingDms = (d: Delivered, userId: string) => (d.dms.get(dm(userId)) ?? []).filter((text) => text.includes('the host of'));
const filesOf = (d: Delivered, userId: string, method: string) => (d.files.get(dm(userId)) ?? []).filter((f) => f.method === method);

let apps: TestApp[] = [];
let cleanups: (() => Promise<void> | void)[] = [];

async function start(options: TestAppOptions = {}): Promise<{ t: TestApp; delivered: Delivered }> {
  // No planners: the tick runs only the jobs the test made (no weekly DMs, no polls).
  const t = await startTestApp({ planners: [], ...options });
  apps.push(t);
  for (const person of CAST) t.fake.setUser({ ...person });
  t.fake.setUser({ id: 'U0ERIN', name: 'erin', tz: 'Europe/Lisbon' });
  t.clock.set(SESSION_TESTS_NOW);
  const delivered = recordDelivered(t.fake);
  return { t, delivered };
}

afterEach(async () => {
  for (const t of apps) await t.stop();
  for (const cleanup of cleanups) await cleanup();
  apps = [];
  cleanups = [];
});

function noticeRows(t: TestApp, team = 'T0TEST') {
  return t.database.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.teamId, team), inArray(jobs.kind, ['session_notice', 'session_invite'])))
    .orderBy(jobs.id)
    .all();
}

const reasonOf = (row: { result: string | null }) => (row.result === null ? undefined : (JSON.parse(row.result) as { reason?: string }).reason);

/** A session (host Alice) with `seated` people in its seats and `waitlisted` after them. */
async function sessionWith(t: TestApp, seated: string[], waitlisted: string[] = [], team = 'T0TEST') {
  const s = await scheduleOk(t, { capacity: String(seated.length) }, { team });
  for (const user of [...seated, ...waitlisted]) {
    const res = await t.command(`join ${s.number}`, { user, team });
    expect(res.status).toBe(200);
  }
  // The joins' own calendar files go out in the follow-up queue; let them land before counting.
  await t.fake.waitFor(() => t.fake.callsTo('files.completeUploadExternal').length >= seated.length, 'join files');
  await t.scheduler.idle();
  return s;
}

/** Ticks as the cron would, moving the clock a minute each time, until nothing is pending. */
async function tickUntilSettled(t: TestApp, maxTicks = 20): Promise<void> {
  for (let i = 0; i < maxTicks; i += 1) {
    t.clock.advance(MINUTE);
    await t.tick();
    if (noticeRows(t).every((j) => j.status !== 'pending' && j.status !== 'running')) return;
  }
  throw new Error(`notices still pending after ${maxTicks} ticks: ${JSON.stringify(noticeRows(t).map((j) => [j.key, j.status, j.lastError]))}`);
}

describe('cancel notices', () => {
  it('tell every attendee and the waitlisted person at once: one DM and one CANCEL file each, without a tick', async () => {
    const { t, delivered } = await start();
    const s = await sessionWith(t, ['U0BOB', 'U0CAROL', 'U0DAN'], ['U0ERIN']);
    const res = await t.command(`cancel ${s.number} Host is ill`);
    expect(res.json.text).toContain(`Cancelled *#${s.number} Window functions in SQL*. 4 people get a DM.`);

    // No tick and no clock change: the kick after the write sends them.
    await t.fake.waitFor(() => PEOPLE.every((u) => cancelledDms(delivered, u).length === 1 && filesOf(delivered, u, 'CANCEL').length === 1), 'cancel DMs and files');
    await t.scheduler.idle();
    for (const user of PEOPLE) {
      expect(cancelledDms(delivered, user)).toHaveLength(1);
      expect(cancelledDms(delivered, user)[0]).toContain('Reason: Host is ill');
      expect(filesOf(delivered, user, 'CANCEL')).toEqual([{ method: 'CANCEL', sequence: 1 }]);
    }
    // The host is not told about their own cancel.
    expect(cancelledDms(delivered, 'U0ALICE')).toHaveLength(0);
    const rows = noticeRows(t);
    expect(rows.map((j) => j.key).sort()).toEqual(
      PEOPLE.flatMap((u) => [`notice:${s.number}:${u}:cancelled:1`, `invite:${s.number}:${u}:CANCEL:1`]).sort(),
    );
    expect(rows.every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);
  });

  it('a 429 with Retry-After and then 500s: every notice still arrives once after ticks, none twice', async () => {
    const { t, delivered } = await start();
    const s = await sessionWith(t, ['U0BOB', 'U0CAROL', 'U0DAN'], ['U0ERIN']);
    t.fake.script('chat.postMessage', { status: 429, retryAfter: 5 }, { status: 500 }, { status: 500 });
    t.fake.script('files.getUploadURLExternal', { status: 500 });
    await t.command(`cancel ${s.number}`);
    await t.fake.waitForCalls('chat.postMessage', 3);
    await t.scheduler.idle();
    const afterKick = noticeRows(t);
    expect(afterKick.filter((j) => j.status === 'pending').length).toBeGreaterThanOrEqual(3);
    expect(afterKick.filter((j) => j.lastError === 'rate_limited').length).toBeGreaterThanOrEqual(1);

    await tickUntilSettled(t);
    for (const user of PEOPLE) {
      expect(cancelledDms(delivered, user)).toHaveLength(1);
      expect(filesOf(delivered, user, 'CANCEL')).toHaveLength(1);
    }
    expect(noticeRows(t).every((j) => j.status === 'done')).toBe(true);
    // Later ticks send nothing more.
    const before = t.fake.calls.length;
    await tickUntilSettled(t, 3);
    expect(t.fake.calls.length).toBe(before);
  });

  it('survive a restart between the write and the sends: the next process delivers them once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peerloop-notices-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const fake = await startFakeSlack();
    cleanups.push(() => fake.stop());
    const databasePath = join(dir, 'peerloop.db');

    // The first process runs no scheduler kick (as if it died right after the commit).
    const first = await start({ fake, databasePath, kick: false });
    const s = await sessionWith(first.t, ['U0BOB', 'U0CAROL']);
    const res = await first.t.command(`cancel ${s.number}`);
    expect(res.json.text).toContain('2 people get a DM.');
    await first.t.fake.waitFor(() => first.t.fake.callsTo('chat.update').some((c) => JSON.stringify(c.args.blocks).includes('cancelled')), 'cancelled card');
    await first.t.stop();
    apps = apps.filter((a) => a !== first.t);
    expect(cancelledDms(first.delivered, 'U0BOB')).toHaveLength(0);

    const second = await start({ fake, databasePath });
    const delivered = second.delivered;
    expect(noticeRows(second.t).filter((j) => j.status === 'pending')).toHaveLength(4);
    await second.t.tick();
    await tickUntilSettled(second.t, 3);
    for (const user of ['U0BOB', 'U0CAROL']) {
      expect(cancelledDms(delivered, user)).toHaveLength(1);
      expect(filesOf(delivered, user, 'CANCEL')).toHaveLength(1);
    }
  });

  it('opted-out people get neither; their jobs are skipped with the reason', async () => {
    const { t, delivered } = await start();
    const s = await sessionWith(t, ['U0BOB', 'U0CAROL']);
    expect((await t.command('optout', { user: 'U0CAROL' })).status).toBe(200);
    const res = await t.command(`cancel ${s.number}`);
    expect(res.json.text).toContain("1 person gets a DM. 1 person has Peerloop DMs turned off and won't be told.");
    await t.fake.waitFor(() => cancelledDms(delivered, 'U0BOB').length === 1 && filesOf(delivered, 'U0BOB', 'CANCEL').length === 1, 'Bob told');
    await t.scheduler.idle();
    expect(cancelledDms(delivered, 'U0CAROL')).toHaveLength(0);
    expect(filesOf(delivered, 'U0CAROL', 'CANCEL')).toHaveLength(0);
    const carol = noticeRows(t).filter((j) => j.key.includes(':U0CAROL:'));
    expect(carol.map((j) => [j.kind, j.status, reasonOf(j)]).sort()).toEqual([
      ['session_invite', 'skipped', 'opted_out'],
      ['session_notice', 'skipped', 'opted_out'],
    ]);
  });
});

describe('change notices', () => {
  const edit = (t: TestApp, number: number, time: string) => submitSchedule(t, { time, capacity: '2' }, {}, { mode: 'edit', number, rev: 0 });

  it('two time changes give two "changed" DMs and two invitations per attendee; a replayed submission gives no third', async () => {
    const { t, delivered } = await start();
    const s = await sessionWith(t, ['U0BOB', 'U0CAROL']);
    expect((await edit(t, s.number, '10:00')).text).toBe('');
    await t.fake.waitFor(() => ['U0BOB', 'U0CAROL'].every((u) => changedDms(delivered, u).length === 1 && filesOf(delivered, u, 'REQUEST').length === 2), 'first change');
    expect((await edit(t, s.number, '11:00')).text).toBe('');
    await t.fake.waitFor(() => ['U0BOB', 'U0CAROL'].every((u) => changedDms(delivered, u).length === 2 && filesOf(delivered, u, 'REQUEST').length === 3), 'second change');
    // Slack retries a submission it got no answer for: the same payload again.
    expect((await edit(t, s.number, '11:00')).text).toBe('');
    await t.scheduler.idle();
    await tickUntilSettled(t, 2);
    for (const user of ['U0BOB', 'U0CAROL']) {
      expect(changedDms(delivered, user)).toHaveLength(2);
      // Carol reads it in Kolkata: 11:00 New York is 21:30 there.
      if (user === 'U0CAROL') expect(changedDms(delivered, user)[1]).toContain('21:30 GMT+5:30');
      // The join's file (SEQUENCE 0), then one per change with the SEQUENCE each edit set.
      expect(filesOf(delivered, user, 'REQUEST').map((f) => f.sequence)).toEqual([0, 1, 2]);
    }
    expect(noticeRows(t).filter((j) => j.kind === 'session_notice').map((j) => j.key).sort()).toEqual(
      ['U0BOB', 'U0CAROL'].flatMap((u) => [`notice:${s.number}:${u}:changed:1`, `notice:${s.number}:${u}:changed:2`]).sort(),
    );
  });

  /** An edit to 10:00 whose "changed" DM Slack holds back with 429s (until clearScripts); then a minute passes. */
  async function editHeldBack(t: TestApp, number: number): Promise<void> {
    t.fake.always('chat.postMessage', { status: 429, retryAfter: 120 });
    await edit(t, number, '10:00');
    await t.fake.waitForCalls('chat.postMessage', 1);
    await t.scheduler.idle();
    t.clock.advance(MINUTE);
  }

  it('a change still waiting for Slack when a newer one is made is skipped as superseded', async () => {
    const { t, delivered } = await start();
    const s = await sessionWith(t, ['U0BOB']);
    await editHeldBack(t, s.number);
    await edit(t, s.number, '11:00');
    await t.scheduler.idle();
    t.fake.clearScripts();
    await tickUntilSettled(t, 5);
    expect(changedDms(delivered, 'U0BOB')).toHaveLength(1);
    // 11:00 in New York is 17:00 in Berlin: the DM shows the session as it stands when sent.
    expect(changedDms(delivered, 'U0BOB')[0]).toContain('Sun 1 Nov, 17:00 CET');
    const first = noticeRows(t).find((j) => j.key === `notice:${s.number}:U0BOB:changed:1`)!;
    expect([first.status, reasonOf(first)]).toEqual(['skipped', 'superseded']);
  });

  it('the change that supersedes an untold one names both: a time change, then a link change, is told as "time and place"', async () => {
    const { t, delivered } = await start();
    const s = await sessionWith(t, ['U0BOB']);
    await editHeldBack(t, s.number);
    const linkOnly = await submitSchedule(t, { time: '10:00', capacity: '2', link: 'https://meet.example.com/new' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(linkOnly.text).toBe('');
    await t.scheduler.idle();
    t.fake.clearScripts();
    await tickUntilSettled(t, 5);
    expect(changedDms(delivered, 'U0BOB')).toHaveLength(1);
    expect(changedDms(delivered, 'U0BOB')[0]).toContain('The time and place of');
    expect(changedDms(delivered, 'U0BOB')[0]).toContain('16:00 CET');
  });
});

describe('promotion notices', () => {
  it('"you got a seat" DM and file arrive once even when the first attempt fails', async () => {
    const { t, delivered } = await start();
    const s = await sessionWith(t, ['U0BOB'], ['U0CAROL']);
    t.fake.script('chat.postMessage', { status: 500 });
    t.fake.script('files.getUploadURLExternal', { status: 500 });
    const uploadsBefore = t.fake.callsTo('files.getUploadURLExternal').length;
    expect((await t.command(`leave ${s.number}`, { user: 'U0BOB' })).json.text).toContain("You've left");
    await t.fake.waitForCalls('files.getUploadURLExternal', uploadsBefore + 1);
    await t.scheduler.idle();
    expect(seatDms(delivered, 'U0CAROL')).toHaveLength(0);
    expect(noticeRows(t).filter((j) => j.status === 'pending' && j.attempts === 1)).toHaveLength(2);

    await tickUntilSettled(t);
    expect(seatDms(delivered, 'U0CAROL')).toHaveLength(1);
    expect(filesOf(delivered, 'U0CAROL', 'REQUEST')).toHaveLength(1);
    await tickUntilSettled(t, 3);
    expect(seatDms(delivered, 'U0CAROL')).toHaveLength(1);

    // Promoted again later (left, queued again, a seat freed again): told again, under new keys.
    await t.command(`leave ${s.number}`, { user: 'U0CAROL' });
    await t.command(`join ${s.number}`, { user: 'U0DAN' });
    await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    await t.command(`leave ${s.number}`, { user: 'U0DAN' });
    await t.fake.waitFor(() => seatDms(delivered, 'U0CAROL').length === 2, 'second seat DM');
    expect(noticeRows(t).filter((j) => j.key.startsWith(`notice:${s.number}:U0CAROL:promoted:`)).map((j) => j.key).sort()).toEqual([
      `notice:${s.number}:U0CAROL:promoted:0`,
      `notice:${s.number}:U0CAROL:promoted:0.2`,
    ]);
  });

  it('a seat lost again before the notice could go out is skipped, not sent', async () => {
    const { t, delivered } = await start({ kick: false });
    const s = await sessionWith(t, ['U0BOB'], ['U0CAROL']);
    await t.command(`leave ${s.number}`, { user: 'U0BOB' });
    await t.command(`leave ${s.number}`, { user: 'U0CAROL' });
    await t.tick();
    expect(seatDms(delivered, 'U0CAROL')).toHaveLength(0);
    expect(noticeRows(t).map((j) => [j.kind, reasonOf(j)]).sort()).toEqual([
      ['session_invite', 'not_a_participant'],
      ['session_notice', 'not_a_participant'],
    ]);
  });
  it('a second promotion before the first seat DM could go out gives one seat DM, not two', async () => {
    const { t, delivered } = await start();
    const s = await sessionWith(t, ['U0BOB'], ['U0CAROL']);
    t.fake.always('chat.postMessage', { status: 429, retryAfter: 120 });
    await t.command(`leave ${s.number}`, { user: 'U0BOB' });
    await t.fake.waitForCalls('chat.postMessage', 1);
    await t.scheduler.idle();
    // Carol leaves, queues again behind Dan's seat, and gets it again when Dan leaves.
    await t.command(`leave ${s.number}`, { user: 'U0CAROL' });
    await t.command(`join ${s.number}`, { user: 'U0DAN' });
    await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    await t.command(`leave ${s.number}`, { user: 'U0DAN' });
    await t.scheduler.idle();
    t.fake.clearScripts();
    await tickUntilSettled(t, 5);
    expect(seatDms(delivered, 'U0CAROL')).toHaveLength(1);
    const first = noticeRows(t).find((j) => j.key === `notice:${s.number}:U0CAROL:promoted:0`)!;
    expect([first.status, reasonOf(first)]).toEqual(['skipped', 'superseded']);
    expect(noticeRows(t).find((j) => j.key === `notice:${s.number}:U0CAROL:promoted:0.2`)!.status).toBe('done');
  });
});

describe('host notices', () => {
  it('a host someone else scheduled is told once, with the calendar file; for a series once, naming how many follow', async () => {
    const { t, delivered } = await start();
    await scheduleOk(t, { host: 'U0BOB', title: 'For Bob' });
    await t.fake.waitFor(() => hostingDms(delivered, 'U0BOB').length === 1 && filesOf(delivered, 'U0BOB', 'REQUEST').length === 1, "Bob's hosting DM and file");
    expect(hostingDms(delivered, 'U0BOB')[0]).toContain('<@U0ALICE> made you the host of *#');
    // Bob reads it in Berlin: 09:00 New York on 1 Nov is 15:00 CET.
    expect(hostingDms(delivered, 'U0BOB')[0]).toContain('Sun 1 Nov, 15:00 CET');

    await scheduleOk(t, { host: 'U0CAROL', title: 'Carol series', repeat: '3' });
    await t.fake.waitFor(() => hostingDms(delivered, 'U0CAROL').length === 1, "Carol's hosting DM");
    await t.scheduler.idle();
    await tickUntilSettled(t, 2);
    expect(hostingDms(delivered, 'U0CAROL')).toHaveLength(1);
    expect(hostingDms(delivered, 'U0CAROL')[0]).toContain('you host the 2 after it too');
    expect(filesOf(delivered, 'U0CAROL', 'REQUEST')).toHaveLength(1);
    // Scheduling for yourself tells nobody.
    expect(hostingDms(delivered, 'U0ALICE')).toHaveLength(0);
  });

  it('a handover tells the new host and the replaced one (where they stand now), never the person who made it', async () => {
    const { t, delivered } = await start();
    const s = await scheduleOk(t, { host: 'U0BOB', capacity: '1', title: 'Handover' });
    await t.command(`join ${s.number}`, { user: 'U0DAN' });
    await t.fake.waitFor(() => hostingDms(delivered, 'U0BOB').length === 1, "Bob's first hosting DM");
    // Alice (the creator) hands it to Carol: the one seat is Dan's, so Bob goes to the waitlist.
    const res = await submitSchedule(t, { host: 'U0CAROL', capacity: '1', title: 'Handover' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.text).toBe('');
    await t.fake.waitFor(() => hostingDms(delivered, 'U0CAROL').length === 1 && hostingDms(delivered, 'U0BOB').length === 2, 'both handover DMs');
    await t.scheduler.idle();
    expect(hostingDms(delivered, 'U0CAROL')[0]).toContain('<@U0ALICE> made you the host of');
    const bob = hostingDms(delivered, 'U0BOB')[1]!;
    expect(bob).toContain('<@U0ALICE> made <@U0CAROL> the host of');
    expect(bob).toContain("you're on its waitlist");
    expect(filesOf(delivered, 'U0CAROL', 'REQUEST')).toHaveLength(1);
    expect(hostingDms(delivered, 'U0ALICE')).toHaveLength(0);

    // Carol hands it back to Bob herself: Bob is told, Carol (who did it) is not.
    const back = await submitSchedule(t, { host: 'U0BOB', capacity: '1', title: 'Handover' }, { user: 'U0CAROL' }, { mode: 'edit', number: s.number, rev: 0 });
    expect(back.text).toBe('');
    await t.fake.waitFor(() => hostingDms(delivered, 'U0BOB').length === 3, "Bob's second hosting DM");
    await t.scheduler.idle();
    expect(hostingDms(delivered, 'U0BOB')[2]).toContain('<@U0CAROL> made you the host of');
    expect(hostingDms(delivered, 'U0CAROL')).toHaveLength(1);
  });
});

describe('workspaces', () => {
  it('the same keys in two workspaces are separate rows; a kick runs only its own workspace', async () => {
    const { t, delivered } = await start();
    const ours = await sessionWith(t, ['U0BOB']);
    const theirs = await sessionWith(t, ['U0BOB'], [], 'T0OTHER');
    expect(theirs.number).toBe(ours.number);
    // Cancelled straight through the service: planned, but nobody kicked T0OTHER.
    cancelSession(serviceDeps(t.deps), 'T0OTHER', theirs.number, { userId: 'U0ALICE', isAdmin: false }, 'theirs');
    await t.command(`cancel ${ours.number} ours`);
    await t.fake.waitFor(() => cancelledDms(delivered, 'U0BOB').length === 1, 'our notice');
    await t.scheduler.idle();
    expect(noticeRows(t, 'T0TEST').map((j) => [j.key, j.status])).toEqual([
      [`notice:${ours.number}:U0BOB:cancelled:1`, 'done'],
      [`invite:${ours.number}:U0BOB:CANCEL:1`, 'done'],
    ]);
    expect(noticeRows(t, 'T0OTHER').map((j) => [j.key, j.status])).toEqual([
      [`notice:${theirs.number}:U0BOB:cancelled:1`, 'pending'],
      [`invite:${theirs.number}:U0BOB:CANCEL:1`, 'pending'],
    ]);
    expect(cancelledDms(delivered, 'U0BOB')[0]).toContain('Reason: ours');

    await t.tick();
    expect(noticeRows(t, 'T0OTHER').every((j) => j.status === 'done')).toBe(true);
    expect(cancelledDms(delivered, 'U0BOB').map((text) => text.match(/Reason: (\w+)/)?.[1])).toEqual(['ours', 'theirs']);
  });
});
