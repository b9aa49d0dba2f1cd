import { describe, expect, it } from 'vitest';
import { memberSkills, polls, pollVotes, skills } from '../../src/db/schema.js';
import { EXPORT_COLUMNS, EXPORT_TABLES, type ExportTable } from '../../src/services/export.js';
import { neutraliseFormula } from '../../src/services/csv.js';
import type { Db } from '../../src/db/client.js';
import { useTestApp } from '../support/use-test-app.js';
import { addParticipant, createMember, createSession, createWorkspace } from '../support/factories.js';
import { parseCsv } from '../support/csv.js';
import { dmChannel } from '../support/fake-slack.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { captureLogs } from '../support/logs.js';

const TEAM = 'T0TEST';
const OTHER = 'T0OTHER';
const ZONE = 'Europe/Berlin';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Sunday 6 December 2026, 16:00 in Berlin.
const NOW = Date.UTC(2026, 11, 6, 15, 0);

const logs = captureLogs('info');
const t = useTestApp({
  logger: logs.logger,
  env: { PEERLOOP_ADMINS: 'U0LISTED' },
  users: [
    { id: 'U0ADMIN', name: 'Ada Admin', tz: ZONE, is_admin: true },
    { id: 'U0MEMBER', tz: ZONE },
  ],
  now: NOW,
  resetFake: true,
  clearData: true,
});

const db = (): Db => t.database.db;

function workspace(teamId = TEAM, timeZone = ZONE): void {
  createWorkspace(db(), teamId, { timeZone });
}

function poll(teamId: string, sessionNumber: number): void {
  db().insert(polls).values({ teamId, sessionNumber, question: 'How useful?', channelId: 'C0GENERAL', messageTs: '1.2', status: 'closed', openedAt: 0, closesAt: 0 }).onConflictDoNothing().run();
}

function vote(teamId: string, sessionNumber: number, userId: string, value: number, comment: string | null, shared: boolean, votedAt = NOW - 20 * DAY): void {
  poll(teamId, sessionNumber);
  db().insert(pollVotes).values({ teamId, sessionNumber, userId, value, comment, commentShared: shared, votedAt }).run();
}

function learned(teamId: string, userId: string, name: string, input: { startedAt: number; completedAt: number; taughtBy?: string; confirmedAt?: number }): void {
  const key = name.toLowerCase();
  db().insert(skills).values({ teamId, key, name, createdBy: userId, createdAt: 0 }).onConflictDoNothing().run();
  db()
    .insert(memberSkills)
    .values({ teamId, userId, skillKey: key, kind: 'learn', startedAt: input.startedAt, addedAt: input.startedAt, completedAt: input.completedAt, taughtBy: input.taughtBy ?? null, taughtConfirmedAt: input.confirmedAt ?? null })
    .run();
}

/** Runs `/peer export <text>` and returns the ack and the outcome posted through response_url (if any). */
async function runExport(text: string, user = 'U0ADMIN', team = TEAM) {
  const before = t.fake.responses.length;
  const res = await t.command(`export ${text}`.trim(), { user, team });
  expect(res.status).toBe(200);
  await t.settled();
  const outcome = t.fake.responses.slice(before).at(-1)?.body as { text: string; response_type: string } | undefined;
  return { ack: res.json as { text: string; response_type: string } | undefined, outcome };
}

/** The files uploaded by the export, parsed, keyed by table. */
function uploadedFiles(): Record<ExportTable, ReturnType<typeof parseCsv> & { raw: string }> {
  const out = {} as Record<ExportTable, ReturnType<typeof parseCsv> & { raw: string }>;
  for (const upload of t.fake.uploads) {
    const table = EXPORT_TABLES.find((name) => upload.filename?.startsWith(`peerloop-${name}-`));
    if (table === undefined) throw new Error(`unexpected upload ${upload.filename}`);
    const raw = upload.bytes.toString('utf8');
    out[table] = { ...parseCsv(raw), raw };
  }
  return out;
}

function allUploadedText(): string {
  return t.fake.uploads.map((u) => u.bytes.toString('utf8')).join('\n');
}

/** A full month of T0TEST plus a look-alike workspace whose rows must never show. */
function seedNovember(): void {
  workspace();
  createMember(db(), TEAM, 'U0HOST', { name: 'Hana Host' });
  createMember(db(), TEAM, 'U0ANNA', { name: 'Anna' });
  createMember(db(), TEAM, 'U0BOB', { name: 'Bob' });
  // Just before the range: 23:30 on 31 October in Berlin.
  createSession(db(), { teamId: TEAM, number: 1, title: 'Too early', startsAt: Date.UTC(2026, 9, 31, 22, 30) });
  // Midnight, 1 November in Berlin: the first instant of the range.
  createSession(db(), { teamId: TEAM, number: 2, title: 'Midnight kickoff', startsAt: Date.UTC(2026, 9, 31, 23, 0), durationMin: 45 });
  const clinic = createSession(db(), {
    teamId: TEAM,
    number: 3,
    title: 'Regex clinic',
    format: 'problem-clinic',
    topic: 'Lookarounds',
    agenda: 'Bring a pattern, line one\nline two, with "quotes"',
    hostId: 'U0HOST',
    startsAt: Date.UTC(2026, 10, 10, 9, 0),
    durationMin: 40,
    capacity: 2,
    channelId: 'C0CLINIC',
    status: 'cancelled',
    cancelReason: 'Host is ill',
    link: 'https://example.com/recording',
  });
  addParticipant(db(), { teamId: TEAM, sessionNumber: clinic.number, userId: 'U0ANNA', joinedAt: Date.UTC(2026, 10, 2, 8, 15), attended: 'yes' });
  addParticipant(db(), { teamId: TEAM, sessionNumber: clinic.number, userId: 'U0BOB', joinedAt: Date.UTC(2026, 10, 3, 8, 15), attended: 'no' });
  addParticipant(db(), { teamId: TEAM, sessionNumber: clinic.number, userId: 'U0CARL', joinedAt: Date.UTC(2026, 10, 4, 8, 15), waitlisted: true });
  addParticipant(db(), { teamId: TEAM, sessionNumber: clinic.number, userId: 'U0DORA', joinedAt: Date.UTC(2026, 10, 4, 9, 0), leftAt: Date.UTC(2026, 10, 5, 9, 0) });
  vote(TEAM, clinic.number, 'U0ANNA', 5, 'Shared: loved the live examples', true, Date.UTC(2026, 10, 10, 10, 0));
  vote(TEAM, clinic.number, 'U0BOB', 2, 'UNSHARED private remark', false);
  vote(TEAM, clinic.number, 'U0CARL', 4, null, false);
  // Sessions with fewer than three votes keep an anonymous rating to themselves.
  vote(TEAM, 2, 'U0BOB', 1, 'UNSHARED tiny session', false);
  // 23:59 on 6 December in Berlin: the last minute of the range (later today, so upcoming).
  createSession(db(), { teamId: TEAM, number: 4, title: 'Late night', startsAt: Date.UTC(2026, 11, 6, 22, 59) });
  // Midnight, 7 December in Berlin: the day after the range.
  createSession(db(), { teamId: TEAM, number: 5, title: 'Too late', startsAt: Date.UTC(2026, 11, 6, 23, 0) });

  learned(TEAM, 'U0ANNA', 'Terraform', { startedAt: Date.UTC(2026, 9, 1, 10), completedAt: Date.UTC(2026, 10, 15, 10), taughtBy: 'U0HOST', confirmedAt: Date.UTC(2026, 10, 16) });
  learned(TEAM, 'U0BOB', 'SQL', { startedAt: Date.UTC(2026, 8, 1), completedAt: Date.UTC(2026, 9, 20) });
  // 23:30 on 6 December in Berlin is still in the range; the teacher never used Peerloop (no name).
  learned(TEAM, 'U0ANNA', 'Kotlin', { startedAt: Date.UTC(2026, 11, 6, 9), completedAt: Date.UTC(2026, 11, 6, 22, 30), taughtBy: 'U0DAVE' });

  // Another workspace with the same session numbers and people.
  workspace(OTHER);
  createMember(db(), OTHER, 'U0ANNA', { name: 'OTHER-TEAM Anna' });
  for (const number of [2, 3]) {
    createSession(db(), { teamId: OTHER, number, title: `OTHER-TEAM session ${number}`, topic: 'OTHER-TEAM topic', startsAt: Date.UTC(2026, 10, 10, 9, 0) });
    addParticipant(db(), { teamId: OTHER, sessionNumber: number, userId: 'U0ANNA' });
    vote(OTHER, number, 'U0ANNA', 3, 'OTHER-TEAM comment', true);
  }
  learned(OTHER, 'U0ANNA', 'OTHER-TEAM skill', { startedAt: Date.UTC(2026, 10, 1), completedAt: Date.UTC(2026, 10, 20) });
}

describe('/peer export by an admin', () => {
  it("sends four CSV files to the admin's DM in one message, with the rows of the range and nothing else", async () => {
    seedNovember();
    const { ack, outcome } = await runExport('2026-11-01 2026-12-06');
    expect(ack).toMatchObject({ response_type: 'ephemeral' });
    expect(ack!.text).toContain('Preparing your export for Nov 1 – Dec 6, 2026');
    expect(outcome!.text).toBe('Your export (Nov 1 – Dec 6, 2026, 3 sessions) is in your DM with me.');
    assertBlockKitLimits('message', outcome as never);

    // One message with the four files, in the admin's DM.
    const [complete, ...more] = t.fake.callsTo('files.completeUploadExternal');
    expect(more).toHaveLength(0);
    expect(complete!.args.channel_id).toBe(dmChannel('U0ADMIN'));
    expect(complete!.args.initial_comment).toContain('3 sessions, 7 attendance rows, 4 votes and 2 skills learned');
    expect(complete!.args.initial_comment).toContain(ZONE);
    expect((complete!.args.files as { title: string }[]).map((f) => f.title)).toEqual(['Sessions, Nov 1 – Dec 6, 2026', 'Attendance, Nov 1 – Dec 6, 2026', 'Votes, Nov 1 – Dec 6, 2026', 'Skills learned, Nov 1 – Dec 6, 2026']);
    expect(t.fake.uploads.map((u) => u.filename).sort()).toEqual(EXPORT_TABLES.map((name) => `peerloop-${name}-2026-11-01-to-2026-12-06.csv`).sort());

    const files = uploadedFiles();
    for (const table of EXPORT_TABLES) {
      expect(files[table].raw.startsWith('\ufeff')).toBe(true);
      expect(files[table].header).toEqual(EXPORT_COLUMNS[table]);
    }

    expect(files.sessions.rows.map((r) => r.session)).toEqual(['2', '3', '4']);
    expect(files.sessions.rows[0]).toMatchObject({ title: 'Midnight kickoff', start_local: '2026-11-01 00:00', start_utc: '2026-10-31T23:00:00Z', time_zone: ZONE, duration_min: '45', status: 'ended', capacity: '', seated: '0', waitlisted: '0' });
    expect(files.sessions.rows[1]).toEqual({
      session: '3',
      title: 'Regex clinic',
      format: 'Problem clinic',
      topic: 'Lookarounds',
      agenda: 'Bring a pattern, line one\nline two, with "quotes"',
      link: 'https://example.com/recording',
      host_id: 'U0HOST',
      host_name: 'Hana Host',
      start_local: '2026-11-10 10:00',
      start_utc: '2026-11-10T09:00:00Z',
      time_zone: ZONE,
      duration_min: '40',
      channel_id: 'C0CLINIC',
      status: 'cancelled',
      cancel_reason: 'Host is ill',
      capacity: '2',
      seated: '2',
      waitlisted: '1',
    });
    expect(files.sessions.rows[2]).toMatchObject({ title: 'Late night', start_local: '2026-12-06 23:59', status: 'upcoming' });

    expect(files.attendance.rows.filter((r) => r.session === '3')).toEqual([
      { session: '3', session_title: 'Regex clinic', user_id: 'U0HOST', name: 'Hana Host', role: 'host', joined_local: '1970-01-01 01:00', left_local: '', waitlisted: 'no', attended: 'unknown' },
      { session: '3', session_title: 'Regex clinic', user_id: 'U0ANNA', name: 'Anna', role: 'attendee', joined_local: '2026-11-02 09:15', left_local: '', waitlisted: 'no', attended: 'yes' },
      { session: '3', session_title: 'Regex clinic', user_id: 'U0BOB', name: 'Bob', role: 'attendee', joined_local: '2026-11-03 09:15', left_local: '', waitlisted: 'no', attended: 'no' },
      { session: '3', session_title: 'Regex clinic', user_id: 'U0CARL', name: '', role: 'attendee', joined_local: '2026-11-04 09:15', left_local: '', waitlisted: 'yes', attended: 'unknown' },
      { session: '3', session_title: 'Regex clinic', user_id: 'U0DORA', name: '', role: 'attendee', joined_local: '2026-11-04 10:00', left_local: '2026-11-05 10:00', waitlisted: 'no', attended: 'unknown' },
    ]);

    // A shared vote carries its author and comment; the others only their rating, and only from three votes.
    expect(files.votes.rows).toEqual([
      { session: '2', session_title: 'Midnight kickoff', user_id: '', name: '', rating: '', voted_local: '', comment: '' },
      { session: '3', session_title: 'Regex clinic', user_id: 'U0ANNA', name: 'Anna', rating: '5', voted_local: '2026-11-10 11:00', comment: 'Shared: loved the live examples' },
      { session: '3', session_title: 'Regex clinic', user_id: '', name: '', rating: '2', voted_local: '', comment: '' },
      { session: '3', session_title: 'Regex clinic', user_id: '', name: '', rating: '4', voted_local: '', comment: '' },
    ]);
    expect(allUploadedText()).not.toContain('UNSHARED');

    expect(files.competencies.rows).toEqual([
      { user_id: 'U0ANNA', name: 'Anna', skill: 'Terraform', started_local: '2026-10-01', completed_local: '2026-11-15', days: '45', taught_by_id: 'U0HOST', taught_by_name: 'Hana Host', teacher_confirmed: 'yes' },
      { user_id: 'U0ANNA', name: 'Anna', skill: 'Kotlin', started_local: '2026-12-06', completed_local: '2026-12-06', days: '0', taught_by_id: 'U0DAVE', taught_by_name: '', teacher_confirmed: 'no' },
    ]);

    // Nothing of the other workspace, nor of the days outside the range.
    expect(allUploadedText()).not.toContain('OTHER-TEAM');
    expect(allUploadedText()).not.toContain('Too early');
    expect(allUploadedText()).not.toContain('Too late');
    expect(allUploadedText()).not.toContain('SQL');
  });

  it("another workspace's admin gets only their own workspace's rows", async () => {
    seedNovember();
    const { outcome } = await runExport('2026-11-01 2026-12-06', 'U0LISTED', OTHER);
    expect(outcome!.text).toContain('2 sessions');
    const files = uploadedFiles();
    expect(files.sessions.rows.map((r) => r.title)).toEqual(['OTHER-TEAM session 2', 'OTHER-TEAM session 3']);
    expect(files.votes.rows.map((r) => r.comment)).toEqual(['OTHER-TEAM comment', 'OTHER-TEAM comment']);
    expect(files.competencies.rows.map((r) => r.skill)).toEqual(['OTHER-TEAM skill']);
    for (const text of ['Regex clinic', 'Midnight kickoff', 'Hana Host', 'Terraform', 'Shared: loved']) expect(allUploadedText()).not.toContain(text);
  });

  it('with no dates covers the 90 days before today and today; with one date, from it to today', async () => {
    seedNovember();
    const none = await runExport('');
    expect(none.outcome!.text).toBe('Your export (Sep 7 – Dec 6, 2026, 4 sessions) is in your DM with me.');
    t.fake.reset();
    const one = await runExport('2026-11-10');
    expect(one.outcome!.text).toBe('Your export (Nov 10 – Dec 6, 2026, 2 sessions) is in your DM with me.');
    expect(t.fake.uploads[0]!.filename).toMatch(/-2026-11-10-to-2026-12-06\.csv$/);
  });

  it.each([
    ['2026/11/01 2026/12/06', 'Nov 1 – Dec 6, 2026'],
    ['2026-11-1 to 2026-12-6', 'Nov 1 – Dec 6, 2026'],
    ['20261101..20261206', 'Nov 1 – Dec 6, 2026'],
    ['2026.11.01 – 2026.12.06', 'Nov 1 – Dec 6, 2026'],
    ['2025-12-07 2026-12-06', 'Dec 7, 2025 – Dec 6, 2026'],
    ['2026-11-10 2026-11-10', 'Nov 10, 2026'],
  ])('reads %j as %s', async (text, label) => {
    seedNovember();
    const { outcome } = await runExport(text);
    expect(outcome!.text).toContain(`Your export (${label},`);
  });

  it('sends the files to an admin who turned DMs off: they asked for them', async () => {
    seedNovember();
    createMember(db(), TEAM, 'U0ADMIN', { optedOut: true, isSlackAdmin: true, profileFetchedAt: NOW, timeZone: ZONE });
    const { outcome } = await runExport('2026-11-01 2026-12-06');
    expect(outcome!.text).toContain('is in your DM with me');
    expect(t.fake.callsTo('files.completeUploadExternal')[0]!.args.channel_id).toBe(dmChannel('U0ADMIN'));
  });

  it('accepts a range of exactly two years', async () => {
    seedNovember();
    const { outcome } = await runExport('2024-12-06 2026-12-06');
    expect(outcome!.text).toBe('Your export (Dec 6, 2024 – Dec 6, 2026, 4 sessions) is in your DM with me.');
  });

  it('says so when the range holds nothing, and sends no file', async () => {
    seedNovember();
    const { outcome } = await runExport('2026-01-01 2026-06-30');
    expect(outcome!.text).toContain('Nothing to export for Jan 1 – Jun 30, 2026');
    expect(t.fake.callsTo('files.getUploadURLExternal')).toHaveLength(0);
    expect(t.fake.uploads).toHaveLength(0);
    // With no dates, it says how to ask for another range.
    t.clearData();
    workspace();
    const none = await runExport('');
    expect(none.outcome!.text).toContain('last 90 days');
    expect(none.outcome!.text).toContain('/peer export 2026-01-01 2026-06-30');
  });

  it('sends learned skills even when no session is in the range', async () => {
    workspace();
    learned(TEAM, 'U0ANNA', 'Go', { startedAt: Date.UTC(2026, 9, 1), completedAt: Date.UTC(2026, 10, 20) });
    const { outcome } = await runExport('2026-11-01 2026-11-30');
    expect(outcome!.text).toContain('0 sessions');
    const files = uploadedFiles();
    expect(files.sessions.rows).toEqual([]);
    expect(files.sessions.header).toEqual(EXPORT_COLUMNS.sessions);
    expect(files.competencies.rows.map((r) => r.skill)).toEqual(['Go']);
  });

  it("tells the admin when Slack refuses the upload, and logs it", async () => {
    seedNovember();
    t.fake.script('files.completeUploadExternal', { error: 'invalid_channel' });
    const { outcome } = await runExport('2026-11-01 2026-12-06');
    expect(outcome!.text).toContain("I couldn't send your export to our DM (Slack said `invalid_channel`)");
    expect(logs.matching('export not sent').at(-1)).toMatchObject({ teamId: TEAM, userId: 'U0ADMIN', code: 'invalid_channel' });
    t.fake.script('files.getUploadURLExternal', { error: 'missing_scope' });
    const scope = await runExport('2026-11-01 2026-12-06');
    expect(scope.outcome!.text).toContain('files:write');
  });
});

describe('text that looks like a formula', () => {
  // Every character a spreadsheet may start a formula with, plus a space before one and the full-width "=" Numbers folds.
  const STARTS = ['=', '+', '-', '@', '\t', '\r', ' =', '\uff1d'];

  it('never starts a cell as typed: titles, topics, agendas, cancel reasons, comments, skill names and people names get an apostrophe', async () => {
    workspace();
    STARTS.forEach((start, i) => {
      const number = i + 1;
      const typed = (what: string) => `${start}${what}${number}`;
      createMember(db(), TEAM, `U0P${number}`, { name: typed('HYPERLINK("http://evil.example","name")') });
      createSession(db(), {
        teamId: TEAM,
        number,
        title: typed('1+1 title'),
        topic: typed('SUM(A1:A9) topic'),
        agenda: typed('cmd|"/C calc"!A0 agenda'),
        cancelReason: typed('2+3 reason'),
        status: 'cancelled',
        hostId: `U0P${number}`,
        startsAt: Date.UTC(2026, 10, 2, 9) + i * HOUR,
      });
      addParticipant(db(), { teamId: TEAM, sessionNumber: number, userId: 'U0VOTER' });
      vote(TEAM, number, 'U0VOTER', 3, typed('IMPORTXML(x) comment'), true);
      learned(TEAM, `U0P${number}`, typed('skill'), { startedAt: Date.UTC(2026, 10, 1), completedAt: Date.UTC(2026, 10, 5) + i * HOUR });
    });
    await runExport('2026-11-01 2026-11-30');
    const files = uploadedFiles();
    STARTS.forEach((start, i) => {
      const number = i + 1;
      const safe = (what: string) => `'${start}${what}${number}`;
      const session = files.sessions.rows.find((r) => r.session === String(number))!;
      expect(session).toMatchObject({ title: safe('1+1 title'), topic: safe('SUM(A1:A9) topic'), agenda: safe('cmd|"/C calc"!A0 agenda'), cancel_reason: safe('2+3 reason'), host_name: safe('HYPERLINK("http://evil.example","name")') });
      expect(files.attendance.rows.find((r) => r.session === String(number) && r.role === 'host')).toMatchObject({ session_title: safe('1+1 title'), name: safe('HYPERLINK("http://evil.example","name")') });
      expect(files.votes.rows.find((r) => r.session === String(number))).toMatchObject({ session_title: safe('1+1 title'), comment: safe('IMPORTXML(x) comment') });
      expect(files.competencies.rows[i]).toMatchObject({ skill: safe('skill'), name: safe('HYPERLINK("http://evil.example","name")') });
    });
    // No cell anywhere starts like a formula.
    for (const table of EXPORT_TABLES) {
      for (const row of files[table].cells) for (const cell of row) expect(neutraliseFormula(cell) === cell || cell.startsWith("'")).toBe(true);
    }
  });
});

describe('a session across a daylight saving change', () => {
  it('shows each start in the local time of its own instant (Berlin leaves summer time on 25 October 2026)', async () => {
    workspace();
    // 11:00 CEST the day before; 02:30 CEST (the first 02:30); 02:30 CET (the second 02:30); 10:00 CET the day after.
    const starts = [Date.UTC(2026, 9, 24, 9, 0), Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 9, 25, 1, 30), Date.UTC(2026, 9, 26, 9, 0)];
    starts.forEach((startsAt, i) => createSession(db(), { teamId: TEAM, number: i + 1, startsAt, durationMin: 120 }));
    await runExport('2026-10-24 2026-10-26');
    const rows = uploadedFiles().sessions.rows;
    expect(rows.map((r) => [r.start_local, r.start_utc])).toEqual([
      ['2026-10-24 11:00', '2026-10-24T09:00:00Z'],
      ['2026-10-25 02:30', '2026-10-25T00:30:00Z'],
      ['2026-10-25 02:30', '2026-10-25T01:30:00Z'],
      ['2026-10-26 10:00', '2026-10-26T09:00:00Z'],
    ]);
  });

  it('counts a local day that is 23 hours long whole (Berlin enters summer time on 29 March 2026)', async () => {
    workspace();
    createSession(db(), { teamId: TEAM, number: 1, startsAt: Date.UTC(2026, 2, 28, 23, 0) }); // 00:00 CET, 29 March
    createSession(db(), { teamId: TEAM, number: 2, startsAt: Date.UTC(2026, 2, 29, 21, 59) }); // 23:59 CEST, 29 March
    createSession(db(), { teamId: TEAM, number: 3, startsAt: Date.UTC(2026, 2, 29, 22, 0) }); // 00:00 CEST, 30 March
    const { outcome } = await runExport('2026-03-29 2026-03-29');
    expect(outcome!.text).toContain('Mar 29, 2026, 2 sessions');
    expect(uploadedFiles().sessions.rows.map((r) => r.start_local)).toEqual(['2026-03-29 00:00', '2026-03-29 23:59']);
  });
});

describe('refusals', () => {
  const nothingSent = () => {
    expect(t.fake.calls.filter((c) => c.method.startsWith('files.'))).toHaveLength(0);
    expect(t.fake.uploads).toHaveLength(0);
  };

  it('refuses someone who is not an admin with a short note, and builds and sends nothing', async () => {
    seedNovember();
    const { ack, outcome } = await runExport('2026-11-01 2026-12-06', 'U0MEMBER');
    expect(ack).toMatchObject({ response_type: 'ephemeral' });
    expect(ack!.text).toContain('Exports are for Slack admins and owners');
    expect(outcome).toBeUndefined();
    nothingSent();
    expect(t.fake.callsTo('conversations.open')).toHaveLength(0);
  });

  it('asks an admin whose rights Slack has not confirmed yet to try again, instead of refusing them', async () => {
    seedNovember();
    t.fake.setUser({ id: 'U0BOSS', tz: ZONE, is_admin: true });
    // The first users.info outlasts the quick lookup before the ack; the patient one after it answers.
    t.fake.script('users.info', { delayMs: 1_500 });
    const first = await runExport('2026-11-01 2026-12-06', 'U0BOSS');
    expect(first.ack!.text).toContain("couldn't check your admin rights");
    expect(first.ack!.text).toContain('/peer export');
    nothingSent();
    const again = await runExport('2026-11-01 2026-12-06', 'U0BOSS');
    expect(again.outcome!.text).toContain('is in your DM with me');
  });

  it.each([
    ['yesterday', '`yesterday` is not a date I can read. Write dates year first, like 2026-11-01.'],
    ['2026-02-30', '`2026-02-30` is not a real date: February 2026 has 28 days.'],
    ['2028-02-30', '`2028-02-30` is not a real date: February 2028 has 29 days.'],
    ['2026-13-01', '`2026-13-01` is not a real date: there is no month 13.'],
    ['2026-00-10', '`2026-00-10` is not a real date: there is no month 0.'],
    ['01/11/2026', '`01/11/2026` could be read two ways. Write dates year first, like 2026-11-01.'],
    ['2026-11-01T10:00', '`2026-11-01T10:00` has a time in it. Give just the date, like 2026-11-01.'],
    ['1969-12-31', 'Peerloop has nothing from before 1970'],
    ['2026-11-01 2026-11-15 2026-11-30', 'An export takes at most two dates'],
    ['<!channel>', '`&lt;!channel&gt;` is not a date I can read.'],
  ])('refuses %j, naming what was typed', async (text, message) => {
    seedNovember();
    const { ack, outcome } = await runExport(text);
    expect(ack!.response_type).toBe('ephemeral');
    expect(ack!.text).toContain(message);
    expect(ack!.text).toContain('Usage: `/peer export [from] [to]`');
    expect(outcome).toBeUndefined();
    nothingSent();
  });

  it('refuses an end before the start', async () => {
    seedNovember();
    const { ack } = await runExport('2026-12-06 2026-11-01');
    expect(ack!.text).toContain('The end date (2026-11-01) is before the start date (2026-12-06). Put the earlier date first: `/peer export 2026-11-01 2026-12-06`.');
    nothingSent();
  });

  it('refuses a range over two years, typed or reached by leaving out the end', async () => {
    seedNovember();
    const typed = await runExport('2024-12-05 2026-12-06');
    expect(typed.ack!.text).toContain('2024-12-05 to 2026-12-06 is more than 2 years; one export covers up to 2 years (from 2024-12-05, up to 2026-12-05)');
    const open = await runExport('2020-01-01');
    expect(open.ack!.text).toContain('more than 2 years');
    expect(open.ack!.text).toContain('Add an end date: `/peer export 2020-01-01 2022-01-01`.');
    nothingSent();
  });

  it("refuses a start after today (in the workspace's zone)", async () => {
    seedNovember();
    // 23:30 on 6 December in UTC is already 7 December in Berlin: the 7th is today there.
    t.clock.set(Date.UTC(2026, 11, 6, 23, 30));
    const tomorrow = await runExport('2026-12-08');
    expect(tomorrow.ack!.text).toBe('2026-12-08 is after today (2026-12-07 in Europe/Berlin), so there is nothing to export from it yet.');
    nothingSent();
    const today = await runExport('2026-12-07');
    expect(today.outcome!.text).toContain('Your export (Dec 7, 2026, 1 session)');
  });
});
