import { and, eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { jobs, matchGroupMembers, matchGroups, matchRoundPeople, matchRounds, memberSkills, members, profiles, skills } from '../../src/db/schema.js';
import { MatchViews } from '../../src/slack/ids.js';
import type { TestApp } from './app.js';
import type { FakeUser } from './fake-slack.js';
import { createWorkspace } from './factories.js';

export const TEAM = 'T0TEST';
export const OTHER_TEAM = 'T0OTHER';
export const CHANNEL = 'C0MATCH';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Mon 30 Nov 2026, 08:00 UTC: rounds set up for Tuesdays at 10:00 run first on Tue 1 Dec. */
export const SETUP_AT = Date.UTC(2026, 10, 30, 8, 0);
export const FIRST_ROUND = '2026-12-01';
export const FIRST_ROUND_AT = Date.UTC(2026, 11, 1, 10, 0);

/** The people of the matching tests: an admin, four complementary people and the ones a round must leave out. */
export const PEOPLE: FakeUser[] = [
  { id: 'U0ADMIN', name: 'admin', tz: 'UTC', is_admin: true },
  { id: 'U0ANA', name: 'ana', tz: 'Europe/Berlin' },
  { id: 'U0BEN', name: 'ben', tz: 'America/New_York' },
  { id: 'U0CAT', name: 'cat', tz: 'Europe/Berlin' },
  { id: 'U0DAN', name: 'dan', tz: 'Europe/London' },
  { id: 'U0EVE', name: 'eve', tz: 'UTC' },
  { id: 'U0FAY', name: 'fay', tz: 'UTC' },
  { id: 'U0GUS', name: 'gus', tz: 'UTC' },
  { id: 'U0ROBO', name: 'robo', tz: 'UTC', is_bot: true },
  { id: 'U0GONE', name: 'gone', tz: 'UTC', deleted: true },
  { id: 'U0GUEST', name: 'guest', tz: 'UTC', team_id: 'T0ELSEWHERE' },
];

export interface OptIn {
  teach?: string[];
  learn?: string[];
  role?: string;
  pausedUntil?: number | null;
  pauseReason?: 'chosen' | 'no_answers' | null;
  optIn?: boolean;
  timeZone?: string;
  optedOutOfDms?: boolean;
}

/** A skills profile written straight to the database (the profile modal is another engineer's). */
export function optIn(db: Db, userId: string, o: OptIn = {}, teamId = TEAM): void {
  createWorkspace(db, teamId);
  const key = (name: string) => name.trim().toLowerCase();
  for (const name of [...(o.teach ?? []), ...(o.learn ?? [])]) {
    db.insert(skills).values({ teamId, key: key(name), name, createdBy: userId, createdAt: 0 }).onConflictDoNothing().run();
  }
  db.insert(profiles)
    .values({
      teamId,
      userId,
      role: o.role ?? null,
      roleKey: o.role === undefined ? null : key(o.role),
      matchingOptIn: o.optIn ?? true,
      pausedUntil: o.pausedUntil ?? null,
      pauseReason: o.pauseReason ?? null,
      createdAt: 0,
      updatedAt: 0,
    })
    .onConflictDoNothing()
    .run();
  for (const name of o.teach ?? []) db.insert(memberSkills).values({ teamId, userId, skillKey: key(name), kind: 'teach', startedAt: 0, addedAt: 0 }).run();
  for (const name of o.learn ?? []) db.insert(memberSkills).values({ teamId, userId, skillKey: key(name), kind: 'learn', startedAt: 0, addedAt: 0 }).run();
  db.insert(members)
    .values({ teamId, userId, firstSeenAt: 0, timeZone: o.timeZone ?? null, optedOut: o.optedOutOfDms ?? false })
    .onConflictDoUpdate({ target: [members.teamId, members.userId], set: { timeZone: o.timeZone ?? null, optedOut: o.optedOutOfDms ?? false } })
    .run();
}

/** Ana and Ben swap SQL and Figma; Cat and Dan swap Python and Excel. */
export function optInTheFour(db: Db, teamId = TEAM): void {
  optIn(db, 'U0ANA', { teach: ['SQL'], learn: ['Figma'], timeZone: 'Europe/Berlin' }, teamId);
  optIn(db, 'U0BEN', { teach: ['Figma'], learn: ['SQL'], timeZone: 'America/New_York' }, teamId);
  optIn(db, 'U0CAT', { teach: ['Python'], learn: ['Excel'], timeZone: 'Europe/Berlin' }, teamId);
  optIn(db, 'U0DAN', { teach: ['Excel'], learn: ['Python'], timeZone: 'Europe/London' }, teamId);
}

export function setupState(values: { mode?: string; cadence?: string; weekday?: string; hour?: string; repeat?: string | null }) {
  const v = { mode: 'skill-swap', cadence: '1', weekday: '2', hour: '10', repeat: '12', ...values };
  const select = (value: string) => ({ type: 'static_select', selected_option: value === '' ? null : { value } });
  return {
    [MatchViews.modeBlock]: { [MatchViews.input]: { type: 'radio_buttons', selected_option: v.mode === '' ? null : { value: v.mode } } },
    [MatchViews.cadenceBlock]: { [MatchViews.input]: select(v.cadence) },
    [MatchViews.weekdayBlock]: { [MatchViews.input]: select(v.weekday) },
    [MatchViews.hourBlock]: { [MatchViews.input]: select(v.hour) },
    [MatchViews.repeatBlock]: { [MatchViews.input]: { type: 'number_input', value: v.repeat } },
  };
}

export function submitSetup(t: TestApp, values: Parameters<typeof setupState>[0] = {}, who: { user?: string; team?: string } = { user: 'U0ADMIN' }, channelId = CHANNEL) {
  return t.submitView({ callback_id: MatchViews.setup, private_metadata: JSON.stringify({ channelId }), values: setupState(values) }, who);
}

export const roundRows = (t: TestApp, teamId = TEAM) => t.database.db.select().from(matchRounds).where(eq(matchRounds.teamId, teamId)).all();
export const groupRows = (t: TestApp, teamId = TEAM) => t.database.db.select().from(matchGroups).where(eq(matchGroups.teamId, teamId)).all();
export const roundPeople = (t: TestApp, teamId = TEAM) => t.database.db.select().from(matchRoundPeople).where(eq(matchRoundPeople.teamId, teamId)).all();
export const profileOf = (t: TestApp, userId: string, teamId = TEAM) =>
  t.database.db.select().from(profiles).where(and(eq(profiles.teamId, teamId), eq(profiles.userId, userId))).get();
export const jobRow = (t: TestApp, key: string, teamId = TEAM) => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, teamId), eq(jobs.key, key))).get();

/** Each group's members, sorted, groups sorted: easy to compare. */
export function groupsAsSets(t: TestApp, roundDate?: string, teamId = TEAM): string[][] {
  return groupRows(t, teamId)
    .filter((g) => roundDate === undefined || g.roundDate === roundDate)
    .map((g) =>
      t.database.db
        .select({ userId: matchGroupMembers.userId })
        .from(matchGroupMembers)
        .where(and(eq(matchGroupMembers.teamId, teamId), eq(matchGroupMembers.groupId, g.id)))
        .all()
        .map((m) => m.userId)
        .sort(),
    )
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A past round group, written straight to the database (for history and the unanswered streak). */
export function pastGroup(db: Db, userIds: string[], o: { at: number; roundDate?: string | null; channelId?: string | null; outcome?: 'met' | null; introTs?: string | null; checkinTs?: string | null; index?: number }, teamId = TEAM): number {
  const row = db
    .insert(matchGroups)
    .values({
      teamId,
      channelId: o.channelId === undefined ? CHANNEL : o.channelId,
      roundDate: o.roundDate === undefined ? null : o.roundDate,
      groupIndex: o.index ?? 0,
      score: 1,
      reason: JSON.stringify({ mode: 'skill-swap', exchanges: [], skills: {}, roleKey: null, role: null, sharedMinutes: 0 }),
      conversationId: 'G0PAST',
      introTs: o.introTs === undefined ? '1700000000.000001' : o.introTs,
      // Asked "Did you meet?" unless the test says otherwise (only asked groups count towards a pause).
      checkinTs: o.checkinTs === undefined ? (o.introTs === null ? null : '1700000000.000002') : o.checkinTs,
      createdAt: o.at,
      outcome: o.outcome ?? null,
    })
    .returning({ id: matchGroups.id })
    .get();
  for (const userId of userIds) db.insert(matchGroupMembers).values({ teamId, groupId: row.id, userId }).run();
  return row.id;
}
