import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { workspaces } from '../../src/db/schema.js';
import { ensureCalendarToken, sessionCalendarUrl } from '../../src/services/calendar.js';
import { cancelSession, editSession } from '../../src/services/sessions.js';
import { type ScheduleInput } from '../../src/services/session-model.js';
import { parseLocalDateTime } from '../../src/services/time.js';
import { sendCalendarInvite } from '../../src/slack/flows/calendar.js';
import { serviceDeps } from '../../src/deps.js';
import { startTestApp } from '../support/app.js';
import { useTestApp } from '../support/use-test-app.js';
import { addParticipant, createMember, createSession, createWorkspace, type SessionRow } from '../support/factories.js';
import { parseIcs } from '../support/ics.js';

const PUBLIC_URL = 'https://peerloop.example.com';
const NOW = Date.UTC(2026, 2, 1, 12, 0); // 1 March 2026
const DAY = 24 * 60 * 60 * 1000;

const t = useTestApp({ env: { PUBLIC_URL }, now: NOW, users: [{ id: 'U0ALICE', name: 'alice', tz: 'Europe/Berlin' }], resetFake: true });
beforeAll(() => {
  createWorkspace(t.database.db, 'T0TEST', { name: 'Acme' });
  createWorkspace(t.database.db, 'T0OTHER', { name: 'Other Co' });
});

const svc = () => serviceDeps(t.deps);

async function getRaw(path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${t.url}${path}`);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

function editInput(s: SessionRow, changes: Partial<ScheduleInput>): ScheduleInput {
  return {
    format: s.format as ScheduleInput['format'],
    title: s.title,
    topic: s.topic,
    startsAt: s.startsAt,
    durationMin: s.durationMin,
    hostId: s.hostId,
    capacity: s.capacity,
    channelId: s.channelId,
    link: s.link,
    agenda: s.agenda,
    repeatWeeks: 1,
    ...changes,
  };
}

describe('a session .ics over HTTP', () => {
  // 8 March 2026 is the US spring-forward day: 10:00 in New York is already EDT (UTC-4).
  const startsAt = parseLocalDateTime('2026-03-08', '10:00', 'America/New_York');
  let session: SessionRow;
  let token: string;

  beforeAll(() => {
    createMember(t.database.db, 'T0TEST', 'U0HOSTNY', { name: 'Nia Host', timeZone: 'America/New_York' });
    session = createSession(t.database.db, {
      teamId: 'T0TEST',
      hostId: 'U0HOSTNY',
      title: 'Git rebase, deep dive; <!channel>',
      agenda: '1. Why rebase\n2. Live demo',
      link: 'https://meet.example.com/abc-def',
      channelId: 'C0LEARN',
      startsAt,
      durationMin: 45,
      createdAt: NOW,
    });
    token = ensureCalendarToken(svc(), 'T0TEST');
  });

  it('parses back to the same start and end instants, with a stable UID, organizer and details', async () => {
    expect(startsAt).toBe(Date.UTC(2026, 2, 8, 14, 0));
    const res = await getRaw(pathOf(sessionCalendarUrl(PUBLIC_URL, token, session.number)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="peerloop-session-${session.number}.ics"`);

    const cal = parseIcs(res.text);
    expect(cal.method).toBe('REQUEST');
    expect(cal.events).toHaveLength(1);
    const event = cal.events[0]!;
    expect(event.start).toBe(startsAt);
    expect(event.end).toBe(startsAt + 45 * 60_000);
    expect(event.uid).toBe(`session-t0test-${session.number}@peerloop`);
    expect(event.summary).toBe('Git rebase, deep dive; <!channel>');
    expect(event.sequence).toBe(0);
    expect(event.status).toBe('CONFIRMED');
    // URI schemes are case-insensitive; ics writes MAILTO.
    expect(event.organizer?.toLowerCase()).toBe('mailto:u0hostny@users.peerloop.invalid');
    expect(event.organizerName).toBe('Nia Host');
    expect(event.url).toBe('https://meet.example.com/abc-def');
    expect(event.description).toContain('1. Why rebase\n2. Live demo');
    expect(event.description).toContain('https://meet.example.com/abc-def');
    expect(event.description).toContain('https://slack.com/app_redirect?team=T0TEST&channel=C0LEARN');
    // Times are written in UTC, so every client converts to its own zone.
    expect(res.text).toContain('DTSTART:20260308T140000Z');
  });

  it('a host name with double quotes or control characters still gives a readable ORGANIZER', async () => {
    createMember(t.database.db, 'T0TEST', 'U0BOBQ', { name: 'Robert "Bob"\tSmith\n', timeZone: 'America/New_York' });
    const s = createSession(t.database.db, { teamId: 'T0TEST', hostId: 'U0BOBQ', startsAt: NOW + 3 * DAY, createdAt: NOW });
    const res = await getRaw(pathOf(sessionCalendarUrl(PUBLIC_URL, token, s.number)));
    expect(res.status).toBe(200);
    const event = parseIcs(res.text).events[0]!;
    // A quoted parameter value has no escape for `"`: it is written as an apostrophe.
    expect(event.organizerName).toBe("Robert 'Bob' Smith");
    expect(event.organizer?.toLowerCase()).toBe('mailto:u0bobq@users.peerloop.invalid');
    expect(res.text).not.toContain('\\"');
  });

  it('keeps the UID and bumps SEQUENCE after an edit; a cancellation is METHOD:CANCEL with the same UID', async () => {
    const s = createSession(t.database.db, { teamId: 'T0TEST', hostId: 'U0HOSTNY', startsAt: NOW + 3 * DAY, createdAt: NOW });
    const url = pathOf(sessionCalendarUrl(PUBLIC_URL, token, s.number));
    const first = parseIcs((await getRaw(url)).text).events[0]!;

    const host = { userId: 'U0HOSTNY', isAdmin: false };
    editSession(svc(), 'T0TEST', s.number, host, editInput(s, { startsAt: NOW + 4 * DAY, title: 'Moved' }));
    const edited = parseIcs((await getRaw(url)).text).events[0]!;
    expect(edited.uid).toBe(first.uid);
    expect(edited.sequence).toBe(first.sequence + 1);
    expect(edited.start).toBe(NOW + 4 * DAY);
    expect(edited.summary).toBe('Moved');

    cancelSession(svc(), 'T0TEST', s.number, host, 'Host is ill');
    const cancelled = parseIcs((await getRaw(url)).text);
    expect(cancelled.method).toBe('CANCEL');
    expect(cancelled.events[0]).toMatchObject({ uid: first.uid, status: 'CANCELLED', sequence: edited.sequence + 1 });
    expect(cancelled.events[0]!.description).toContain('Cancelled: Host is ill');
  });

  it('answers 404 for an unknown session, a malformed or wrong token, and never serves another workspace', async () => {
    const otherToken = ensureCalendarToken(svc(), 'T0OTHER');
    expect(otherToken).not.toBe(token);
    // T0OTHER has no session with this number: its token must not reach T0TEST's row.
    expect((await getRaw(`/calendar/${otherToken}/session-${session.number}.ics`)).status).toBe(404);
    expect((await getRaw(`/calendar/${token}/session-99999.ics`)).status).toBe(404);
    expect((await getRaw(`/calendar/${token}/session-abc.ics`)).status).toBe(404);
    const wrong = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect((await getRaw(`/calendar/${wrong}/session-${session.number}.ics`)).status).toBe(404);
    expect((await getRaw(`/calendar/${wrong}.ics`)).status).toBe(404);
    expect((await getRaw('/calendar/short.ics')).status).toBe(404);
    expect((await getRaw(`/calendar/${token}`)).status).toBe(404);
  });
});

describe('the workspace feed', () => {
  it("lists that workspace's sessions from a week ago to 90 days ahead, cancelled ones as cancelled", async () => {
    const db = t.database.db;
    const team = 'T0FEED';
    createWorkspace(db, team, { name: 'Feed Co' });
    const inWindow = createSession(db, { teamId: team, title: 'Soon', startsAt: NOW + 2 * DAY });
    const recent = createSession(db, { teamId: team, title: 'Last week', startsAt: NOW - 6 * DAY });
    const cancelled = createSession(db, { teamId: team, title: 'Called off', startsAt: NOW + 5 * DAY, status: 'cancelled', sequence: 1 });
    createSession(db, { teamId: team, title: 'Too old', startsAt: NOW - 8 * DAY });
    createSession(db, { teamId: team, title: 'Too far', startsAt: NOW + 91 * DAY });
    // Same numbers in another workspace: must never show up.
    createWorkspace(db, 'T0FEEDX');
    createSession(db, { teamId: 'T0FEEDX', number: inWindow.number, title: 'Other workspace secret', startsAt: NOW + 2 * DAY });

    const token = ensureCalendarToken(serviceDeps(t.deps), team);
    const res = await getRaw(`/calendar/${token}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('filename="peerloop-sessions.ics"');
    expect(res.headers.get('cache-control')).toContain('private');

    const cal = parseIcs(res.text);
    expect(cal.method).toBe('PUBLISH');
    expect(cal.name).toBe('Peerloop sessions (Feed Co)');
    expect(cal.events.map((e) => e.summary)).toEqual(['Last week', 'Soon', 'Cancelled: Called off']);
    expect(cal.events.map((e) => e.uid)).toEqual([recent, inWindow, cancelled].map((s) => `session-t0feed-${s.number}@peerloop`));
    expect(cal.events[2]).toMatchObject({ status: 'CANCELLED', sequence: 1 });
    expect(res.text).not.toContain('Other workspace secret');
  });

  it('answers HEAD without a body and 404 for a token nobody has', async () => {
    const token = ensureCalendarToken(serviceDeps(t.deps), 'T0TEST');
    const head = await fetch(`${t.url}/calendar/${token}.ics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await getRaw(`/calendar/${'x'.repeat(43)}.ics`)).status).toBe(404);
  });
});

describe('/peer calendar', () => {
  it('shows the secret feed URL with how to subscribe and a warning; the token is made once', async () => {
    const res = await t.command('calendar', { user: 'U0ALICE' });
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    const token = t.database.db.select().from(workspaces).where(eq(workspaces.teamId, 'T0TEST')).get()!.calendarToken!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.json.text).toContain(`${PUBLIC_URL}/calendar/${token}.ics`);
    expect(res.json.text).toContain('Other calendars');
    expect(res.json.text).toContain('From URL');
    expect(res.json.text).toContain('Subscribe from web');
    expect(res.json.text).toContain('Anyone with this link');

    const again = await t.command('calendar', { user: 'U0ALICE' });
    expect(again.json.text).toContain(`/calendar/${token}.ics`);
    // The URL it shows really serves the feed.
    expect((await getRaw(`/calendar/${token}.ics`)).status).toBe(200);
  });

  it('without PUBLIC_URL, says the admin must set it and that .ics files still come by DM; no token is made', async () => {
    const bare = await startTestApp({ fake: t.fake });
    try {
      const res = await bare.command('calendar', { user: 'U0ALICE' });
      expect(res.json.response_type).toBe('ephemeral');
      expect(res.json.text).toContain('PUBLIC_URL');
      expect(res.json.text).toContain('.ics');
      expect(res.json.text).not.toContain('/calendar/');
      const ws = bare.database.db.select().from(workspaces).where(eq(workspaces.teamId, 'T0TEST')).get();
      expect(ws?.calendarToken).toBeNull();
    } finally {
      await bare.stop();
    }
  });
});

describe('the .ics in a DM', () => {
  it('uploads the session file into the DM with a short comment in the reader zone', async () => {
    createMember(t.database.db, 'T0TEST', 'U0BERLIN', { name: 'Bea', timeZone: 'Europe/Berlin' });
    const s = createSession(t.database.db, { teamId: 'T0TEST', title: 'Pairing <!here>', startsAt: Date.UTC(2026, 2, 10, 13, 0), durationMin: 30 });
    addParticipant(t.database.db, { teamId: 'T0TEST', sessionNumber: s.number, userId: 'U0BERLIN' });

    const result = await sendCalendarInvite(t.deps, { teamId: 'T0TEST', userId: 'U0BERLIN', sessionNumber: s.number, method: 'REQUEST' });
    expect(result.status).toBe('sent');

    const [open] = t.fake.callsTo('conversations.open');
    expect(open?.args.users).toBe('U0BERLIN');
    const [getUrl] = t.fake.callsTo('files.getUploadURLExternal');
    expect(getUrl?.args.filename).toBe(`peerloop-session-${s.number}.ics`);
    const [complete] = t.fake.callsTo('files.completeUploadExternal');
    expect(complete?.args.channel_id).toBe('D0BERLIN');
    expect(complete?.args.initial_comment).toBe("You're in: Pairing &lt;!here&gt;, Tue 10 Mar, 14:00 CET. Add it to your calendar with the attached file.");
    expect(t.fake.uploads).toHaveLength(1);
    const cal = parseIcs(t.fake.uploads[0]!.bytes.toString('utf8'));
    expect(cal.method).toBe('REQUEST');
    expect(cal.events[0]).toMatchObject({ start: Date.UTC(2026, 2, 10, 13, 0), end: Date.UTC(2026, 2, 10, 13, 30) });

    t.fake.reset();
    const cancel = await sendCalendarInvite(t.deps, { teamId: 'T0TEST', userId: 'U0BERLIN', sessionNumber: s.number, method: 'CANCEL' });
    expect(cancel.status).toBe('sent');
    expect(parseIcs(t.fake.uploads[0]!.bytes.toString('utf8'))).toMatchObject({ method: 'CANCEL', events: [{ status: 'CANCELLED' }] });
    expect(t.fake.callsTo('files.completeUploadExternal')[0]?.args.initial_comment).toMatch(/^Cancelled: /);
  });

  it('`/peer join` delivers the .ics to the joiner DM; an opted-out joiner gets none', async () => {
    t.fake.setUser({ id: 'U0JOINER', name: 'jo', tz: 'Asia/Kolkata' });
    createMember(t.database.db, 'T0TEST', 'U0NODM', { optedOut: true });
    const s = createSession(t.database.db, { teamId: 'T0TEST', title: 'Joinable', startsAt: NOW + DAY, durationMin: 20 });

    const res = await t.command(`join ${s.number}`, { user: 'U0JOINER' });
    expect(res.status).toBe(200);
    const [complete] = await t.fake.waitForCalls('files.completeUploadExternal');
    expect(complete!.args.channel_id).toBe('D0JOINER');
    // 2 March 12:00 UTC is 17:30 in Kolkata.
    expect(complete!.args.initial_comment).toContain('Joinable, Mon 2 Mar, 17:30 GMT+5:30');
    const cal = parseIcs(t.fake.uploads[0]!.bytes.toString('utf8'));
    expect(cal.events[0]).toMatchObject({ uid: `session-t0test-${s.number}@peerloop`, start: NOW + DAY, end: NOW + DAY + 20 * 60_000 });

    t.fake.reset();
    await t.command(`join ${s.number}`, { user: 'U0NODM' });
    // The flow ends by refreshing the joiner's Home; by then the calendar step has run.
    await t.fake.waitFor(() => t.fake.callsTo('views.publish').find((c) => c.args.user_id === 'U0NODM'), 'Home refresh for U0NODM');
    expect(t.fake.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    expect(t.fake.uploads).toHaveLength(0);
    expect(t.fake.callsTo('conversations.open').filter((c) => c.args.users === 'U0NODM')).toHaveLength(0);
  });

  it('sends nothing to a person who opted out', async () => {
    createMember(t.database.db, 'T0TEST', 'U0QUIET', { optedOut: true });
    const s = createSession(t.database.db, { teamId: 'T0TEST', startsAt: NOW + DAY });
    const result = await sendCalendarInvite(t.deps, { teamId: 'T0TEST', userId: 'U0QUIET', sessionNumber: s.number, method: 'REQUEST' });
    expect(result).toEqual({ status: 'skipped', reason: 'opted_out' });
    expect(t.fake.calls).toHaveLength(0);
  });

  it('logs and returns a failure instead of throwing when Slack refuses the upload', async () => {
    const s = createSession(t.database.db, { teamId: 'T0TEST', startsAt: NOW + DAY });
    t.fake.script('files.getUploadURLExternal', { error: 'not_allowed_token_type' });
    const result = await sendCalendarInvite(t.deps, { teamId: 'T0TEST', userId: 'U0ALICE', sessionNumber: s.number, method: 'REQUEST' });
    expect(result.status).toBe('failed');
    expect(t.fake.callsTo('files.completeUploadExternal')).toHaveLength(0);
  });

  it('skips a session number that does not exist in that workspace', async () => {
    const s = createSession(t.database.db, { teamId: 'T0OTHER', startsAt: NOW + DAY });
    const result = await sendCalendarInvite(t.deps, { teamId: 'T0FEEDX', userId: 'U0ALICE', sessionNumber: s.number + 1000, method: 'REQUEST' });
    expect(result).toEqual({ status: 'skipped', reason: 'session_not_found' });
    expect(t.fake.calls).toHaveLength(0);
  });
});
