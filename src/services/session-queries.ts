import { and, asc, eq, gt, gte, isNull, lt, sql } from 'drizzle-orm';
import { AppError } from '../errors.js';
import { isRootDb, preparedPerDb } from '../db/prepared.js';
import { participants, sessions } from '../db/schema.js';
import { DURATION_MAX, type Session, type SessionSummary, type Participant } from './session-model.js';
import type { ServiceDeps } from './context.js';

/**
 * Reading sessions: one session, its roster and seat counts, the upcoming list, its place in a
 * series, and which sessions end in a window (for planners). Every query names the workspace.
 */

/**
 * The condition "ends in [fromMs, toMs)", for planners that look at sessions by their end. Bounded
 * on the indexed starts_at first (no session is longer than DURATION_MAX), then exactly.
 */
export function endingBetween(fromMs: number, toMs: number) {
  const endsAt = sql`${sessions.startsAt} + ${sessions.durationMin} * 60000`;
  return and(gte(sessions.startsAt, fromMs - DURATION_MAX * 60_000), lt(sessions.startsAt, toMs), gte(endsAt, fromMs), lt(endsAt, toMs));
}

// Read on every click, card refresh, calendar file and reminder.
const selectSession = preparedPerDb((db) =>
  db
    .select()
    .from(sessions)
    .where(and(eq(sessions.teamId, sql.placeholder('teamId')), eq(sessions.number, sql.placeholder('number'))))
    .prepare(),
);

export function getSession(deps: ServiceDeps, teamId: string, number: number): Session | undefined {
  if (isRootDb(deps.db)) return selectSession(deps.db).get({ teamId, number });
  return deps.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.teamId, teamId), eq(sessions.number, number)))
    .get();
}

/** Like getSession, but a missing session is an AppError people can read. */
export function requireSession(deps: ServiceDeps, teamId: string, number: number): Session {
  const session = getSession(deps, teamId, number);
  if (session === undefined) {
    throw new AppError('not_found', `There is no session #${number} in this workspace. \`/peer list\` shows the upcoming ones.`);
  }
  return session;
}

export interface SessionRoster {
  host: Participant | undefined;
  /** Active attendees (not the host, not waitlisted), in join order. */
  attendees: Participant[];
  /** Active waitlist, first in line first. */
  waitlist: Participant[];
}

const activeRowsQuery = (db: ServiceDeps['db'], teamId: unknown, number: unknown) =>
  db
    .select()
    .from(participants)
    .where(and(eq(participants.teamId, teamId as string), eq(participants.sessionNumber, number as number), isNull(participants.leftAt)))
    .orderBy(asc(participants.joinedAt), asc(sql`rowid`));

// Read on every join, leave and reminder sync.
const selectActiveRows = preparedPerDb((db) => activeRowsQuery(db, sql.placeholder('teamId'), sql.placeholder('number')).prepare());

function activeRows(deps: ServiceDeps, teamId: string, number: number): Participant[] {
  return isRootDb(deps.db) ? selectActiveRows(deps.db).all({ teamId, number }) : activeRowsQuery(deps.db, teamId, number).all();
}

/** The host, the active attendees and the waitlist of one session. */
export function listParticipants(deps: ServiceDeps, teamId: string, number: number): SessionRoster {
  const rows = activeRows(deps, teamId, number);
  return {
    host: rows.find((r) => r.role === 'host'),
    attendees: rows.filter((r) => r.role === 'attendee' && !r.waitlisted),
    waitlist: rows.filter((r) => r.role === 'attendee' && r.waitlisted),
  };
}

const participantCounts = (db: ServiceDeps['db'], teamId: unknown, number: unknown) =>
  db
    .select({
      attendees: sql<number>`coalesce(sum(case when ${participants.waitlisted} = 0 then 1 else 0 end), 0)`,
      waitlist: sql<number>`coalesce(sum(case when ${participants.waitlisted} = 1 then 1 else 0 end), 0)`,
    })
    .from(participants)
    .where(
      and(
        eq(participants.teamId, teamId as string),
        eq(participants.sessionNumber, number as number),
        isNull(participants.leftAt),
        eq(participants.role, 'attendee'),
      ),
    );

// Read on every join and every card refresh.
const selectParticipantCounts = preparedPerDb((db) => participantCounts(db, sql.placeholder('teamId'), sql.placeholder('number')).prepare());

/** Counts for the card without loading every row. */
export function countParticipants(deps: ServiceDeps, teamId: string, number: number): { attendees: number; waitlist: number } {
  const row = isRootDb(deps.db) ? selectParticipantCounts(deps.db).get({ teamId, number }) : participantCounts(deps.db, teamId, number).get();
  return { attendees: Number(row?.attendees ?? 0), waitlist: Number(row?.waitlist ?? 0) };
}

export interface UpcomingQuery {
  from: number;
  to: number;
  /** The reader: their place in each session rides along (and, with `mineOnly`, filters). */
  readerId: string;
  /** Only sessions the reader hosts or is an active participant of (waitlist included). */
  mineOnly: boolean;
  limit: number;
}

/** One line of `/peer list`: the session, its seat counts and the reader's place in it. */
export interface UpcomingItem extends SessionSummary {
  capacity: number | null;
  attendees: number;
  waitlist: number;
  /** The reader's place in it; null when they are not in it. */
  mine: 'host' | 'attendee' | 'waitlisted' | null;
}

/**
 * The two list statements (all upcoming / only the reader's), each with its count, built and
 * prepared once per database. Seat counts and the reader's place are correlated subqueries on
 * the participants primary key, so a page of 47 sessions is one statement instead of three
 * queries with 47-item IN lists (about 2.5 ms down to well under 1 ms on the 10k-session seed).
 */
const upcomingStatements = preparedPerDb((db: ServiceDeps['db']) => {
  const p = { teamId: sql.placeholder('teamId'), readerId: sql.placeholder('readerId'), from: sql.placeholder('from'), earliest: sql.placeholder('earliest'), to: sql.placeholder('to'), limit: sql.placeholder('limit') };
  // The outer row, spelled with its table: in a single-table select drizzle writes a column as a
  // bare "team_id", which inside these subqueries would mean p.team_id (matching every workspace).
  const outerTeam = sql.raw('"sessions"."team_id"');
  const outerNumber = sql.raw('"sessions"."number"');
  const seated = (waitlisted: 0 | 1) =>
    sql<number>`(select count(*) from ${participants} p where p.team_id = ${outerTeam} and p.session_number = ${outerNumber} and p.left_at is null and p.role = 'attendee' and p.waitlisted = ${sql.raw(String(waitlisted))})`;
  const readerRole = sql<'host' | 'attendee' | 'waitlisted' | null>`(select case when p.role = 'host' then 'host' when p.waitlisted = 1 then 'waitlisted' else 'attendee' end from ${participants} p where p.team_id = ${outerTeam} and p.session_number = ${outerNumber} and p.user_id = ${p.readerId} and p.left_at is null)`;
  const readerIn = sql`exists (select 1 from ${participants} p where p.team_id = ${outerTeam} and p.session_number = ${outerNumber} and p.user_id = ${p.readerId} and p.left_at is null)`;
  const window = and(
    eq(sessions.teamId, p.teamId),
    eq(sessions.status, 'scheduled'),
    // Still running counts as upcoming: people may join a session in progress. The plain lower
    // bound on starts_at (no session is longer than DURATION_MAX) lets the index narrow the range.
    gt(sessions.startsAt, p.earliest),
    gt(sql`${sessions.startsAt} + ${sessions.durationMin} * 60000`, p.from),
    lt(sessions.startsAt, p.to),
  );
  const page = (where: ReturnType<typeof and>) =>
    db
      .select({
        number: sessions.number,
        title: sessions.title,
        format: sessions.format,
        hostId: sessions.hostId,
        startsAt: sessions.startsAt,
        durationMin: sessions.durationMin,
        capacity: sessions.capacity,
        attendees: seated(0),
        waitlist: seated(1),
        mine: readerRole,
      })
      .from(sessions)
      .where(where)
      .orderBy(asc(sessions.startsAt), asc(sessions.number))
      .limit(p.limit)
      .prepare();
  const count = (where: ReturnType<typeof and>) => db.select({ n: sql<number>`count(*)` }).from(sessions).where(where).prepare();
  const mineWhere = and(window, readerIn);
  return { all: { page: page(window), count: count(window) }, mine: { page: page(mineWhere), count: count(mineWhere) } };
});

/**
 * Scheduled sessions that have not ended and start before `to`, soonest first, with seat
 * counts and the reader's place in each, plus how many matched in total (so a list can say
 * "and N more").
 */
export function listUpcomingSessions(deps: ServiceDeps, teamId: string, query: UpcomingQuery): { sessions: UpcomingItem[]; total: number } {
  const statements = upcomingStatements(deps.db)[query.mineOnly ? 'mine' : 'all'];
  const params = { teamId, readerId: query.readerId, from: query.from, earliest: query.from - DURATION_MAX * 60_000, to: query.to };
  const rows = statements.page.all({ ...params, limit: query.limit });
  // Counted only when the page is full; a short page is the whole answer.
  const total = rows.length < query.limit ? rows.length : Number(statements.count.get(params)?.n ?? rows.length);
  return {
    sessions: rows.map((r) => ({ ...r, attendees: Number(r.attendees), waitlist: Number(r.waitlist), mine: r.mine ?? null })),
    total,
  };
}

/** Where a session sits in its weekly series ("3 of 12"), or undefined for a one-off. */
export function seriesPosition(deps: ServiceDeps, session: Pick<Session, 'teamId' | 'number' | 'seriesId'>): { index: number; of: number } | undefined {
  if (session.seriesId === null) return undefined;
  const numbers = deps.db
    .select({ number: sessions.number })
    .from(sessions)
    .where(and(eq(sessions.teamId, session.teamId), eq(sessions.seriesId, session.seriesId)))
    .orderBy(asc(sessions.startsAt), asc(sessions.number))
    .all()
    .map((r) => r.number);
  const index = numbers.indexOf(session.number);
  return index < 0 ? undefined : { index: index + 1, of: numbers.length };
}

/**
 * Workspaces with a scheduled session starting in [fromMs, toMs): the planners visit only these
 * instead of every workspace on every tick. One index seek per workspace (sessions_team_start_idx).
 */
export function listTeamsWithSessionsStarting(deps: ServiceDeps, fromMs: number, toMs: number = Number.MAX_SAFE_INTEGER): string[] {
  return deps.db
    .all<{ teamId: string }>(
      sql`SELECT w.team_id AS teamId FROM workspaces w WHERE EXISTS (
        SELECT 1 FROM sessions s WHERE s.team_id = w.team_id AND s.status = 'scheduled' AND s.starts_at >= ${fromMs} AND s.starts_at < ${toMs})`,
    )
    .map((r) => r.teamId);
}

/** Workspaces with a scheduled session ending in [fromMs, toMs) (a superset is fine: planners filter exactly). */
export function listTeamsWithSessionsEnding(deps: ServiceDeps, fromMs: number, toMs: number): string[] {
  return listTeamsWithSessionsStarting(deps, fromMs - DURATION_MAX * 60_000, toMs);
}
