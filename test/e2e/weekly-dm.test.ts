import { and, eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { rescheduleWeeklyDms } from '../../src/services/weekly.js';
import { serviceDeps } from '../../src/deps.js';
import { SessionActions } from '../../src/slack/ids.js';
import { useTestApp } from '../support/use-test-app.js';
import { assertBlockKitLimits } from '../support/block-kit.js';
import { addParticipant, createMember, createSession, createWorkspace } from '../support/factories.js';

const TEAM = 'T0TEST';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const t = useTestApp({ resetFake: true, clearData: true });

const weeklyJobs = () =>
  t.database.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.teamId, TEAM), like(jobs.key, 'weekly:%')))
    .all();
const weeklyJob = (user: string, week: string) => weeklyJobs().find((j) => j.key === `weekly:${user}:${week}`);
const reason = (row: { result: string | null } | undefined) => (row?.result == null ? undefined : (JSON.parse(row.result) as { reason?: string }).reason);
const dmText = (call: { args: Record<string, unknown> }) => JSON.stringify(call.args.blocks);

/**
 * A workspace in UTC with: a past session (so everyone below is an active member), one full
 * session in the week of 2026-11-02 that U0NY and U0IN are in, and U0NONE who is active but
 * has nothing to show that week (their only candidate is full).
 */
function setupWeekOfDstChange() {
  createWorkspace(t.database.db, TEAM, { timeZone: 'UTC' });
  createMember(t.database.db, TEAM, 'U0NY', { timeZone: 'America/New_York' });
  createMember(t.database.db, TEAM, 'U0IN', { timeZone: 'Asia/Kolkata' });
  createMember(t.database.db, TEAM, 'U0NONE', { timeZone: 'UTC' });
  createMember(t.database.db, TEAM, 'U0HOST', { timeZone: 'UTC' });
  const past = createSession(t.database.db, { teamId: TEAM, title: 'Old one', topic: 'SQL', startsAt: Date.UTC(2026, 9, 20, 15, 0) });
  for (const u of ['U0NY', 'U0IN', 'U0NONE']) addParticipant(t.database.db, { teamId: TEAM, sessionNumber: past.number, userId: u, joinedAt: Date.UTC(2026, 9, 19) });
  const full = createSession(t.database.db, { teamId: TEAM, title: 'Window functions', topic: 'SQL', startsAt: Date.UTC(2026, 10, 4, 15, 0), capacity: 2 });
  for (const u of ['U0NY', 'U0IN']) addParticipant(t.database.db, { teamId: TEAM, sessionNumber: full.number, userId: u, joinedAt: Date.UTC(2026, 9, 25) });
  return { full: full.number };
}

describe('the weekly "your week" DM', () => {
  it('goes out at 09:00 local in New York during the week the clocks go back, and in Kolkata; nothing for someone with nothing to show', async () => {
    const { full } = setupWeekOfDstChange();
    t.clock.set(Date.UTC(2026, 9, 30, 12, 0)); // Friday 30 Oct
    await t.tick();
    // Monday 2 Nov 09:00 EST (the Sunday before, New York left daylight time) = 14:00 UTC; a week earlier it was 13:00 UTC.
    expect(weeklyJob('U0NY', '2026-W45')?.runAt).toBe(Date.UTC(2026, 10, 2, 14, 0));
    expect(weeklyJob('U0IN', '2026-W45')?.runAt).toBe(Date.UTC(2026, 10, 2, 3, 30));
    expect(weeklyJob('U0NONE', '2026-W45')?.runAt).toBe(Date.UTC(2026, 10, 2, 9, 0));

    t.clock.set(Date.UTC(2026, 10, 2, 3, 29));
    await t.tick();
    expect(t.fake.dmsTo('U0IN')).toHaveLength(0);
    t.clock.set(Date.UTC(2026, 10, 2, 3, 30));
    await t.tick();
    expect(t.fake.dmsTo('U0IN')).toHaveLength(1);
    const kolkata = dmText(t.fake.dmsTo('U0IN')[0]!);
    expect(kolkata).toContain(`#${full} Window functions`);
    expect(kolkata).toContain('Wed 4 Nov, 20:30 GMT+5:30');
    expect(kolkata).toContain('Asia/Kolkata');

    t.clock.set(Date.UTC(2026, 10, 2, 9, 0));
    await t.tick();
    expect(weeklyJob('U0NONE', '2026-W45')).toMatchObject({ status: 'skipped' });
    expect(reason(weeklyJob('U0NONE', '2026-W45'))).toBe('nothing_to_show');
    expect(t.fake.dmsTo('U0NONE')).toHaveLength(0);

    t.clock.set(Date.UTC(2026, 10, 2, 13, 59));
    await t.tick();
    expect(t.fake.dmsTo('U0NY')).toHaveLength(0);
    t.clock.set(Date.UTC(2026, 10, 2, 14, 0));
    await t.tick();
    expect(t.fake.dmsTo('U0NY')).toHaveLength(1);
    assertBlockKitLimits('message', { text: t.fake.dmsTo('U0NY')[0]!.args.text, blocks: t.fake.dmsTo('U0NY')[0]!.args.blocks });
    const newYork = dmText(t.fake.dmsTo('U0NY')[0]!);
    expect(newYork).toContain('Wed 4 Nov, 10:00 EST');
    expect(newYork).toContain('America/New_York');
    expect(weeklyJob('U0NY', '2026-W45')?.status).toBe('done');

    // A minute later the next week's job is planned; this week gets nothing more.
    t.clock.set(Date.UTC(2026, 10, 2, 14, 1));
    await t.tick();
    expect(t.fake.dmsTo('U0NY')).toHaveLength(1);
    expect(weeklyJob('U0NY', '2026-W46')).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 10, 9, 14, 0) });
  });

  it('suggests up to three open sessions, preferring topics and formats the person attended, never full ones or their own', async () => {
    createWorkspace(t.database.db, TEAM, { timeZone: 'UTC' });
    createMember(t.database.db, TEAM, 'U0ANNA', { timeZone: 'Europe/Berlin' });
    const past = createSession(t.database.db, { teamId: TEAM, topic: 'Kubernetes', format: 'problem-clinic', startsAt: Date.UTC(2026, 10, 1, 10, 0) });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: past.number, userId: 'U0ANNA', attended: 'yes' });
    const at = (day: number) => Date.UTC(2026, 10, day, 12, 0);
    const early = createSession(t.database.db, { teamId: TEAM, title: 'Early unrelated', topic: 'Design', format: 'lunch-and-learn', startsAt: at(10) });
    const topic = createSession(t.database.db, { teamId: TEAM, title: 'Same topic', topic: 'kubernetes', format: 'micro-lesson', startsAt: at(13) });
    const format = createSession(t.database.db, { teamId: TEAM, title: 'Same format', topic: 'Go', format: 'problem-clinic', startsAt: at(12) });
    createSession(t.database.db, { teamId: TEAM, title: 'Late unrelated', topic: 'Figma', format: 'lunch-and-learn', startsAt: at(14) });
    const fullOne = createSession(t.database.db, { teamId: TEAM, title: 'Full one', topic: 'Kubernetes', format: 'problem-clinic', startsAt: at(11), capacity: 1 });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: fullOne.number, userId: 'U0BOB' });
    const hosted = createSession(t.database.db, { teamId: TEAM, title: 'Mine to host', topic: 'Kubernetes', hostId: 'U0ANNA', startsAt: at(11) });

    t.clock.set(Date.UTC(2026, 10, 8, 12, 0)); // Sunday
    await t.tick();
    t.clock.set(Date.UTC(2026, 10, 9, 8, 0)); // Monday 09:00 in Berlin
    await t.tick();
    const [dm] = t.fake.dmsTo('U0ANNA');
    expect(dm).toBeDefined();
    const blocks = dm!.args.blocks as { block_id?: string; accessory?: { action_id: string; value: string } }[];
    const suggested = blocks.filter((b) => b.block_id?.startsWith('weekly_open_')).map((b) => Number(b.block_id!.slice('weekly_open_'.length)));
    expect(suggested).toEqual([topic.number, format.number, early.number]);
    expect(blocks.find((b) => b.block_id === `weekly_open_${topic.number}`)?.accessory).toMatchObject({ action_id: SessionActions.join, value: String(topic.number) });
    const mine = blocks.filter((b) => b.block_id?.startsWith('weekly_mine_')).map((b) => b.block_id);
    expect(mine).toEqual([`weekly_mine_${hosted.number}`]);
    expect(dmText(dm!)).toContain('Wed 11 Nov, 13:00 CET');
  });

  it('is sent late after downtime, until the next one is due; after that it is skipped as too late', async () => {
    const { full } = setupWeekOfDstChange();
    t.clock.set(Date.UTC(2026, 9, 30, 12, 0));
    await t.tick();
    // Down from Friday until Monday 17:00 UTC (12:00 in New York): the 09:00 DMs are sent on start-up.
    t.clock.set(Date.UTC(2026, 10, 2, 17, 0));
    await t.tick();
    expect(t.fake.dmsTo('U0NY')).toHaveLength(1);
    expect(dmText(t.fake.dmsTo('U0NY')[0]!)).toContain(`#${full} Window functions`);
    expect(weeklyJob('U0NY', '2026-W45')?.status).toBe('done');

    // Down for more than a week: the stale week's DM is skipped; the week in progress (its DM was
    // due at 09:00, the next one is not) still gets its DM, late; the next one is planned.
    const ahead = createSession(t.database.db, { teamId: TEAM, title: 'Query plans', startsAt: Date.UTC(2026, 10, 18, 15, 0) });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: ahead.number, userId: 'U0NY', joinedAt: Date.UTC(2026, 10, 3) });
    t.fake.reset();
    t.clock.set(Date.UTC(2026, 10, 16, 15, 0)); // past Monday 16 Nov 09:00 in New York
    await t.tick();
    expect(weeklyJob('U0NY', '2026-W46')?.status).toBe('skipped');
    expect(reason(weeklyJob('U0NY', '2026-W46'))).toBe('too_late');
    expect(t.fake.dmsTo('U0NY')).toHaveLength(1);
    expect(dmText(t.fake.dmsTo('U0NY')[0]!)).toContain(`#${ahead.number} Query plans`);
    expect(weeklyJob('U0NY', '2026-W47')?.status).toBe('done');
    expect(weeklyJob('U0NY', '2026-W48')).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 10, 23, 14, 0) });
  });

  it('after downtime across two due times, skips the stale week and sends the week in progress once', async () => {
    setupWeekOfDstChange();
    const ahead = createSession(t.database.db, { teamId: TEAM, title: 'Indexes', startsAt: Date.UTC(2026, 10, 12, 15, 0) });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: ahead.number, userId: 'U0NY', joinedAt: Date.UTC(2026, 9, 30) });
    t.clock.set(Date.UTC(2026, 9, 30, 12, 0)); // Friday 30 Oct: the week of 2 Nov is planned
    await t.tick();
    expect(weeklyJob('U0NY', '2026-W45')?.status).toBe('pending');

    // Down from Sunday 1 Nov until Tuesday 10 Nov: the DMs of 2 Nov and 9 Nov were both due meanwhile.
    t.clock.set(Date.UTC(2026, 10, 10, 15, 0));
    await t.tick();
    expect(weeklyJob('U0NY', '2026-W45')?.status).toBe('skipped');
    expect(reason(weeklyJob('U0NY', '2026-W45'))).toBe('too_late');
    expect(weeklyJob('U0NY', '2026-W46')?.status).toBe('done');
    expect(t.fake.dmsTo('U0NY')).toHaveLength(1);
    expect(dmText(t.fake.dmsTo('U0NY')[0]!)).toContain(`#${ahead.number} Indexes`);
    expect(weeklyJob('U0NY', '2026-W47')).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 10, 16, 14, 0) });

    // Once: later ticks in the same week send nothing more.
    t.clock.set(Date.UTC(2026, 10, 10, 15, 1));
    await t.tick();
    t.clock.set(Date.UTC(2026, 10, 13, 9, 0));
    await t.tick();
    expect(t.fake.dmsTo('U0NY')).toHaveLength(1);
    expect(weeklyJobs().filter((j) => j.key.startsWith('weekly:U0NY:')).map((j) => j.key).sort()).toEqual(['weekly:U0NY:2026-W45', 'weekly:U0NY:2026-W46', 'weekly:U0NY:2026-W47']);
  });

  it('follows a change of day and hour, and sends nothing to inactive members', async () => {
    setupWeekOfDstChange();
    createMember(t.database.db, TEAM, 'U0IDLE', { timeZone: 'UTC' });
    const old = createSession(t.database.db, { teamId: TEAM, startsAt: Date.UTC(2026, 5, 1, 10, 0) });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: old.number, userId: 'U0IDLE', joinedAt: Date.UTC(2026, 4, 1) });
    t.clock.set(Date.UTC(2026, 9, 30, 12, 0));
    await t.tick();
    expect(weeklyJobs().some((j) => j.key.startsWith('weekly:U0IDLE:'))).toBe(false);

    t.database.sqlite.prepare('UPDATE workspaces SET settings = ? WHERE team_id = ?').run(JSON.stringify({ weeklyDay: 3, weeklyHour: 7 }), TEAM);
    rescheduleWeeklyDms(serviceDeps(t.deps), TEAM, t.deps.config.defaultTimeZone);
    // Wednesday 4 Nov 07:00 in New York (EST) = 12:00 UTC; same ISO week, same key.
    expect(weeklyJob('U0NY', '2026-W45')).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 10, 4, 12, 0) });
    expect(weeklyJobs().filter((j) => j.key.startsWith('weekly:U0NY:'))).toHaveLength(1);
  });
});

describe('a person whose time zone changed', () => {
  it('gets the weekly DM at 09:00 in their new zone: the job moves instead of sending at the old zone\'s hour, still one per week', async () => {
    createWorkspace(t.database.db, TEAM, { timeZone: 'UTC' });
    createMember(t.database.db, TEAM, 'U0ANNA', { timeZone: 'Europe/Berlin' });
    const session = createSession(t.database.db, { teamId: TEAM, title: 'Pairing', startsAt: Date.UTC(2026, 10, 11, 17, 0) });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: session.number, userId: 'U0ANNA', joinedAt: Date.UTC(2026, 10, 1) });
    t.clock.set(Date.UTC(2026, 10, 8, 12, 0)); // Sunday
    await t.tick();
    // Monday 9 Nov 09:00 in Berlin (CET) = 08:00 UTC.
    expect(weeklyJob('U0ANNA', '2026-W46')?.runAt).toBe(Date.UTC(2026, 10, 9, 8, 0));

    // Slack now says she is in Los Angeles (the profile refresh writes the member row).
    t.database.sqlite.prepare('UPDATE members SET time_zone = ? WHERE team_id = ? AND user_id = ?').run('America/Los_Angeles', TEAM, 'U0ANNA');
    t.clock.set(Date.UTC(2026, 10, 9, 8, 0)); // 00:00 in Los Angeles
    await t.tick();
    expect(t.fake.dmsTo('U0ANNA')).toHaveLength(0);
    // Monday 09:00 in Los Angeles (PST) = 17:00 UTC; same week, same key.
    expect(weeklyJob('U0ANNA', '2026-W46')).toMatchObject({ status: 'pending', runAt: Date.UTC(2026, 10, 9, 17, 0), attempts: 0 });
    expect(JSON.parse(weeklyJob('U0ANNA', '2026-W46')!.result!)).toMatchObject({ rescheduled: 'not_due_yet' });

    t.clock.set(Date.UTC(2026, 10, 9, 16, 59));
    await t.tick();
    expect(t.fake.dmsTo('U0ANNA')).toHaveLength(0);
    t.clock.set(Date.UTC(2026, 10, 9, 17, 0));
    await t.tick();
    expect(t.fake.dmsTo('U0ANNA')).toHaveLength(1);
    expect(dmText(t.fake.dmsTo('U0ANNA')[0]!)).toContain('America/Los_Angeles');
    expect(dmText(t.fake.dmsTo('U0ANNA')[0]!)).toContain('Wed 11 Nov, 09:00 PST');
    expect(weeklyJob('U0ANNA', '2026-W46')?.status).toBe('done');

    t.clock.set(Date.UTC(2026, 10, 10, 9, 0));
    await t.tick();
    expect(t.fake.dmsTo('U0ANNA')).toHaveLength(1);
    expect(weeklyJobs().filter((j) => j.key.startsWith('weekly:U0ANNA:')).map((j) => j.key).sort()).toEqual(['weekly:U0ANNA:2026-W46', 'weekly:U0ANNA:2026-W47']);
    expect(weeklyJob('U0ANNA', '2026-W47')?.runAt).toBe(Date.UTC(2026, 10, 16, 17, 0));
  });
});

describe('opting out', () => {
  it('/peer optout stops the weekly DM (skipped as opted_out) and /peer optin brings it back', async () => {
    setupWeekOfDstChange();
    t.fake.setUser({ id: 'U0NY', tz: 'America/New_York' });
    t.clock.set(Date.UTC(2026, 9, 30, 12, 0));
    const out = await t.command('optout', { user: 'U0NY' });
    expect(out.json.response_type).toBe('ephemeral');
    expect(out.json.text).toContain("won't send you any more DMs");
    expect(out.json.text).toContain('/peer optin');
    await t.tick();
    t.clock.set(Date.UTC(2026, 10, 2, 14, 0));
    await t.tick();
    expect(t.fake.dmsTo('U0NY')).toHaveLength(0);
    expect(weeklyJob('U0NY', '2026-W45')?.status).toBe('skipped');
    expect(reason(weeklyJob('U0NY', '2026-W45'))).toBe('opted_out');

    const back = await t.command('optin', { user: 'U0NY' });
    expect(back.json.text).toContain('will DM you again');
    // The week after, with a session to show, the DM comes again.
    const next = createSession(t.database.db, { teamId: TEAM, title: 'Indexes', startsAt: Date.UTC(2026, 10, 11, 15, 0) });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: next.number, userId: 'U0NY' });
    t.clock.set(Date.UTC(2026, 10, 9, 14, 0));
    await t.tick();
    expect(t.fake.dmsTo('U0NY')).toHaveLength(1);
  });

  it('who moved east: the profile refresh that sees the new zone moves the pending DM earlier, to 09:00 there', async () => {
    createWorkspace(t.database.db, TEAM, { timeZone: 'UTC' });
    createMember(t.database.db, TEAM, 'U0MOVER', { timeZone: 'America/Los_Angeles', profileFetchedAt: Date.UTC(2026, 10, 1) });
    const session = createSession(t.database.db, { teamId: TEAM, title: 'Pairing', startsAt: Date.UTC(2026, 10, 11, 17, 0) });
    addParticipant(t.database.db, { teamId: TEAM, sessionNumber: session.number, userId: 'U0MOVER', joinedAt: Date.UTC(2026, 10, 1) });
    t.clock.set(Date.UTC(2026, 10, 8, 12, 0)); // Sunday
    await t.tick();
    // Monday 09:00 in Los Angeles (PST) = 17:00 UTC.
    expect(weeklyJob('U0MOVER', '2026-W46')?.runAt).toBe(Date.UTC(2026, 10, 9, 17, 0));

    // Slack now says Berlin; their next command's daily profile refresh (after the reply) sees it.
    t.fake.setUser({ id: 'U0MOVER', name: 'mover', tz: 'Europe/Berlin' });
    expect((await t.command('help', { user: 'U0MOVER' })).status).toBe(200);
    // Monday 09:00 in Berlin (CET) = 08:00 UTC: hours earlier than it was planned for.
    await t.fake.waitFor(() => weeklyJob('U0MOVER', '2026-W46')?.runAt === Date.UTC(2026, 10, 9, 8, 0), 'the weekly DM moved to Berlin time');
    t.clock.set(Date.UTC(2026, 10, 9, 8, 0));
    await t.tick();
    expect(t.fake.dmsTo('U0MOVER')).toHaveLength(1);
    expect(dmText(t.fake.dmsTo('U0MOVER')[0]!)).toContain('Europe/Berlin');
  });
});
