import { and, eq, like } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { jobs, sessions } from '../../../src/db/schema.js';
import { SessionActions, SessionViews } from '../../../src/slack/ids.js';
import { addParticipant, createSession } from '../../support/factories.js';
import { click, participantRows, scheduleOk, sessionRows, submitSchedule, useSessionsTestApp } from './helpers.js';

const t = useSessionsTestApp();
beforeEach(() => {
  t.fake.channelsWithoutBot.clear();
});

function getRow(number: number, team = 'T0TEST') {
  return t.database.db.select().from(sessions).where(and(eq(sessions.teamId, team), eq(sessions.number, number))).get()!;
}

describe('/peer edit', () => {
  it('opens the same modal prefilled, in the editor’s zone', async () => {
    const s = await scheduleOk(t, { title: 'Original', capacity: '8', link: 'https://meet.example.com/x' });
    t.fake.reset();
    const res = await t.command(`edit ${s.number}`);
    expect(res.status).toBe(200);
    const [open] = await t.fake.waitForCalls('views.open');
    const view = open!.args.view;
    expect(JSON.parse(view.private_metadata)).toMatchObject({ mode: 'edit', number: s.number });
    const byId = (id: string) => (view.blocks as { block_id: string; element: Record<string, unknown> }[]).find((b) => b.block_id === id);
    expect(byId('title')!.element.initial_value).toBe('Original');
    expect(byId('date')!.element.initial_date).toBe('2026-11-01');
    expect(byId('time')!.element.initial_time).toBe('09:00');
    expect(byId('capacity')!.element.initial_value).toBe('8');
    expect(byId('repeat')).toBeUndefined();
  });

  it('saving a new time bumps the sequence, updates the card and DMs attendees in their zone with a new calendar file', async () => {
    const s = await scheduleOk(t);
    await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    t.fake.reset();
    const res = await submitSchedule(t, { time: '10:00', title: 'Moved' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.text).toBe('');
    const row = getRow(s.number);
    expect(row.sequence).toBe(s.sequence + 1);
    expect(new Date(row.startsAt).toISOString()).toBe('2026-11-01T15:00:00.000Z');
    expect(row.title).toBe('Moved');
    const [dm] = await t.fake.waitFor(() => (t.fake.dmsTo('U0CAROL').length > 0 ? t.fake.dmsTo('U0CAROL') : undefined), 'change DM');
    expect(dm!.args.text).toContain('time');
    expect(dm!.args.text).toContain('Sun 1 Nov, 20:30 GMT+5:30');
    await t.fake.waitFor(() => t.fake.callsTo('chat.update').find((c) => c.args.ts === s.announcementTs && JSON.stringify(c.args.blocks).includes('Moved')), 'card update');
    await t.fake.waitForCalls('files.completeUploadExternal');
  });

  it('a title-only edit sends no DM', async () => {
    const s = await scheduleOk(t);
    await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    t.fake.reset();
    await submitSchedule(t, { title: 'Renamed' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    await t.fake.waitForCalls('chat.update');
    expect(t.fake.dmsTo('U0CAROL')).toHaveLength(0);
  });

  it('a title-only edit of a session in the repeated hour of a fall-back night keeps its instant', async () => {
    // 2026-11-01T06:30Z is the second 01:30 in New York that night (EST); 05:30Z is the first (EDT).
    const startsAt = Date.UTC(2026, 10, 1, 6, 30);
    const s = createSession(t.database.db, { teamId: 'T0TEST', hostId: 'U0ALICE', startsAt, title: 'Night owls', createdAt: Date.parse('2026-10-30T12:00:00Z') });
    addParticipant(t.database.db, { teamId: 'T0TEST', sessionNumber: s.number, userId: 'U0CAROL' });
    const form = { title: 'Night owls, renamed', date: '2026-11-01', time: '01:30', duration: '30', host: 'U0ALICE', channel: 'C0GENERAL', format: s.format, topic: '', agenda: '', link: '' };
    const res = await submitSchedule(t, form, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.text).toBe('');
    expect(getRow(s.number)).toMatchObject({ title: 'Night owls, renamed', startsAt });
    // Nothing moved, so nobody is told the time changed.
    const notices = t.database.db.select().from(jobs).where(and(eq(jobs.teamId, 'T0TEST'), like(jobs.key, `notice:${s.number}:%`))).all();
    expect(notices).toHaveLength(0);
  });

  it('moving to a channel the bot is not in keeps the modal open and changes nothing', async () => {
    const s = await scheduleOk(t);
    t.fake.channelsWithoutBot.add('C0SECRET');
    const res = await submitSchedule(t, { channel: 'C0SECRET', title: 'Should not stick' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.json.response_action).toBe('errors');
    expect(res.json.errors.channel).toContain('/invite @Peerloop');
    expect(getRow(s.number)).toMatchObject({ channelId: 'C0GENERAL', title: s.title, sequence: s.sequence });
  });

  it('moving to another channel posts a new card there and points the old one to it', async () => {
    const s = await scheduleOk(t);
    t.fake.reset();
    const res = await submitSchedule(t, { channel: 'C0OTHER' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.text).toBe('');
    const row = getRow(s.number);
    expect(row.channelId).toBe('C0OTHER');
    expect(row.announcementTs).not.toBe(s.announcementTs);
    const old = await t.fake.waitFor(() => t.fake.callsTo('chat.update').find((c) => c.args.ts === s.announcementTs), 'old card');
    expect(old.args.text).toContain('moved to <#C0OTHER>');
  });

  it('a move refused after the new card was posted (session cancelled meanwhile) takes that card down again', async () => {
    const s = await scheduleOk(t);
    // The edit form was opened before someone else cancelled the session.
    expect((await t.command(`cancel ${s.number} clash`)).status).toBe(200);
    await t.fake.waitForCalls('chat.update');
    t.fake.reset();
    const res = await submitSchedule(t, { channel: 'C0OTHER', title: 'Too late' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.json.response_action).toBe('errors');
    const posted = t.fake.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0OTHER');
    expect(posted).toBeDefined();
    const deleted = await t.fake.waitFor(() => t.fake.callsTo('chat.delete').find((c) => c.args.channel === 'C0OTHER'), 'stray card deleted');
    expect(deleted.args.ts).toMatch(/^\d+\.\d+$/);
    expect(getRow(s.number)).toMatchObject({ channelId: 'C0GENERAL', status: 'cancelled' });
  });

  it('a session under way can be renamed, but not moved into the past', async () => {
    const s = await scheduleOk(t);
    t.clock.set(s.startsAt + 10 * 60_000);
    const rename = await submitSchedule(t, { title: 'Live now' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(rename.text).toBe('');
    expect(getRow(s.number).title).toBe('Live now');
    const back = await submitSchedule(t, { time: '08:00' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(back.json.errors.date).toContain('past');
    expect(getRow(s.number).startsAt).toBe(s.startsAt);
  });

  it('a forged edit submission by someone else is refused inline and changes nothing', async () => {
    const s = await scheduleOk(t);
    const res = await submitSchedule(t, { title: 'Hijacked' }, { user: 'U0BOB' }, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.json.response_action).toBe('errors');
    expect(JSON.stringify(res.json.errors)).toContain('Only the host');
    expect(getRow(s.number).title).toBe(s.title);
  });

  it('the host can be changed; the new host is a participant with role host', async () => {
    const s = await scheduleOk(t);
    await submitSchedule(t, { host: 'U0BOB' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    const rows = participantRows(t, s.number);
    expect(rows.find((p) => p.userId === 'U0BOB')).toMatchObject({ role: 'host', leftAt: null });
    expect(rows.find((p) => p.userId === 'U0ALICE')).toMatchObject({ role: 'attendee' });
    // The creator keeps the right to manage it.
    expect((await t.command(`cancel ${s.number}`)).json.text).toContain('Cancelled');
  });

  it('handing a full session to a new host puts the old host on the waitlist, never over capacity', async () => {
    const s = await scheduleOk(t, { capacity: '1' });
    await t.command(`join ${s.number}`, { user: 'U0CAROL' });
    await t.command(`join ${s.number}`, { user: 'U0DAN' });
    t.clock.advance(60_000);
    const res = await submitSchedule(t, { capacity: '1', host: 'U0BOB' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.text).toBe('');
    const active = participantRows(t, s.number).filter((p) => p.leftAt === null);
    expect(active.find((p) => p.userId === 'U0BOB')).toMatchObject({ role: 'host', waitlisted: false });
    expect(active.filter((p) => p.role === 'attendee' && !p.waitlisted).map((p) => p.userId)).toEqual(['U0CAROL']);
    // Behind Dan, who was waiting first.
    const line = active.filter((p) => p.waitlisted).sort((a, b) => a.joinedAt - b.joinedAt).map((p) => p.userId);
    expect(line).toEqual(['U0DAN', 'U0ALICE']);
  });

  it('a new host who had a seat frees it for the waitlist first; the old host gets a seat only when one is left', async () => {
    const full = await scheduleOk(t, { capacity: '1' });
    await t.command(`join ${full.number}`, { user: 'U0BOB' });
    await t.command(`join ${full.number}`, { user: 'U0DAN' });
    await submitSchedule(t, { capacity: '1', host: 'U0BOB' }, {}, { mode: 'edit', number: full.number, rev: 0 });
    const rows = participantRows(t, full.number);
    expect(rows.find((p) => p.userId === 'U0BOB')).toMatchObject({ role: 'host', waitlisted: false });
    expect(rows.find((p) => p.userId === 'U0DAN')).toMatchObject({ role: 'attendee', waitlisted: false });
    expect(rows.find((p) => p.userId === 'U0ALICE')).toMatchObject({ role: 'attendee', waitlisted: true });

    const roomy = await scheduleOk(t, { capacity: '2' });
    await t.command(`join ${roomy.number}`, { user: 'U0CAROL' });
    await submitSchedule(t, { capacity: '2', host: 'U0BOB' }, {}, { mode: 'edit', number: roomy.number, rev: 0 });
    expect(participantRows(t, roomy.number).find((p) => p.userId === 'U0ALICE')).toMatchObject({ role: 'attendee', waitlisted: false });
  });
});

describe('an edit when Slack is slow', () => {
  it('a move whose new card takes 4 s closes the modal in time, then saves once the card is in', async () => {
    const s = await scheduleOk(t);
    t.fake.reset();
    t.fake.script('chat.postMessage', { delayMs: 4_000 });
    const res = await submitSchedule(t, { channel: 'C0OTHER', title: 'Moved slowly' }, {}, { mode: 'edit', number: s.number, rev: 0, origin: 'C0GENERAL' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    // The answer came while the post was still pending, so nothing was saved yet.
    expect(getRow(s.number)).toMatchObject({ channelId: 'C0GENERAL', title: s.title });
    await t.fake.waitFor(() => getRow(s.number).channelId === 'C0OTHER', 'the edit saved after the card landed', 8_000);
    expect(getRow(s.number)).toMatchObject({ title: 'Moved slowly', sequence: s.sequence + 1 });
    await t.fake.waitFor(() => t.fake.callsTo('chat.update').find((c) => c.args.ts === s.announcementTs), 'old card points to the new one', 8_000);
    expect(t.fake.callsTo('chat.postEphemeral')).toHaveLength(0);
  });

  it('a move refused after 4 s changes nothing and is told privately in the channel the edit came from', async () => {
    const s = await scheduleOk(t);
    t.fake.reset();
    t.fake.script('chat.postMessage', { delayMs: 4_000, error: 'not_in_channel' });
    const res = await submitSchedule(t, { channel: 'C0SECRET', title: 'Should not stick' }, {}, { mode: 'edit', number: s.number, rev: 0, origin: 'C0GENERAL' });
    expect(res.text).toBe('');
    const told = await t.fake.waitFor(() => t.fake.callsTo('chat.postEphemeral').find((c) => c.args.channel === 'C0GENERAL'), 'the private note', 8_000);
    expect(told.args).toMatchObject({ user: 'U0ALICE' });
    expect(told.args.text).toContain(`changes to session #${s.number} were not saved`);
    expect(told.args.text).toContain('/invite @Peerloop');
    expect(getRow(s.number)).toMatchObject({ channelId: 'C0GENERAL', title: s.title, sequence: s.sequence });
  });

  it('a host check that takes 4 s is skipped rather than costing the answer', async () => {
    const s = await scheduleOk(t);
    t.fake.reset();
    t.fake.script('users.info', { delayMs: 4_000 });
    const res = await submitSchedule(t, { host: 'U0BOB' }, {}, { mode: 'edit', number: s.number, rev: 0 });
    expect(res.text).toBe('');
    // Saved before users.info answered.
    expect(getRow(s.number).hostId).toBe('U0BOB');
    expect(t.fake.callsTo('users.info').some((c) => c.args.user === 'U0BOB')).toBe(true);
  });
});

describe('workspaces are isolated', () => {
  it('numbers are per workspace, and a payload from T0OTHER cannot touch T0TEST’s sessions', async () => {
    const ours = await scheduleOk(t, { title: 'Ours' });
    const theirs = await scheduleOk(t, { title: 'Theirs', host: 'U0MALLORY' }, { team: 'T0OTHER', user: 'U0MALLORY' });
    expect(theirs.number).toBe(1);
    expect(sessionRows(t, 'T0TEST').some((r) => r.number === 1)).toBe(true);

    // Mallory's workspace has no session with T0TEST's newest number.
    const cancel = await t.command(`cancel ${ours.number}`, { team: 'T0OTHER', user: 'U0MALLORY' });
    expect(cancel.json.text).toContain(`no session #${ours.number} in this workspace`);
    // A forged edit submission naming our number, from the other workspace.
    const edit = await submitSchedule(t, { title: 'Pwned' }, { team: 'T0OTHER', user: 'U0MALLORY' }, { mode: 'edit', number: ours.number, rev: 0 });
    expect(edit.json.response_action).toBe('errors');
    // A Join click on "1" from T0OTHER joins T0OTHER's #1, never T0TEST's #1.
    t.fake.reset();
    await t.action(click(SessionActions.join, '1'), { team: 'T0OTHER', user: 'U0EVE' });
    await t.fake.waitForResponse(1);
    expect(participantRows(t, 1, 'T0TEST').some((p) => p.userId === 'U0EVE')).toBe(false);
    expect(participantRows(t, 1, 'T0OTHER').some((p) => p.userId === 'U0EVE')).toBe(true);
    // An attendance form from T0OTHER naming our session.
    t.clock.set(ours.startsAt + 60_000);
    const att = await t.submitView(
      { callback_id: SessionViews.attendance, private_metadata: JSON.stringify({ number: ours.number }), blocks: [{ type: 'input', block_id: 'attended_0' }], values: {} },
      { team: 'T0OTHER', user: 'U0MALLORY' },
    );
    expect(att.json.response_action).toBe('errors');

    expect(getRow(ours.number)).toMatchObject({ title: 'Ours', status: 'scheduled', sequence: ours.sequence });
    expect(participantRows(t, ours.number).every((p) => p.attended === 'unknown')).toBe(true);
  });

  it("a click in a shared channel acts on the card's workspace, not the clicker's home workspace", async () => {
    const ours = await scheduleOk(t, { title: 'Shared channel card' });
    // The clicker's own workspace happens to have a session with the same number.
    createSession(t.database.db, { teamId: 'T0EXT', number: ours.number, title: 'Theirs' });
    t.fake.reset();
    await t.action(click(SessionActions.join, String(ours.number)), { team: 'T0TEST', userTeam: 'T0EXT', user: 'U0GUEST' });
    await t.fake.waitForResponse(1);
    expect(participantRows(t, ours.number, 'T0TEST').some((p) => p.userId === 'U0GUEST')).toBe(true);
    expect(participantRows(t, ours.number, 'T0EXT').some((p) => p.userId === 'U0GUEST')).toBe(false);
  });
});

describe('time zones Slack sends that this runtime does not know', () => {
  it('fall back to the workspace zone instead of failing the join', async () => {
    const s = await scheduleOk(t, { title: 'Zone fallback' });
    t.fake.setUser({ id: 'U0ODDZONE', name: 'odd', tz: 'Not/AZone' });
    const res = await t.command(`join ${s.number}`, { user: 'U0ODDZONE' });
    expect(res.json.text).toContain("You're in");
    expect(res.json.text).toMatch(/\d{2}:\d{2} UTC/);
  });
});
