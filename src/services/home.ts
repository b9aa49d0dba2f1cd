import { and, asc, desc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { participants, sessions } from '../db/schema.js';
import type { ServiceDeps } from './context.js';

/**
 * What one person's App Home shows: the sessions they host, created or attend that have not
 * ended yet, and the last few they took part in. One query per list, both on team_id first.
 */

/** How the person relates to a session; decides which button Home offers. */
export type HomeRole = 'host' | 'creator' | 'attendee' | 'waitlisted';
export type AttendedState = 'yes' | 'no' | 'unknown';

export interface HomeSession {
  number: number;
  title: string;
  format: string;
  hostId: string;
  startsAt: number;
  durationMin: number;
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

export function getHomeData(deps: ServiceDeps, teamId: string, userId: string): HomeData {
  const now = deps.clock.now();
  const endsAt = sql`${sessions.startsAt} + ${sessions.durationMin} * 60000`;
  // My active participant row (if any) rides along on a left join.
  const mine = and(
    eq(participants.teamId, sessions.teamId),
    eq(participants.sessionNumber, sessions.number),
    eq(participants.userId, userId),
    isNull(participants.leftAt),
  );
  const involved = or(eq(sessions.hostId, userId), eq(sessions.creatorId, userId), eq(participants.userId, userId));

  const upcomingWhere = and(eq(sessions.teamId, teamId), eq(sessions.status, 'scheduled'), gt(endsAt, now), involved);
  const upcoming = deps.db
    .select(columns)
    .from(sessions)
    .leftJoin(participants, mine)
    .where(upcomingWhere)
    .orderBy(asc(sessions.startsAt), asc(sessions.number))
    .limit(HOME_UPCOMING_LIMIT)
    .all();
  const total = deps.db
    .select({ n: sql<number>`count(*)` })
    .from(sessions)
    .leftJoin(participants, mine)
    .where(upcomingWhere)
    .get();

  // History: sessions that ended, that I hosted or had a seat in (not cancelled, not waitlisted).
  const recent = deps.db
    .select(columns)
    .from(sessions)
    .leftJoin(participants, mine)
    .where(
      and(
        eq(sessions.teamId, teamId),
        eq(sessions.status, 'scheduled'),
        lte(endsAt, now),
        or(eq(sessions.hostId, userId), and(eq(participants.userId, userId), eq(participants.waitlisted, false))),
      ),
    )
    .orderBy(desc(sessions.startsAt), desc(sessions.number))
    .limit(HOME_RECENT_LIMIT)
    .all();

  return {
    upcoming: upcoming.map((r) => toHomeSession(r, userId)),
    upcomingTotal: Number(total?.n ?? upcoming.length),
    recent: recent.map((r) => toHomeSession(r, userId)),
  };
}
