import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { sessions } from '../../../src/db/schema.js';
import { SessionActions } from '../../../src/slack/ids.js';
import { click, listCommand, participantRows, scheduleOk, useSessionsTestApp } from './helpers.js';

const t = useSessionsTestApp();

function lastCardUpdate(ts: string) {
  const updates = t.fake.callsTo('chat.update').filter((c) => c.args.ts === ts);
  return updates.at(-1);
}

function activeAttendees(number: number) {
  return participantRows(t, number).filter((p) => p.leftAt === null && p.role === 'attendee');
}

describe('join and leave', () => {
  it('a Join click adds the person, updates the card in place, replies privately and sends the calendar file', async () => {
    const s = await scheduleOk(t, { capacity: '5' });
    t.fake.reset();
    const res = await t.action(click(SessionActions.join, String(s.number)), { user: 'U0BOB' });
    expect(res.status).toBe(200);
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.response_type).toBe('ephemeral');
    expect(reply!.body.replace_original).toBe(false);
    expect(reply!.body.text).toContain("You're in");
    // Bob reads it in his own zone (Berlin): 09:00 New York on 1 Nov is 15:00 CET.
    expect(reply!.body.text).toContain('Sun 1 Nov, 15:00 CET');
    const update = await t.fake.waitFor(() => lastCardUpdate(s.announcementTs!), 'card update');
    expect(JSON.stringify(update.args.blocks)).toContain('4 of 5 seats left');
    await t.fake.waitForCalls('files.completeUploadExternal');
    expect(activeAttendees(s.number).map((p) => p.userId)).toEqual(['U0BOB']);
  });

  it('a double join is one row and says so', async () => {
    const s = await scheduleOk(t);
    await Promise.all([
      t.action(click(SessionActions.join, String(s.number)), { user: 'U0BOB' }),
      t.action(click(SessionActions.join, String(s.number)), { user: 'U0BOB' }),
    ]);
    const replies = await t.fake.waitForResponse(2);
    expect(replies.map((r) => r.body.text).join('\n')).toContain('already in');
    expect(participantRows(t, s.number).filter((p) => p.userId === 'U0BOB')).toHaveLength(1);
  });

  it('/peer join replies in the ack; /peer leave frees the seat; leaving again is answered kindly', async () => {
    const s = await scheduleOk(t);
    const join = await t.command(`join ${s.number}`, { user: 'U0BOB' });
    expect(join.json.text).toContain("You're in");
    const leave = await t.command(`leave #${s.number}`, { user: 'U0BOB' });
    expect(leave.json.text).toContain("You've left");
    expect(activeAttendees(s.number)).toHaveLength(0);
    const again = await t.command(`leave ${s.number}`, { user: 'U0BOB' });
    expect(again.json.text).toContain("You're not in");
    // Rejoining reuses the row.
    await t.command(`join ${s.number}`, { user: 'U0BOB' });
    expect(participantRows(t, s.number).filter((p) => p.userId === 'U0BOB')).toMatchObject([{ leftAt: null, waitlisted: false }]);
  });

  it('the host joining is told they host; the host cannot leave', async () => {
    const s = await scheduleOk(t);
    expect((await t.command(`join ${s.number}`)).json.text).toContain("You're hosting");
    expect((await t.command(`leave ${s.number}`)).json.text).toContain("You're hosting");
  });
});

describe('capacity and the waitlist', () => {
  it('full -> waitlist with position; a freed seat goes to the first in line, who gets a DM and the card updates', async () => {
    const s = await scheduleOk(t, { capacity: '1' });
    await t.command(`join ${s.number}`, { user: 'U0BOB' });
    const carol = await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    expect(carol.json.text).toContain('waitlist');
    expect(carol.json.text).toContain('number 1 in line');
    const dan = await t.command(`join ${s.number}`, { user: 'U0DAN' });
    expect(dan.json.text).toContain('number 2 in line');
    await t.fake.waitFor(() => JSON.stringify(lastCardUpdate(s.announcementTs!)?.args.blocks ?? '').includes('2 on the waitlist'), 'card shows waitlist');

    t.fake.reset();
    const leave = await t.command(`leave ${s.number}`, { user: 'U0BOB' });
    expect(leave.json.text).toContain("You've left");
    const [dm] = await t.fake.waitFor(() => (t.fake.dmsTo('U0CAROL').length > 0 ? t.fake.dmsTo('U0CAROL') : undefined), 'DM to carol');
    expect(dm!.args.text).toContain('A seat opened up');
    // Carol reads her DM in Kolkata time, zone shown.
    expect(dm!.args.text).toContain('19:30 GMT+5:30');
    expect(t.fake.dmsTo('U0DAN')).toHaveLength(0);
    const rows = participantRows(t, s.number);
    expect(rows.find((p) => p.userId === 'U0CAROL')).toMatchObject({ waitlisted: false, leftAt: null });
    expect(rows.find((p) => p.userId === 'U0DAN')).toMatchObject({ waitlisted: true });
    await t.fake.waitFor(() => JSON.stringify(lastCardUpdate(s.announcementTs!)?.args.blocks ?? '').includes('1 on the waitlist'), 'card after promotion');
    expect((await t.command(`join ${s.number}`, { user: 'U0DAN' })).json.text).toContain('number 1 in line');
  });
});

describe('refusals', () => {
  it('slash arguments are validated with a specific message and usage', async () => {
    const abc = await t.command('join abc');
    expect(abc.json.text).toContain('`abc` is not a session number');
    expect(abc.json.text).toContain('/peer join &lt;id&gt;');
    const missing = await t.command('join 99999');
    expect(missing.json.text).toContain('no session #99999 in this workspace');
    const noId = await t.command('cancel');
    expect(noId.json.text).toContain('Which session?');
    expect(noId.json.text).toContain('/peer cancel &lt;id&gt; [reason]');
    const ping = await t.command('join <!channel>');
    expect(ping.json.text).not.toContain('<!channel>');
  });

  it('joining a cancelled or finished session is refused clearly', async () => {
    const s = await scheduleOk(t);
    await t.command(`cancel ${s.number}`);
    expect((await t.command(`join ${s.number}`, { user: 'U0BOB' })).json.text).toContain('was cancelled');
    const f = await scheduleOk(t);
    t.clock.set(f.startsAt + 31 * 60_000);
    expect((await t.command(`join ${f.number}`, { user: 'U0BOB' })).json.text).toContain('already finished');
    expect(activeAttendees(f.number)).toHaveLength(0);
  });

  it('a forged button value changes nothing', async () => {
    await t.action(click(SessionActions.join, '1; drop table'), { user: 'U0BOB' });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain("doesn't name a session");
  });
});

describe('cancel', () => {
  it('the host cancels with a reason: card says cancelled (no buttons), attendees and waitlist get a DM and a cancellation file', async () => {
    const s = await scheduleOk(t, { capacity: '1' });
    await t.command(`join ${s.number}`, { user: 'U0BOB' });
    await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    t.fake.reset();
    const res = await t.command(`cancel ${s.number} Sick today <!here>`);
    expect(res.json.text).toContain('Cancelled');
    const update = await t.fake.waitFor(() => t.fake.callsTo('chat.update').find((c) => c.args.ts === s.announcementTs && JSON.stringify(c.args.blocks).includes('cancelled')), 'cancelled card');
    const card = JSON.stringify(update.args.blocks);
    expect(card).toContain('Sick today &lt;!here&gt;');
    expect(card).not.toContain(SessionActions.join);
    await t.fake.waitFor(() => t.fake.dmsTo('U0BOB').length > 0 && t.fake.dmsTo('U0CAROL').length > 0, 'cancel DMs');
    expect(t.fake.dmsTo('U0BOB')[0]!.args.text).toContain('was cancelled');
    expect(t.fake.dmsTo('U0BOB')[0]!.args.text).not.toContain('<!here>');
    expect(t.database.db.select().from(sessions).where(and(eq(sessions.teamId, 'T0TEST'), eq(sessions.number, s.number))).get()).toMatchObject({
      status: 'cancelled',
      cancelReason: 'Sick today <!here>',
    });
    await t.fake.waitForCalls('files.completeUploadExternal', 2);
  });

  it('a non-host cannot cancel, edit or mark attendance; nothing changes', async () => {
    const s = await scheduleOk(t);
    const cancel = await t.command(`cancel ${s.number}`, { user: 'U0BOB' });
    expect(cancel.json.text).toContain('Only the host');
    const edit = await t.command(`edit ${s.number}`, { user: 'U0BOB' });
    expect(edit.json.text).toContain('Only the host');
    t.clock.set(s.startsAt + 60_000);
    const attended = await t.command(`attended ${s.number}`, { user: 'U0BOB' });
    expect(attended.json.text).toContain('Only the host');
    await t.action(click(SessionActions.cancel, String(s.number)), { user: 'U0BOB' });
    const [reply] = await t.fake.waitForResponse(1);
    expect(reply!.body.text).toContain('Only the host');
    expect(t.fake.callsTo('views.open')).toHaveLength(0);
    expect(t.database.db.select().from(sessions).where(and(eq(sessions.teamId, 'T0TEST'), eq(sessions.number, s.number))).get()!.status).toBe('scheduled');
  });

  it('an admin may cancel someone else’s session', async () => {
    t.fake.setUser({ id: 'U0ADMIN', name: 'admin', is_admin: true });
    const s = await scheduleOk(t);
    expect((await t.command(`cancel ${s.number}`, { user: 'U0ADMIN' })).json.text).toContain('Cancelled');
  });
});

describe('attendance', () => {
  it('refused before the start; afterwards the host gets a checklist (all ticked) and the submission records yes/no', async () => {
    const s = await scheduleOk(t);
    const people = Array.from({ length: 12 }, (_, i) => `U0P${String(i).padStart(2, '0')}`);
    for (const p of people) await t.command(`join ${s.number}`, { user: p });
    const early = await t.command(`attended ${s.number}`);
    expect(early.json.text).toContain('has not started');

    t.clock.set(s.startsAt + 5 * 60_000);
    t.fake.reset();
    await t.command(`attended ${s.number}`);
    const [open] = await t.fake.waitForCalls('views.open');
    const view = open!.args.view;
    const groups = (view.blocks as { type: string; element?: { type: string; options: unknown[]; initial_options: unknown[] } }[]).filter((b) => b.element?.type === 'checkboxes');
    expect(groups.map((g) => g.element!.options.length)).toEqual([10, 2]);
    expect(groups.map((g) => g.element!.initial_options.length)).toEqual([10, 2]);

    // Someone joins while the host has the checklist open: they had no box, so they stay unknown.
    t.clock.advance(60_000);
    expect((await t.command(`join ${s.number}`, { user: 'U0LATE' })).status).toBe(200);
    await t.fake.waitFor(() => participantRows(t, s.number).some((p) => p.userId === 'U0LATE'), 'late joiner recorded');

    // Untick the last two; a forged id of someone not in the session is ignored.
    const ticked = [...people.slice(0, 10), 'U0INTRUDER'];
    const res = await t.submitView({
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      blocks: view.blocks,
      values: {
        attended_0: { attended: { type: 'checkboxes', selected_options: ticked.slice(0, 10).map((value) => ({ value })) } },
        attended_1: { attended: { type: 'checkboxes', selected_options: [{ value: 'U0INTRUDER' }] } },
      },
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const rows = participantRows(t, s.number);
    expect(rows.filter((p) => p.attended === 'yes').map((p) => p.userId).sort()).toEqual([...people.slice(0, 10), 'U0ALICE'].sort());
    expect(rows.filter((p) => p.attended === 'no').map((p) => p.userId).sort()).toEqual(people.slice(10));
    expect(rows.find((p) => p.userId === 'U0INTRUDER')).toBeUndefined();
    expect(rows.find((p) => p.userId === 'U0LATE')?.attended).toBe('unknown');
  });

  it('a non-host submitting a forged attendance form changes nothing', async () => {
    const s = await scheduleOk(t);
    await t.command(`join ${s.number}`, { user: 'U0BOB' });
    t.clock.set(s.startsAt + 60_000);
    const res = await t.submitView(
      {
        callback_id: 'session_attendance',
        private_metadata: JSON.stringify({ number: s.number }),
        blocks: [{ type: 'input', block_id: 'attended_0' }],
        values: { attended_0: { attended: { type: 'checkboxes', selected_options: [] } } },
      },
      { user: 'U0BOB' },
    );
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors.attended_0).toContain('Only the host');
    expect(participantRows(t, s.number).every((p) => p.attended === 'unknown')).toBe(true);
  });

  it('ticks sent in the wrong shape are refused on their group, never read as nobody came', async () => {
    const s = await scheduleOk(t);
    await t.command(`join ${s.number}`, { user: 'U0BOB' });
    t.clock.set(s.startsAt + 60_000);
    const res = await t.submitView({
      callback_id: 'session_attendance',
      private_metadata: JSON.stringify({ number: s.number }),
      blocks: [{ type: 'input', block_id: 'attended_0' }],
      values: { attended_0: { attended: { type: 'checkboxes', selected_options: { value: 'U0BOB' } } } },
    });
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors).toEqual({ attended_0: expect.stringMatching(/^These could not be read as choices/) });
    expect(participantRows(t, s.number).every((p) => p.attended === 'unknown')).toBe(true);
  });
});

describe('/peer list', () => {
  it('lists the next 14 days with Join buttons, marks mine, and `mine` filters', async () => {
    const a = await scheduleOk(t, { title: 'Alpha' });
    const b = await scheduleOk(t, { title: 'Beta', date: '2026-11-10' });
    await scheduleOk(t, { title: 'Far away', date: '2026-12-20' });
    await t.command(`join ${a.number}`, { user: 'U0BOB' });
    const all = await listCommand(t, 'list', { user: 'U0BOB' });
    expect(all.response_type).toBe('ephemeral');
    const text = JSON.stringify(all.blocks);
    expect(text).toContain('Alpha');
    expect(text).toContain('Beta');
    expect(text).not.toContain('Far away');
    expect(text).toContain('you joined');
    const mine = await listCommand(t, 'list mine', { user: 'U0BOB' });
    const mineText = JSON.stringify(mine.blocks);
    expect(mineText).toContain('Alpha');
    expect(mineText).not.toContain(`#${b.number} Beta`);
    expect((await t.command('list everything')).json.text).toContain('not `everything`');
  });

  it('cuts at the Block Kit limit and says how many more', async () => {
    const db = t.database.db;
    const now = t.clock.now();
    db.transaction((tx) => {
      for (let i = 0; i < 60; i += 1) {
        tx.insert(sessions)
          .values({ teamId: 'T0TEST', number: 5000 + i, title: `Bulk ${i}`, format: 'micro-lesson', topic: '', hostId: 'U0ALICE', creatorId: 'U0ALICE', startsAt: now + 3600_000 + i * 60_000, durationMin: 15, channelId: 'C0GENERAL', createdAt: now, updatedAt: now })
          .run();
      }
    });
    const res = await listCommand(t);
    expect(res.blocks.length).toBeLessThanOrEqual(50);
    const upcoming = db.select().from(sessions).where(eq(sessions.status, 'scheduled')).all().filter((s) => s.startsAt + s.durationMin * 60_000 > now && s.startsAt < now + 14 * 86_400_000).length;
    expect(JSON.stringify(res.blocks)).toContain(`and ${upcoming - 47} more`);
  });
});
