import { and, asc, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { union } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client.js';
import { preparedPerDb } from '../db/prepared.js';
import { participants, sessions } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import type { SessionSummary } from './session-model.js';

/**
 * What one person's App Home shows: the sessions they host, created or attend that have not
 * ended yet, and the last few they took part in. One prepared query per list, both on team_id first.
 */

/** How the person relates to a session; decides which button Home offers. */
export type HomeRole = 'host' | 'creator' | 'attendee' | 'waitlisted';
export type AttendedState = 'yes' | 'no' | 'unknown';

export interface HomeSession extends SessionSummary {
  channelId: string;
  link: string | null;
  role: HomeRole;
  attended: AttendedState;
}

export interface HomeData {
  upcoming: HomeSession[];
  /** All upcoming sessions of the person, including those cut from `upcoming`. */
  upcomingTotal: number;
  recent: HomeSession[];
}

export const HOME_UPCOMING_LIMIT = 20;
export const HOME_RECENT_LIMIT = 5;

const columns = {
  number: sessions.number,
  title: sessions.title,
  format: sessions.format,
  hostId: sessions.hostId,
  creatorId: sessions.creatorId,
  startsAt: sessions.startsAt,
  durationMin: sessions.durationMin,
  channelId: sessions.channelId,
  link: sessions.link,
  myRole: participants.role,
  waitlisted: participants.waitlisted,
  attended: participants.attended,
};

type Row = {
  number: number;
  title: string;
  format: string;
  hostId: string;
  creatorId: string;
  startsAt: number;
  durationMin: number;
  channelId: string;
  link: string | null;
  myRole: 'host' | 'attendee' | null;
  waitlisted: boolean | null;
  attended: AttendedState | null;
};

function toHomeSession(row: Row, userId: string): HomeSession {
  const role: HomeRole =
    row.hostId === userId || row.myRole === 'host'
      ? 'host'
      : row.myRole === 'attendee'
        ? row.waitlisted
          ? 'waitlisted'
          : 'attendee'
        : 'creator';
  return {
    number: row.number,
    title: row.title,
    format: row.format,
    hostId: row.hostId,
    startsAt: row.startsAt,
    durationMin: row.durationMin,
    channelId: row.channelId,
    link: row.link,
    role,
    attended: row.attended ?? 'unknown',
  };
}

/**
 * The sessions a person is involved in (hosts, created, has a live participant row), found
 * through three index lookups instead of a scan of every upcoming session of the workspace:
 * with 10,000 sessions the scan cost 10-30 ms per Home refresh, this well under one.
 */
function involvedSessions(db: Db) {
  const p = { teamId: sql.placeholder('teamId'), userId: sql.placeholder('userId') };
  return db.$with('involved').as(
    union(
      db.select({ number: sessions.number }).from(sessions).where(and(eq(sessions.teamId, p.teamId), eq(sessions.hostId, p.userId))),
      db.select({ number: sessions.number }).from(sessions).where(and(eq(sessions.teamId, p.teamId), eq(sessions.creatorId, p.userId))),
      db
        .select({ number: participants.sessionNumber })
        .from(participants)
        .where(and(eq(participants.teamId, p.teamId), eq(participants.userId, p.userId), isNull(participants.leftAt))),
    ),
  );
}

/** Every (team, user) Home reads the same two statements: built and prepared once per database. */
const homeStatements = preparedPerDb((db) => {
  const teamId = sql.placeholder('teamId');
  const userId = sql.placeholder('userId');
  const now = sql.placeholder('now');
  const endsAt = sql`${sessions.startsAt} + ${sessions.durationMin} * 60000`;
  // My active participant row (if any) rides along on a left join.
  const mine = and(
    eq(participants.teamId, sessions.teamId),
    eq(participants.sessionNumber, sessions.number),
    eq(participants.userId, userId),
    isNull(participants.leftAt),
  );
  const from = (involved: ReturnType<typeof involvedSessions>) =>
    db
      .with(involved)
      .select({ ...columns, total: sql<number>`count(*) over ()` })
      .from(involved)
      // CROSS JOIN keeps this order (SQLite never reorders it): walk my few sessions and look each
      // one up by primary key, rather than scan the workspace's sessions and probe the list.
      .crossJoin(sessions)
      .leftJoin(participants, mine);
  const onInvolved = (involved: ReturnType<typeof involvedSessions>) => and(eq(sessions.teamId, teamId), eq(sessions.number, involved.number));
  const upcomingInvolved = involvedSessions(db);
  const upcoming = from(upcomingInvolved)
    .where(and(onInvolved(upcomingInvolved), eq(sessions.status, 'scheduled'), sql`${endsAt} > ${now}`))
    .orderBy(asc(sessions.startsAt), asc(sessions.number))
    .limit(HOME_UPCOMING_LIMIT)
    .prepare();
  // History: sessions that ended, that I hosted or had a seat in (not cancelled, not waitlisted).
  const recentInvolved = involvedSessions(db);
  const recent = from(recentInvolved)
    .where(
      and(
        onInvolved(recentInvolved),
        eq(sessions.status, 'scheduled'),
        sql`${endsAt} <= ${now}`,
        or(eq(sessions.hostId, userId), and(eq(participants.userId, userId), eq(participants.waitlisted, false))),
      ),
    )
    .orderBy(desc(sessions.startsAt), desc(sessions.number))
    .limit(HOME_RECENT_LIMIT)
    .prepare();
  return { upcoming, recent };
});

export function getHomeData(deps: ServiceDeps, teamId: string, userId: string): HomeData {
  const params = { teamId, userId, now: deps.clock.now() };
  const statements = homeStatements(deps.db);
  // count(*) over () is taken before LIMIT: every upcoming session of the person, on each row.
  const upcoming = statements.upcoming.all(params);
  const recent = statements.recent.all(params);
  return {
    upcoming: upcoming.map((r) => toHomeSession(r, userId)),
    upcomingTotal: upcoming[0]?.total ?? 0,
    recent: recent.map((r) => toHomeSession(r, userId)),
  };
}
