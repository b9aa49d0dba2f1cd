import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { digestSnapshots, jobs, participants } from '../../src/db/schema.js';
import type { Db } from '../../src/db/client.js';
import { DigestActions, SessionActions } from '../../src/slack/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { dmChannel, startFakeSlack, type FakeSlack, type RecordedCall } from '../support/fake-slack.js';
import { addParticipant, createMember, createSession, createWorkspace } from '../support/factories.js';
import { readPng } from '../support/png.js';
import { useTestApp } from '../support/use-test-app.js';
import { DIGEST_CHART_HEIGHT, DIGEST_CHART_WIDTH } from '../../src/charts/digest-chart.js';

/**
 * The weekly digest end to end: the app over HTTP against the fake Slack, the settable clock
 * moving through due times. The workspace is in New York, so every due time is checked in a zone
 * that is not UTC, and the first digest falls on the day the clocks go back.
 */

const TEAM = 'T0TEST';
const OTHER = 'T0OTHER';
/**
 * The digest channel, a new one per test: every test posts at the same instants (the clock is set
 * back), and the messenger's one-message-per-second pacing per channel lives as long as the app.
 */
let CHANNEL = 'C0DIGEST';
let channels = 0;
const NY = 'America/New_York';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Friday 30 Oct 2026; the digest of W44 (26 Oct - 1 Nov) is due Monday 2 Nov 09:00 EST = 14:00 UTC (New York left daylight time on 1 Nov). */
const BEFORE = Date.UTC(2026, 9, 30, 12, 0);
const W44_DUE = Date.UTC(2026, 10, 2, 14, 0);
const W45_DUE = Date.UTC(2026, 10, 9, 14, 0);
const W46_DUE = Date.UTC(2026, 10, 16, 14, 0);

function setUpWorkspace(db: Db, teamId = TEAM, channelId: string | null = CHANNEL, settings: Record<string, unknown> = {}) {
  createWorkspace(db, teamId, { timeZone: NY, settings: JSON.stringify({ digestChannelId: channelId, ...settings }) });
}

/** A session held at `startsAt` with these attendees, marked as came (true) or not (false). */
function heldSession(db: Db, startsAt: number, attendance: Record<string, boolean>, teamId = TEAM, title = 'SQL window functions') {
  const session = createSession(db, { teamId, title, startsAt, hostId: 'U0HOST' });
  for (const [userId, came] of Object.entries(attendance)) addParticipant(db, { teamId, sessionNumber: session.number, userId, attended: came ? 'yes' : 'no', joinedAt: startsAt - DAY });
  return session;
}

const snapshot = (t: TestApp, week: string, teamId = TEAM) =>
  t.database.db.select().from(digestSnapshots).where(and(eq(digestSnapshots.teamId, teamId), eq(digestSnapshots.weekId, week))).get();
const digestJobs = (t: TestApp, teamId = TEAM) => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, teamId), like(jobs.key, 'digest:%'))).all();
const job = (t: TestApp, key: string, teamId = TEAM) => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, teamId), eq(jobs.key, key))).get();
const reason = (row: { result: string | null } | undefined) => (row?.result == null ? undefined : (JSON.parse(row.result) as { reason?: string }).reason);
const postsTo = (fake: FakeSlack, channel: string) => fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
const chartShares = (fake: FakeSlack, channel: string) => fake.callsTo('files.completeUploadExternal').filter((c) => c.args.channel_id === channel);
const text = (call: RecordedCall) => JSON.stringify(call.args.blocks);

describe('the weekly digest', () => {
  const t = useTestApp({
    users: [
      { id: 'U0ADMIN', tz: NY, is_admin: true },
      { id: 'U0MEMBER', tz: 'Europe/Berlin' },
    ],
    resetFake: true,
    clearData: true,
  });
  beforeEach(() => {
    channels += 1;
    CHANNEL = `C0DIGEST${channels}`;
  });

  it('is posted once at 09:00 New York time on the day after the clocks go back, with its chart in the thread and its snapshot stored', async () => {
    setUpWorkspace(t.database.db);
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true, U0BEN: true, U0CAT: false, U0DAN: false });
    t.clock.set(BEFORE);
    await t.tick();
    expect(digestJobs(t)).toEqual([expect.objectContaining({ key: `digest:${TEAM}:2026-W44`, status: 'pending', runAt: W44_DUE })]);

    t.clock.set(W44_DUE - MINUTE);
    await t.tick();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(0);
    expect(snapshot(t, '2026-W44')).toBeUndefined();

    t.clock.set(W44_DUE);
    await t.tick();
    const [post] = postsTo(t.fake, CHANNEL);
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    assertBlockKitLimits('message', { text: post!.args.text, blocks: post!.args.blocks });
    expect(text(post!)).toContain('Participation 50%');
    expect(text(post!)).toContain('The 8-week chart is in the thread.');

    // The chart: a PNG, shared into the digest's thread.
    const [share] = chartShares(t.fake, CHANNEL);
    expect(chartShares(t.fake, CHANNEL)).toHaveLength(1);
    const stored = snapshot(t, '2026-W44')!;
    expect(share!.args.thread_ts).toBe(stored.messageTs);
    expect(t.fake.uploads).toHaveLength(1);
    expect(t.fake.uploads[0]!.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const png = readPng(t.fake.uploads[0]!.bytes);
    expect([png.width, png.height]).toEqual([DIGEST_CHART_WIDTH, DIGEST_CHART_HEIGHT]);
    expect(t.fake.uploads[0]!.filename).toBe('peerloop-digest-2026-10-26.png');
    expect(stored).toMatchObject({
      status: 'posted',
      channelId: CHANNEL,
      chartFileId: t.fake.uploads[0]!.id,
      // Monday 26 Oct 00:00 EDT to Monday 2 Nov 00:00 EST: a week one hour longer than 7 x 24.
      periodStart: Date.UTC(2026, 9, 26, 4, 0),
      periodEnd: Date.UTC(2026, 10, 2, 5, 0),
    });
    expect(JSON.parse(stored.kpis).participation).toMatchObject({ value: 50, attended: 2, invited: 4 });
    expect(job(t, `digest:${TEAM}:2026-W44`)?.status).toBe('done');

    // Later ticks post nothing more; next week's digest is planned for 09:00 EST.
    t.clock.set(W44_DUE + HOUR);
    await t.tick();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(job(t, `digest:${TEAM}:2026-W45`)).toMatchObject({ status: 'pending', runAt: W45_DUE });
  });

  it('a re-run of a posted digest posts nothing; one stopped before its chart uploads the chart only', async () => {
    setUpWorkspace(t.database.db);
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    t.clock.set(BEFORE);
    await t.tick();
    // Slack fails the chart's upload once: the digest is posted and recorded; the job is retried.
    t.fake.script('files.getUploadURLExternal', { status: 500 });
    t.clock.set(W44_DUE);
    await t.tick();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(snapshot(t, '2026-W44')).toMatchObject({ status: 'posted', chartFileId: null });
    expect(job(t, `digest:${TEAM}:2026-W44`)).toMatchObject({ status: 'pending', lastError: 'http_500' });

    t.clock.set(W44_DUE + 5 * MINUTE);
    await t.tick();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(chartShares(t.fake, CHANNEL)).toHaveLength(1);
    expect(chartShares(t.fake, CHANNEL)[0]!.args.thread_ts).toBe(snapshot(t, '2026-W44')!.messageTs);
    expect(snapshot(t, '2026-W44')?.chartFileId).not.toBeNull();
    expect(job(t, `digest:${TEAM}:2026-W44`)?.status).toBe('done');

    // The job row brought back to pending by hand (a second process, a bug): still nothing twice.
    t.database.sqlite.prepare(`UPDATE jobs SET status = 'pending', run_at = ? WHERE team_id = ? AND key = ?`).run(W44_DUE, TEAM, `digest:${TEAM}:2026-W44`);
    await t.tick();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(chartShares(t.fake, CHANNEL)).toHaveLength(1);
    expect(reason(job(t, `digest:${TEAM}:2026-W44`))).toBe('already_posted');
  });

  it("reads last week's trend from last week's snapshot, not from data changed since", async () => {
    setUpWorkspace(t.database.db);
    const first = heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true, U0BEN: true, U0CAT: false, U0DAN: false });
    t.clock.set(BEFORE);
    await t.tick();
    t.clock.set(W44_DUE);
    await t.tick();
    expect(JSON.parse(snapshot(t, '2026-W44')!.kpis).participation.value).toBe(50);

    // After the digest, the host corrects last week's attendance: recomputed, that week is 100%.
    t.database.db.update(participants).set({ attended: 'yes' }).where(and(eq(participants.teamId, TEAM), eq(participants.sessionNumber, first.number))).run();
    heldSession(t.database.db, Date.UTC(2026, 10, 4, 15, 0), { U0ANA: true, U0BEN: true, U0CAT: true, U0DAN: false });
    t.clock.set(W45_DUE);
    await t.tick();
    const posts = postsTo(t.fake, CHANNEL);
    expect(posts).toHaveLength(2);
    expect(text(posts[1]!)).toContain('Participation 75%');
    expect(text(posts[1]!)).toContain('Up 25 points from 50% last week.');
    expect(JSON.parse(snapshot(t, '2026-W45')!.kpis).participation).toMatchObject({ value: 75, previous: 50 });
  });

  it('plans nothing for a workspace without a digest channel', async () => {
    setUpWorkspace(t.database.db, TEAM, null);
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    t.clock.set(BEFORE);
    await t.tick();
    t.clock.set(W44_DUE);
    await t.tick();
    expect(digestJobs(t)).toEqual([]);
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('gives a workspace that never had a session one friendly line', async () => {
    setUpWorkspace(t.database.db);
    t.clock.set(BEFORE);
    await t.tick();
    t.clock.set(W44_DUE);
    await t.tick();
    const [post] = postsTo(t.fake, CHANNEL);
    expect(text(post!)).toContain('No peer sessions yet. Start one with `/peer schedule`');
    expect(text(post!)).not.toContain('Participation');
    expect(text(post!)).not.toMatch(/NaN|0%/);
  });

  it("lists the coming week's sessions with Join buttons that join through the session listener", async () => {
    setUpWorkspace(t.database.db);
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    const next = createSession(t.database.db, { teamId: TEAM, title: 'Terraform basics', startsAt: W44_DUE + 2 * DAY, hostId: 'U0HOST', capacity: 5 });
    createSession(t.database.db, { teamId: TEAM, title: 'Too far ahead', startsAt: W44_DUE + 9 * DAY, hostId: 'U0HOST' });
    t.clock.set(BEFORE);
    await t.tick();
    t.clock.set(W44_DUE);
    await t.tick();
    const blocks = postsTo(t.fake, CHANNEL)[0]!.args.blocks as { block_id?: string; accessory?: { action_id: string; value: string } }[];
    const join = blocks.find((b) => b.block_id === `digest_next_${next.number}`)?.accessory;
    expect(join).toMatchObject({ action_id: SessionActions.join, value: String(next.number) });
    expect(JSON.stringify(blocks)).not.toContain('Too far ahead');

    await t.action({ action_id: join!.action_id, value: join!.value, block_id: `digest_next_${next.number}` }, { user: 'U0MEMBER', channel: CHANNEL });
    await t.settled();
    const seat = t.database.db.select().from(participants).where(and(eq(participants.teamId, TEAM), eq(participants.sessionNumber, next.number), eq(participants.userId, 'U0MEMBER'))).get();
    expect(seat).toMatchObject({ role: 'attendee', leftAt: null });
  });

  it('records a channel Peerloop is not in and tells the admins once, even two weeks in a row; Post now posts it once invited', async () => {
    setUpWorkspace(t.database.db);
    createMember(t.database.db, TEAM, 'U0ADMIN', { isSlackAdmin: true, timeZone: NY, profileFetchedAt: BEFORE });
    createMember(t.database.db, TEAM, 'U0ADMIN2', { isSlackAdmin: true, optedOut: true });
    createMember(t.database.db, TEAM, 'U0MEMBER', { timeZone: 'Europe/Berlin' });
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    t.fake.channelsWithoutBot.add(CHANNEL);
    try {
      t.clock.set(BEFORE);
      await t.tick();
      t.clock.set(W44_DUE);
      await t.tick();
      await t.scheduler.idle();
      expect(snapshot(t, '2026-W44')).toMatchObject({ status: 'not_in_channel', channelId: CHANNEL, messageTs: null });
      expect(job(t, `digest:${TEAM}:2026-W44`)).toMatchObject({ status: 'skipped' });
      expect(reason(job(t, `digest:${TEAM}:2026-W44`))).toBe('not_in_channel');
      expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(1);
      expect(JSON.stringify(t.fake.dmsTo('U0ADMIN')[0]!.args.blocks)).toContain(`Peerloop isn't in that channel`);
      expect(t.fake.dmsTo('U0ADMIN2')).toHaveLength(0);
      expect(t.fake.dmsTo('U0MEMBER')).toHaveLength(0);

      // The next week: refused again, and not told again.
      heldSession(t.database.db, Date.UTC(2026, 10, 4, 15, 0), { U0ANA: true });
      t.clock.set(W45_DUE);
      await t.tick();
      await t.scheduler.idle();
      expect(snapshot(t, '2026-W45')?.status).toBe('not_in_channel');
      expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(1);
      expect(postsTo(t.fake, CHANNEL)).toHaveLength(2);
      expect(t.fake.uploads).toHaveLength(0);
    } finally {
      t.fake.channelsWithoutBot.delete(CHANNEL);
    }

    // Invited now: the admin's preview offers Post now for W45, which posts it, with its chart, once.
    t.clock.set(W45_DUE + HOUR);
    await t.command('digest', { user: 'U0ADMIN' });
    await t.fake.waitForResponse(1);
    const preview = t.fake.dmsTo('U0ADMIN')[1]!;
    const button = (preview.args.blocks as { accessory?: { action_id: string; value: string } }[]).find((b) => b.accessory?.action_id === DigestActions.postNow)!.accessory!;
    expect(button.value).toBe('2026-W45');
    await t.action({ action_id: button.action_id, value: button.value, block_id: 'digest_post' }, { user: 'U0ADMIN', channel: dmChannel('U0ADMIN') });
    await t.settled();
    await t.scheduler.idle();
    const posted = postsTo(t.fake, CHANNEL).slice(2);
    expect(posted).toHaveLength(1);
    expect(snapshot(t, '2026-W45')).toMatchObject({ status: 'posted', messageTs: expect.any(String) });
    expect(chartShares(t.fake, CHANNEL)[0]?.args.thread_ts).toBe(snapshot(t, '2026-W45')!.messageTs);
    expect(chartShares(t.fake, CHANNEL)).toHaveLength(1);
    // A second click finds it posted.
    await t.action({ action_id: button.action_id, value: button.value, block_id: 'digest_post' }, { user: 'U0ADMIN', channel: dmChannel('U0ADMIN') });
    await t.settled();
    await t.scheduler.idle();
    expect(postsTo(t.fake, CHANNEL).slice(2)).toHaveLength(1);
    expect(JSON.stringify(t.fake.responses.at(-1)!.body)).toContain('already in');
  });

  it('tells the admins an archived channel was archived (choose another), not to /invite Peerloop', async () => {
    setUpWorkspace(t.database.db);
    createMember(t.database.db, TEAM, 'U0ADMIN', { isSlackAdmin: true, timeZone: NY, profileFetchedAt: BEFORE });
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    t.clock.set(BEFORE);
    await t.tick();
    t.fake.script('chat.postMessage', { error: 'is_archived' });
    t.clock.set(W44_DUE);
    await t.tick();
    await t.scheduler.idle();
    expect(snapshot(t, '2026-W44')).toMatchObject({ status: 'not_in_channel', messageTs: null });
    const dms = t.fake.dmsTo('U0ADMIN');
    expect(dms).toHaveLength(1);
    expect(text(dms[0]!)).toContain('that channel was archived. Choose another in `/peer settings`');
    expect(text(dms[0]!)).not.toContain('/invite');
  });

  it('a post Slack refuses for another reason for good: recorded, the admins told why once, and Post now tries again', async () => {
    setUpWorkspace(t.database.db);
    createMember(t.database.db, TEAM, 'U0ADMIN', { isSlackAdmin: true, timeZone: NY, profileFetchedAt: BEFORE });
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    t.clock.set(BEFORE);
    await t.tick();
    t.fake.script('chat.postMessage', { error: 'invalid_blocks' });
    t.clock.set(W44_DUE);
    await t.tick();
    await t.scheduler.idle();
    expect(snapshot(t, '2026-W44')).toMatchObject({ status: 'post_failed', channelId: CHANNEL, messageTs: null });
    expect(job(t, `digest:${TEAM}:2026-W44`)).toMatchObject({ status: 'skipped' });
    expect(reason(job(t, `digest:${TEAM}:2026-W44`))).toBe('post_failed');
    const dms = t.fake.dmsTo('U0ADMIN');
    expect(dms).toHaveLength(1);
    expect(text(dms[0]!)).toContain('Slack refused the message');
    expect(text(dms[0]!)).toContain('`invalid_blocks`');
    expect(text(dms[0]!)).not.toContain('/invite');
    expect(t.fake.uploads).toHaveLength(0);

    // Post now from the preview runs the week's job again and posts it, once.
    t.clock.set(W44_DUE + HOUR);
    await t.command('digest', { user: 'U0ADMIN' });
    await t.fake.waitForResponse(1);
    const preview = t.fake.dmsTo('U0ADMIN')[1]!;
    const button = (preview.args.blocks as { accessory?: { action_id: string; value: string } }[]).find((b) => b.accessory?.action_id === DigestActions.postNow)!.accessory!;
    expect(button.value).toBe('2026-W44');
    await t.action({ action_id: button.action_id, value: button.value, block_id: 'digest_post' }, { user: 'U0ADMIN', channel: dmChannel('U0ADMIN') });
    await t.settled();
    await t.scheduler.idle();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(2);
    expect(snapshot(t, '2026-W44')).toMatchObject({ status: 'posted', messageTs: expect.any(String) });
    expect(t.fake.dmsTo('U0ADMIN')).toHaveLength(2);
  });

  it("/peer digest previews last week privately in the asker's DM with the chart in its thread; only admins get Post now", async () => {
    setUpWorkspace(t.database.db);
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true, U0BEN: false });
    t.clock.set(Date.UTC(2026, 10, 3, 15, 0)); // Tuesday 3 Nov: last week is W44 (its digest job was never planned here)

    const res = await t.command('digest', { user: 'U0ADMIN' });
    expect(res.json.text).toContain('Preparing your preview');
    const [answer] = await t.fake.waitForResponse(1);
    expect(answer!.body.text).toContain("I sent you a preview of last week's digest (Mon 26 Oct – Sun 1 Nov) in our DM, with its chart in the thread.");
    const [dm] = t.fake.dmsTo('U0ADMIN');
    assertBlockKitLimits('message', { text: dm!.args.text, blocks: dm!.args.blocks });
    expect(text(dm!)).toContain('Preview, only you see this.');
    expect(text(dm!)).toContain('Participation 50%');
    expect(text(dm!)).toContain(DigestActions.postNow);
    const [share] = chartShares(t.fake, dmChannel('U0ADMIN'));
    expect(share!.args.thread_ts).toBeDefined();
    expect(t.fake.uploads[0]!.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    // A preview stores nothing and posts nothing to the channel.
    expect(snapshot(t, '2026-W44')).toBeUndefined();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(0);

    // Words after it are refused, not ignored.
    const extra = await t.command('digest now', { user: 'U0MEMBER' });
    expect(extra.json.text).toContain("`/peer digest` previews last week's digest, so it takes nothing after it");

    await t.command('digest', { user: 'U0MEMBER' });
    await t.fake.waitForResponse(2);
    const [memberDm] = t.fake.dmsTo('U0MEMBER');
    expect(text(memberDm!)).not.toContain(DigestActions.postNow);
    expect(text(memberDm!)).toContain(`The digest is posted to <#${CHANNEL}> every Monday at 09:00 (America/New_York).`);

    // A forged Post now from a member posts nothing.
    await t.action({ action_id: DigestActions.postNow, value: '2026-W44', block_id: 'digest_post' }, { user: 'U0MEMBER', channel: dmChannel('U0MEMBER') });
    await t.settled();
    await t.scheduler.idle();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(0);
    expect(JSON.stringify(t.fake.responses.at(-1)!.body)).toContain('Only a Slack admin');
    expect(digestJobs(t)).toEqual([]);
  });

  it('someone who turned DMs off gets the preview in place, without the chart', async () => {
    setUpWorkspace(t.database.db);
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    t.clock.set(Date.UTC(2026, 10, 3, 15, 0));
    await t.command('optout', { user: 'U0MEMBER' });
    await t.command('digest', { user: 'U0MEMBER' });
    const [answer] = await t.fake.waitForResponse(1);
    expect(answer!.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer!.body.blocks)).toContain("You've turned off DMs from Peerloop, so the chart");
    expect(t.fake.dmsTo('U0MEMBER')).toHaveLength(0);
    expect(t.fake.uploads).toHaveLength(0);
  });

  it('Post now takes the week so the scheduled digest of that week is not posted again; an old preview is refused', async () => {
    setUpWorkspace(t.database.db);
    createMember(t.database.db, TEAM, 'U0ADMIN', { isSlackAdmin: true, timeZone: NY, profileFetchedAt: BEFORE });
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    // Monday 2 Nov 08:00 EST: the W44 digest is planned for 09:00; the admin posts it an hour early.
    t.clock.set(BEFORE);
    await t.tick();
    t.clock.set(W44_DUE - HOUR);
    await t.action({ action_id: DigestActions.postNow, value: '2026-W44', block_id: 'digest_post' }, { user: 'U0ADMIN', channel: dmChannel('U0ADMIN') });
    await t.settled();
    await t.scheduler.idle();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(JSON.stringify(t.fake.responses.at(-1)!.body)).toContain(`Posting last week's digest to <#${CHANNEL}> now`);
    expect(job(t, `digest:${TEAM}:2026-W44`)).toMatchObject({ status: 'done' });
    expect(JSON.parse(job(t, `digest:${TEAM}:2026-W44`)!.payload)).toEqual({ weekId: '2026-W44', requestedBy: 'U0ADMIN' });

    t.clock.set(W44_DUE);
    await t.tick();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(reason(job(t, `digest:${TEAM}:2026-W44`))).toBeUndefined();

    // The preview now shows what was posted, without the button.
    await t.command('digest', { user: 'U0ADMIN' });
    await t.fake.waitFor(() => t.fake.dmsTo('U0ADMIN').length === 1, 'the preview DM');
    expect(text(t.fake.dmsTo('U0ADMIN')[0]!)).toContain(`This digest was posted to <#${CHANNEL}>`);
    expect(text(t.fake.dmsTo('U0ADMIN')[0]!)).not.toContain(DigestActions.postNow);
    await t.settled();

    // A week later the same button is for an old week.
    t.clock.set(W45_DUE + HOUR);
    await t.action({ action_id: DigestActions.postNow, value: '2026-W44', block_id: 'digest_post' }, { user: 'U0ADMIN', channel: dmChannel('U0ADMIN') });
    await t.settled();
    expect(JSON.stringify(t.fake.responses.at(-1)!.body)).toContain('This preview is out of date');
    await t.action({ action_id: DigestActions.postNow, value: 'W44; DROP', block_id: 'digest_post' }, { user: 'U0ADMIN', channel: dmChannel('U0ADMIN') });
    await t.settled();
    expect(JSON.stringify(t.fake.responses.at(-1)!.body)).toContain("didn't come from a Peerloop message");
  });

  it('after downtime across two due times, skips the stale week and posts the week in progress', async () => {
    setUpWorkspace(t.database.db);
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
    t.clock.set(BEFORE);
    await t.tick();
    // Down from Friday 30 Oct until Tuesday 10 Nov: W44's digest is a week stale; W45's is due.
    t.clock.set(W45_DUE + DAY);
    await t.tick();
    expect(job(t, `digest:${TEAM}:2026-W44`)).toMatchObject({ status: 'skipped' });
    expect(reason(job(t, `digest:${TEAM}:2026-W44`))).toBe('too_late');
    expect(job(t, `digest:${TEAM}:2026-W45`)?.status).toBe('done');
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(snapshot(t, '2026-W45')?.status).toBe('posted');
    expect(job(t, `digest:${TEAM}:2026-W46`)).toMatchObject({ status: 'pending', runAt: W46_DUE });
  });

  it('keeps workspaces apart: each digest counts its own sessions, goes to its own channel, and Post now concerns its own workspace', async () => {
    setUpWorkspace(t.database.db);
    // The other workspace posts on Tuesdays, so on Monday only ours has gone out.
    setUpWorkspace(t.database.db, OTHER, 'C0OTHER', { digestDay: 2 });
    createMember(t.database.db, OTHER, 'U0OTHERADMIN', { isSlackAdmin: true, timeZone: NY, profileFetchedAt: BEFORE });
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true, U0BEN: false }, TEAM, 'Ours');
    heldSession(t.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0XAVI: true, U0YANN: true, U0ZOE: true }, OTHER, 'Theirs');
    t.clock.set(BEFORE);
    await t.tick();
    expect(job(t, `digest:${OTHER}:2026-W44`, OTHER)?.runAt).toBe(W44_DUE + DAY);
    t.clock.set(W44_DUE);
    await t.tick();
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(text(postsTo(t.fake, CHANNEL)[0]!)).toContain('Participation 50%');
    expect(postsTo(t.fake, 'C0OTHER')).toHaveLength(0);

    // The other workspace's admin posts their W44 now: their numbers, their channel; ours untouched.
    await t.action({ action_id: DigestActions.postNow, value: '2026-W44', block_id: 'digest_post' }, { team: OTHER, user: 'U0OTHERADMIN', channel: dmChannel('U0OTHERADMIN') });
    await t.settled();
    await t.scheduler.idle();
    expect(postsTo(t.fake, 'C0OTHER')).toHaveLength(1);
    expect(text(postsTo(t.fake, 'C0OTHER')[0]!)).toContain('Participation 100%');
    expect(text(postsTo(t.fake, 'C0OTHER')[0]!)).not.toContain('Ours');
    expect(postsTo(t.fake, CHANNEL)).toHaveLength(1);
    expect(JSON.parse(snapshot(t, '2026-W44', OTHER)!.kpis)).toMatchObject({ teamId: OTHER, participation: { attended: 3, invited: 3 } });
    expect(JSON.parse(snapshot(t, '2026-W44')!.kpis)).toMatchObject({ teamId: TEAM, participation: { attended: 1, invited: 2 } });
    expect(digestJobs(t, OTHER).every((j) => j.key.startsWith(`digest:${OTHER}:`))).toBe(true);

    // Tuesday: their scheduled W44 finds it posted.
    t.clock.set(W44_DUE + DAY);
    await t.tick();
    expect(postsTo(t.fake, 'C0OTHER')).toHaveLength(1);
    expect(job(t, `digest:${OTHER}:2026-W44`, OTHER)).toMatchObject({ status: 'done', runAt: W44_DUE });
  });
});

describe('the digest across a restart', () => {
  let fake: FakeSlack;
  let dir: string;
  beforeAll(async () => {
    fake = await startFakeSlack();
    dir = mkdtempSync(join(tmpdir(), 'peerloop-digest-restart-'));
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new process on the same database posts nothing twice', async () => {
    const databasePath = join(dir, 'peerloop.db');
    const clock = createSettableClock(BEFORE);
    const first = await startTestApp({ fake, databasePath, clock });
    try {
      setUpWorkspace(first.database.db);
      heldSession(first.database.db, Date.UTC(2026, 9, 28, 15, 0), { U0ANA: true });
      await first.tick();
      clock.set(W44_DUE);
      await first.tick();
      expect(postsTo(fake, CHANNEL)).toHaveLength(1);
    } finally {
      await first.stop();
    }
    const second = await startTestApp({ fake, databasePath, clock });
    try {
      clock.set(W44_DUE + MINUTE);
      await second.tick();
      await second.tick();
      expect(postsTo(fake, CHANNEL)).toHaveLength(1);
      expect(chartShares(fake, CHANNEL)).toHaveLength(1);
      expect(snapshot(second, '2026-W44')?.status).toBe('posted');
    } finally {
      await second.stop();
    }
  });
});
