import { and, asc, count, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { memberSkills, participants, pollVotes, sessions, skills } from '../db/schema.js';
import type { ServiceDeps } from './context.js';

/**
 * `/peer stats`: one person's own numbers in one workspace. Every query names the workspace and
 * the person; the definitions follow the KPI digest's (PRODUCT.md), read for one person:
 * - a session is held once it has started and was not cancelled;
 * - attended: held sessions where the person had a seat (an attendee, not waitlisted) and did
 *   not leave before the start, unless the host marked them absent. Sessions whose attendance
 *   was never marked count, and are counted apart (`unmarked`), so the person can see why the
 *   digest may not count them yet;
 * - hosted: held sessions they host now (a handed-over session counts for its new host);
 * - rating: every vote on the polls of the sessions they hosted, except votes of people later
 *   marked absent (as the digest's satisfaction), averaged over votes, not over sessions;
 * - learned: their learn rows marked learned, with when they started and finished;
 * - taught: learn rows of others that name them as the teacher, confirmed or not.
 */

/** How many learned skills and taught people the answer lists; the rest are counted. */
export const STATS_LIST_MAX = 10;
/** Fewer votes than this make no average worth showing. */
export const STATS_MIN_VOTES = 3;

export interface LearnedStat {
  name: string;
  startedAt: number;
  completedAt: number;
}

export interface TaughtStat {
  learnerId: string;
  skill: string;
  completedAt: number;
  confirmed: boolean;
}

export interface NextSession {
  number: number;
  title: string;
  startsAt: number;
  durationMin: number;
  role: 'host' | 'attendee' | 'waitlisted';
}

export interface PersonalStats {
  attended: { total: number; unmarked: number };
  hosted: number;
  /** Over the sessions they hosted; `average` null under STATS_MIN_VOTES votes. */
  rating: { average: number | null; votes: number };
  /** Newest first, at most STATS_LIST_MAX; `total` counts them all. */
  learned: { items: LearnedStat[]; total: number };
  /** Newest first, at most STATS_LIST_MAX; `people` counts distinct learners, `confirmed` confirmed rows. */
  taught: { items: TaughtStat[]; total: number; people: number; confirmed: number };
  /** Their next session (hosting, seated or waitlisted) that has not ended, if any. */
  next: NextSession | null;
}

export function getPersonalStats(deps: ServiceDeps, teamId: string, userId: string): PersonalStats {
  const now = deps.clock.now();
  // Every query walks this person's rows (participants by (team, user), sessions by (team, host),
  // member_skills by (team, user)) and looks each session up by its key: CROSS JOIN keeps that
  // order (SQLite never reorders it), and the unary + keeps SQLite off sessions_team_start_idx,
  // which it otherwise prefers for "started before now" and then walks every held session of the
  // workspace (hundreds of milliseconds at 200,000 sessions instead of well under one).
  const heldSession = and(sql`+${sessions.status} = 'scheduled'`, sql`+${sessions.startsAt} <= ${now}`);
  const sessionOfRow = and(eq(sessions.teamId, participants.teamId), eq(sessions.number, participants.sessionNumber));

  const attendedRow = deps.db
    .select({
      total: count(),
      unmarked: sql<number>`coalesce(sum(case when ${participants.attended} = 'unknown' then 1 else 0 end), 0)`,
    })
    .from(participants)
    .crossJoin(sessions)
    .where(
      and(
        eq(participants.teamId, teamId),
        eq(participants.userId, userId),
        eq(participants.role, 'attendee'),
        eq(participants.waitlisted, false),
        sql`${participants.attended} <> 'no'`,
        sessionOfRow,
        heldSession,
        sql`(${participants.leftAt} is null or ${participants.leftAt} >= ${sessions.startsAt})`,
      ),
    )
    .get();

  const hosted = and(eq(sessions.teamId, teamId), eq(sessions.hostId, userId), heldSession);
  const hostedRow = deps.db.select({ n: count() }).from(sessions).where(hosted).get();

  // A voter's participant row may be gone (never, today) or marked absent: only the latter drops the vote.
  const ratingRow = deps.db
    .select({ votes: count(), average: sql<number | null>`avg(${pollVotes.value})` })
    .from(sessions)
    .crossJoin(pollVotes)
    .leftJoin(
      participants,
      and(eq(participants.teamId, pollVotes.teamId), eq(participants.sessionNumber, pollVotes.sessionNumber), eq(participants.userId, pollVotes.userId)),
    )
    .where(
      and(hosted, eq(pollVotes.teamId, sessions.teamId), eq(pollVotes.sessionNumber, sessions.number), sql`coalesce(${participants.attended}, 'unknown') <> 'no'`),
    )
    .get();
  const votes = Number(ratingRow?.votes ?? 0);

  const learnedWhere = and(eq(memberSkills.teamId, teamId), eq(memberSkills.userId, userId), eq(memberSkills.kind, 'learn'), isNotNull(memberSkills.completedAt));
  const learnedItems = deps.db
    .select({ name: skills.name, startedAt: memberSkills.startedAt, completedAt: memberSkills.completedAt })
    .from(memberSkills)
    .innerJoin(skills, and(eq(skills.teamId, memberSkills.teamId), eq(skills.key, memberSkills.skillKey)))
    .where(learnedWhere)
    .orderBy(desc(memberSkills.completedAt), desc(memberSkills.id))
    .limit(STATS_LIST_MAX)
    .all()
    .map((r) => ({ name: r.name, startedAt: r.startedAt, completedAt: r.completedAt! }));
  const learnedTotal = deps.db.select({ n: count() }).from(memberSkills).where(learnedWhere).get();

  // Read through member_skills_team_taught_by_idx; no join to skills (the few names shown are
  // looked up after), which made SQLite walk the skill index and fetch rows out of order.
  const taughtRows = deps.db
    .select({ learnerId: memberSkills.userId, skillKey: memberSkills.skillKey, completedAt: memberSkills.completedAt, confirmedAt: memberSkills.taughtConfirmedAt })
    .from(memberSkills)
    .where(and(eq(memberSkills.teamId, teamId), eq(memberSkills.taughtBy, userId), eq(memberSkills.kind, 'learn'), isNotNull(memberSkills.completedAt)))
    .orderBy(desc(memberSkills.completedAt), desc(memberSkills.id))
    .all();
  const shownTaught = taughtRows.slice(0, STATS_LIST_MAX);
  const names = skillNames(deps, teamId, shownTaught.map((r) => r.skillKey));
  const taughtItems = shownTaught.map((r) => ({ learnerId: r.learnerId, skill: names.get(r.skillKey) ?? r.skillKey, completedAt: r.completedAt!, confirmed: r.confirmedAt !== null }));

  const nextRow = deps.db
    .select({
      number: sessions.number,
      title: sessions.title,
      startsAt: sessions.startsAt,
      durationMin: sessions.durationMin,
      role: participants.role,
      waitlisted: participants.waitlisted,
    })
    .from(participants)
    .crossJoin(sessions)
    .where(
      and(
        eq(participants.teamId, teamId),
        eq(participants.userId, userId),
        isNull(participants.leftAt),
        sessionOfRow,
        sql`+${sessions.status} = 'scheduled'`,
        sql`${sessions.startsAt} + ${sessions.durationMin} * 60000 > ${now}`,
      ),
    )
    .orderBy(asc(sessions.startsAt), asc(sessions.number))
    .limit(1)
    .get();

  return {
    attended: { total: Number(attendedRow?.total ?? 0), unmarked: Number(attendedRow?.unmarked ?? 0) },
    hosted: Number(hostedRow?.n ?? 0),
    rating: { average: votes >= STATS_MIN_VOTES && ratingRow?.average != null ? Number(ratingRow.average) : null, votes },
    learned: { items: learnedItems, total: Number(learnedTotal?.n ?? 0) },
    taught: {
      items: taughtItems,
      total: taughtRows.length,
      people: new Set(taughtRows.map((r) => r.learnerId)).size,
      confirmed: taughtRows.filter((r) => r.confirmedAt !== null).length,
    },
    next:
      nextRow === undefined
        ? null
        : {
            number: nextRow.number,
            title: nextRow.title,
            startsAt: nextRow.startsAt,
            durationMin: nextRow.durationMin,
            role: nextRow.role === 'host' ? 'host' : nextRow.waitlisted ? 'waitlisted' : 'attendee',
          },
  };
}

function skillNames(deps: ServiceDeps, teamId: string, keys: readonly string[]): Map<string, string> {
  if (keys.length === 0) return new Map();
  const rows = deps.db
    .select({ key: skills.key, name: skills.name })
    .from(skills)
    .where(and(eq(skills.teamId, teamId), inArray(skills.key, [...new Set(keys)])))
    .all();
  return new Map(rows.map((r) => [r.key, r.name]));
}

/** Nothing to show yet: no session attended or hosted, no skill learned, nobody taught. */
export function hasNoStats(stats: PersonalStats): boolean {
  return stats.attended.total === 0 && stats.hosted === 0 && stats.learned.total === 0 && stats.taught.total === 0;
}
