import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { planSessionEndJobs } from '../../src/jobs/session-end.js';
import { attendanceAskKey } from '../../src/services/session-end.js';
import { sessionEndsAt } from '../../src/services/session-model.js';
import { syncSessionJobs } from '../../src/services/session-jobs.js';
import { serviceDeps } from '../../src/deps.js';
import { AttendanceActions, SessionViews } from '../../src/slack/ids.js';
import { INVALID_BUTTON_TEXT } from '../../src/slack/listeners/actions/session-reply.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { dmChannel, startFakeSlack } from '../support/fake-slack.js';
import { createSession } from '../support/factories.js';
import { jobByKey, reasonOf } from '../jobs/support.js';
import { CAST, click, participantRows, SESSION_TESTS_NOW, scheduleOk, submitSchedule, useSessionsTestApp } from './sessions/helpers.js';

/**
 * "Who came?": when a session ends its host gets one DM (job attendance_ask:<session>:<end>,
 * planned with the card's session_end job) with Everyone came and Mark who came. Skipped, with
 * the reason, when it no longer applies; the buttons check who clicks, in which workspace.
 */
const MINUTE = 60_000;
const HOST = 'U0ALICE';

// Only the jobs the sessions plan themselves; every test starts from an empty database.
const t = useSessionsTestApp({ planners: [], clearData: true });

type Session = Awaited<ReturnType<typeof scheduleOk>>;

const askKey = (s: Pick<Session, 'number' | 'startsAt' | 'durationMin'>) => attendanceAskKey({ sessionNumber: s.number, endsAt: sessionEndsAt(s) });
const asksTo = (app: TestApp, user = HOST) => app.fake.dmsTo(user).filter((c) => String(c.args.text).startsWith('Who came'));
const dmUpdates = (ts: string) => t.fake.callsTo('chat.update').filter((c) => c.args.channel === dmChannel(HOST) && c.args.ts === ts);
/** The ts of the ask DM, as its job recorded it. */
const sentTs = (s: Session) => String((JSON.parse(jobByKey(t, askKey(s))!.result!) as { ts: string }).ts);
const attended = (s: Session) => Object.fromEntries(participantRows(t, s.number).map((p) => [p.userId, p.attended]));

async function sessionWith(joiners: readonly string[], fields: Parameters<typeof scheduleOk>[1] = {}): Promise<Session> {
  const s = await scheduleOk(t, fields);
  for (const user of joiners) expect((await t.command(`join ${s.number}`, { user })).json.text).toContain("You're in");
  return s;
}

/** Moves the clock to the session's end and runs the due jobs; returns the ask DM, if one went out. */
async function endSession(s: Pick<Session, 'startsAt' | 'durationMin'>) {
  t.clock.set(sessionEndsAt(s));
  await t.tick();
  return asksTo(t).at(-1);
}

/** A click in the host's DM (where the ask went), as Slack sends it. */
function clickInDm(actionId: string, value: string, who: { user?: string; team?: string; messageTs?: string } = {}) {
  return t.action(click(actionId, value), { user: HOST, channel: dmChannel(who.user ?? HOST), ...who });
}

describe('the "Who came?" DM when a session ends', () => {
  it('arrives once at the end, in the host’s zone, with Everyone came and Mark who came', async () => {
    const s = await sessionWith(['U0BOB', 'U0CAROL']);
    expect(jobByKey(t, askKey(s))).toMatchObject({ kind: 'attendance_ask', status: 'pending', runAt: sessionEndsAt(s) });

    t.clock.set(sessionEndsAt(s) - MINUTE);
    await t.tick();
    expect(asksTo(t)).toHaveLength(0);

    const ask = await endSession(s);
    expect(asksTo(t)).toHaveLength(1);
    expect(ask!.args.text).toBe(`Who came to #${s.number} Window functions in SQL? 2 people joined.`);
    const blocks = JSON.stringify(ask!.args.blocks);
    // Alice is in New York: 09:00 there (EST: DST ended that morning).
    expect(blocks).toContain('Sun 1 Nov, 09:00 EST · 30 min · 2 people joined');
    expect(blocks).toContain(`/peer attended ${s.number}`);
    const buttons = (ask!.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions')!.elements!;
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      [AttendanceActions.everyoneCame, String(s.number)],
      [AttendanceActions.markWhoCame, String(s.number)],
    ]);
    assertBlockKitLimits('message', { text: ask!.args.text, blocks: ask!.args.blocks });
    const row = jobByKey(t, askKey(s))!;
    expect(row.status).toBe('done');
    expect(JSON.parse(row.result!)).toMatchObject({ channel: dmChannel(HOST), ts: expect.stringMatching(/^\d+\.\d+$/), joined: 2 });

    // A second tick, a sync after the end, the planner and a later tick: nothing is sent again.
    await t.tick();
    syncSessionJobs(serviceDeps(t.deps), 'T0TEST', s.number);
    planSessionEndJobs(t.deps);
    t.clock.advance(30 * MINUTE);
    await t.tick();
    expect(asksTo(t)).toHaveLength(1);
    expect(jobByKey(t, askKey(s))!.status).toBe('done');
  });

  it('is not sent for a cancelled session', async () => {
    const s = await sessionWith(['U0BOB']);
    expect((await t.command(`cancel ${s.number}`)).json.text).toContain('Cancelled');
    expect(jobByKey(t, askKey(s))).toMatchObject({ status: 'cancelled' });
    expect(reasonOf(jobByKey(t, askKey(s)))).toBe('session_cancelled');
    expect(await endSession(s)).toBeUndefined();
  });

  it('follows a moved session: nothing at the old end, asked once at the new one', async () => {
    const s = await sessionWith(['U0BOB']);
    await submitSchedule(t, { time: '11:00' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    const moved = { ...s, startsAt: s.startsAt + 2 * 60 * MINUTE };
    expect(reasonOf(jobByKey(t, askKey(s)))).toBe('session_moved');
    expect(jobByKey(t, askKey(moved))).toMatchObject({ status: 'pending', runAt: sessionEndsAt(moved) });

    expect(await endSession(s)).toBeUndefined();
    const ask = await endSession(moved);
    expect(JSON.stringify(ask?.args.blocks)).toContain('Sun 1 Nov, 11:00 EST');
    expect(asksTo(t)).toHaveLength(1);
  });

  it('is skipped, with the reason, when it no longer applies at run time (a change that bypassed the sync)', async () => {
    const s = await sessionWith(['U0BOB']);
    t.database.sqlite.prepare('UPDATE sessions SET duration_min = 60 WHERE team_id = ? AND number = ?').run('T0TEST', s.number);
    expect(await endSession(s)).toBeUndefined();
    expect(reasonOf(jobByKey(t, askKey(s)))).toBe('session_moved');
  });

  it('is not sent when nobody else joined (or the only one left)', async () => {
    const alone = await sessionWith([]);
    const left = await sessionWith(['U0BOB'], { title: 'Left alone' });
    expect((await t.command(`leave ${left.number}`, { user: 'U0BOB' })).json.text).toContain("You've left");
    expect(await endSession(alone)).toBeUndefined();
    expect(reasonOf(jobByKey(t, askKey(alone)))).toBe('no_attendees');
    expect(reasonOf(jobByKey(t, askKey(left)))).toBe('no_attendees');
  });

  it('is not sent when the host already marked attendance during the session', async () => {
    const s = await sessionWith(['U0BOB', 'U0CAROL']);
    t.clock.set(s.startsAt + 10 * MINUTE);
    await t.command(`attended ${s.number}`);
    const [open] = await t.fake.waitForCalls('views.open');
    const view = open!.args.view;
    const res = await t.submitView({
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      blocks: view.blocks,
      values: { attended_0: { attended: { type: 'checkboxes', selected_options: [{ value: 'U0BOB' }] } } },
    });
    expect(res.status).toBe(200);
    expect(await endSession(s)).toBeUndefined();
    expect(reasonOf(jobByKey(t, askKey(s)))).toBe('already_marked');
  });

  it('is not sent to a host who opted out of DMs', async () => {
    expect((await t.command('optout')).status).toBe(200);
    const s = await sessionWith(['U0BOB']);
    expect(await endSession(s)).toBeUndefined();
    expect(reasonOf(jobByKey(t, askKey(s)))).toBe('opted_out');
    expect(t.fake.dmsTo(HOST)).toHaveLength(0);
  });

  it('is skipped as too late when the app was down for more than a day after the end', async () => {
    const s = await sessionWith(['U0BOB']);
    t.clock.set(sessionEndsAt(s) + 25 * 60 * MINUTE);
    await t.tick();
    expect(asksTo(t)).toHaveLength(0);
    expect(reasonOf(jobByKey(t, askKey(s)))).toBe('too_late');
  });
});

describe('its buttons', () => {
  it('Everyone came marks every seated attendee and the host yes, turns the DM into a thank-you, and refreshes the card; a second click changes nothing', async () => {
    const s = await sessionWith(['U0BOB', 'U0CAROL', 'U0DAN']);
    await t.command(`join ${s.number}`, { user: 'U0ERIN' });
    await t.command(`leave ${s.number}`, { user: 'U0ERIN' });
    expect(await endSession(s)).toBeDefined();
    const ts = sentTs(s);
    t.fake.reset();

    expect((await clickInDm(AttendanceActions.everyoneCame, String(s.number), { messageTs: ts })).status).toBe(200);
    const [update] = await t.fake.waitFor(() => (dmUpdates(ts).length > 0 ? dmUpdates(ts) : undefined), 'the DM update');
    expect(update!.args.text).toBe(`:white_check_mark: Thanks! Marked all 3 as attended for #${s.number} Window functions in SQL. Changed your mind? \`/peer attended ${s.number}\``);
    expect(JSON.stringify(update!.args.blocks)).not.toContain(AttendanceActions.everyoneCame);
    assertBlockKitLimits('message', { text: update!.args.text, blocks: update!.args.blocks });
    expect(attended(s)).toEqual({ U0ALICE: 'yes', U0BOB: 'yes', U0CAROL: 'yes', U0DAN: 'yes', U0ERIN: 'unknown' });
    await t.fake.waitFor(() => t.fake.callsTo('chat.update').find((c) => c.args.ts === s.announcementTs), 'the card refresh');
    // The DM itself is the answer: nothing ephemeral on top.
    await t.settled();
    expect(t.fake.responses).toHaveLength(0);

    await clickInDm(AttendanceActions.everyoneCame, String(s.number), { messageTs: ts });
    await t.fake.waitFor(() => dmUpdates(ts).length === 2, 'the second DM update');
    expect(dmUpdates(ts)[1]!.args.text).toContain('was already saved: 3 of 3 came. Nothing changed.');
    expect(attended(s)).toEqual({ U0ALICE: 'yes', U0BOB: 'yes', U0CAROL: 'yes', U0DAN: 'yes', U0ERIN: 'unknown' });
  });

  it('Mark who came opens the checklist; once saved the DM says "Saved: 1 of 2 came", and Everyone came afterwards keeps what was saved', async () => {
    const s = await sessionWith(['U0BOB', 'U0CAROL']);
    expect(await endSession(s)).toBeDefined();
    const ts = sentTs(s);
    t.fake.reset();

    await clickInDm(AttendanceActions.markWhoCame, String(s.number), { messageTs: ts });
    const [open] = await t.fake.waitForCalls('views.open');
    expect(open!.args.trigger_id).toMatch(/^trigger-/);
    const view = open!.args.view;
    expect(view.callback_id).toBe(SessionViews.attendance);
    const res = await t.submitView({
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      blocks: view.blocks,
      values: { attended_0: { attended: { type: 'checkboxes', selected_options: [{ value: 'U0BOB' }] } } },
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const [saved] = await t.fake.waitFor(() => (dmUpdates(ts).length > 0 ? dmUpdates(ts) : undefined), 'the DM update after the save');
    expect(saved!.args.text).toBe(`:white_check_mark: Saved: 1 of 2 came to #${s.number} Window functions in SQL. Changed your mind? \`/peer attended ${s.number}\``);
    expect(attended(s)).toEqual({ U0ALICE: 'yes', U0BOB: 'yes', U0CAROL: 'no' });

    await clickInDm(AttendanceActions.everyoneCame, String(s.number), { messageTs: ts });
    await t.fake.waitFor(() => dmUpdates(ts).length === 2, 'the DM update after the late click');
    expect(dmUpdates(ts)[1]!.args.text).toContain('was already saved: 1 of 2 came. Nothing changed.');
    expect(attended(s)).toEqual({ U0ALICE: 'yes', U0BOB: 'yes', U0CAROL: 'no' });
  });

  it('a non-host clicking a forged Everyone came or Mark who came changes nothing and is told why', async () => {
    const s = await sessionWith(['U0BOB', 'U0CAROL']);
    await endSession(s);
    t.fake.reset();
    await clickInDm(AttendanceActions.everyoneCame, String(s.number), { user: 'U0BOB' });
    await clickInDm(AttendanceActions.markWhoCame, String(s.number), { user: 'U0BOB' });
    const replies = await t.fake.waitForResponse(2);
    for (const reply of replies) {
      expect(reply.body.response_type).toBe('ephemeral');
      expect(reply.body.text).toBe(`Only the host, the person who scheduled it, or a workspace admin can mark attendance for session #${s.number}.`);
    }
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
    expect(t.fake.callsTo('chat.update')).toHaveLength(0);
    expect(attended(s)).toEqual({ U0ALICE: 'unknown', U0BOB: 'unknown', U0CAROL: 'unknown' });
  });

  it('a click from another workspace cannot touch this one’s session, even with the same number and user id', async () => {
    const s = await sessionWith(['U0BOB']);
    await endSession(s);
    t.fake.reset();
    await clickInDm(AttendanceActions.everyoneCame, String(s.number), { team: 'T0OTHER' });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain(`There is no session #${s.number} in this workspace`);
    expect(attended(s)).toEqual({ U0ALICE: 'unknown', U0BOB: 'unknown' });

    // T0OTHER's own session with that number, hosted by a U0ALICE of its own: only that one is marked.
    const theirs = createSession(t.database.db, { teamId: 'T0OTHER', number: s.number, hostId: HOST, startsAt: s.startsAt, durationMin: 30 });
    t.database.sqlite.prepare(`INSERT INTO participants (team_id, session_number, user_id, role, joined_at) VALUES ('T0OTHER', ?, 'U0BOB', 'attendee', 0)`).run(theirs.number);
    await clickInDm(AttendanceActions.everyoneCame, String(s.number), { team: 'T0OTHER' });
    await t.fake.waitFor(() => participantRows(t, s.number, 'T0OTHER').every((p) => p.attended === 'yes'), "T0OTHER's session marked");
    expect(attended(s)).toEqual({ U0ALICE: 'unknown', U0BOB: 'unknown' });
    expect(t.fake.callsTo('chat.update').filter((c) => c.args.channel === dmChannel(HOST))).toHaveLength(0);
  });

  it('refuses button values that are not a session number, and changes nothing', async () => {
    const s = await sessionWith(['U0BOB']);
    await endSession(s);
    t.fake.reset();
    const bad = ['', 'abc', '0', '-1', '1.5', ' 1', `${s.number}:x`, '12345678901', `${s.number}\n`];
    for (const value of bad) {
      await clickInDm(AttendanceActions.everyoneCame, value);
      await clickInDm(AttendanceActions.markWhoCame, value);
    }
    const replies = await t.fake.waitForResponse(bad.length * 2);
    expect(new Set(replies.map((r) => r.body.text))).toEqual(new Set([INVALID_BUTTON_TEXT]));
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
    expect(attended(s)).toEqual({ U0ALICE: 'unknown', U0BOB: 'unknown' });
  });

  it('saving the checklist with /peer attended also updates the DM that went out', async () => {
    const s = await sessionWith(['U0BOB', 'U0CAROL']);
    expect(await endSession(s)).toBeDefined();
    const ts = sentTs(s);
    t.fake.reset();
    await t.command(`attended ${s.number}`);
    const [open] = await t.fake.waitForCalls('views.open');
    await t.submitView({
      callback_id: open!.args.view.callback_id,
      private_metadata: open!.args.view.private_metadata,
      blocks: open!.args.view.blocks,
      values: { attended_0: { attended: { type: 'checkboxes', selected_options: [{ value: 'U0BOB' }, { value: 'U0CAROL' }] } } },
    });
    const [saved] = await t.fake.waitFor(() => (dmUpdates(ts).length > 0 ? dmUpdates(ts) : undefined), 'the DM update');
    expect(saved!.args.text).toContain('Saved: 2 of 2 came');
  });

  it('without a DM on record (asked by nobody), Everyone came still works and answers privately', async () => {
    const s = await sessionWith(['U0BOB']);
    t.clock.set(s.startsAt + 5 * MINUTE);
    t.fake.reset();
    await t.action(click(AttendanceActions.everyoneCame, String(s.number)), { user: HOST });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain('Thanks! Marked the 1 person who joined as attended');
    expect(attended(s)).toEqual({ U0ALICE: 'yes', U0BOB: 'yes' });
    // The card is refreshed as after the checklist.
    await t.fake.waitFor(() => t.fake.callsTo('chat.update').find((c) => c.args.ts === s.announcementTs), 'the card refresh');
  });
});

describe('across a restart', () => {
  it('a process stopped before the end leaves the ask to the next one, which sends it once; a third sends nothing', async () => {
    const fake = await startFakeSlack();
    for (const user of CAST) fake.setUser({ ...user });
    const clock = createSettableClock(SESSION_TESTS_NOW);
    const dir = mkdtempSync(join(tmpdir(), 'peerloop-ask-'));
    const databasePath = join(dir, 'peerloop.db');
    const running = new Set<TestApp>();
    const start = async () => {
      const app = await startTestApp({ fake, databasePath, clock, planners: [planSessionEndJobs] });
      running.add(app);
      return app;
    };
    const stop = async (app: TestApp) => {
      running.delete(app);
      await app.stop();
    };
    try {
      const first = await start();
      const s = await scheduleOk(first);
      await first.command(`join ${s.number}`, { user: 'U0BOB' });
      await stop(first);

      clock.set(sessionEndsAt(s) + 5 * MINUTE);
      const second = await start();
      await second.tick();
      expect(asksTo(second)).toHaveLength(1);
      await stop(second);

      clock.advance(10 * MINUTE);
      const third = await start();
      await third.tick();
      await third.tick();
      expect(asksTo(third)).toHaveLength(1);
      expect(jobByKey(third, askKey(s))!.status).toBe('done');
    } finally {
      for (const app of running) await app.stop();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
