import { sql, type SQL } from 'drizzle-orm';
import type { ServiceDeps } from './context.js';

/**
 * The SQL behind the KPIs (services/kpis.ts holds the formulas and says what each number means).
 * Every read is a grouped aggregate filtered by team_id first, so a week of a 200,000-session
 * workspace reads that week's rows through an index and never the whole history. Each function
 * returns plain counts; deciding what is "too little data" is kpis.ts's job.
 */

/** Which rows a period's reads look at. */
export interface KpiScope {
  teamId: string;
  from: number;
  to: number;
  /** computedAt: a session that has not started by then is not held, even inside the period. */
  asOf: number;
  /** Narrow sessions and matching groups to one channel; null for the whole workspace. */
  channelId: string | null;
}

const DAY_MS = 86_400_000;

/** Exclusive upper bound on starts_at for "held": inside the period and started by asOf. */
const heldEnd = (scope: KpiScope): number => Math.min(scope.to, scope.asOf + 1);

const channelOf = (alias: string, channelId: string | null): SQL => (channelId === null ? sql`` : sql` AND ${sql.raw(alias)}.channel_id = ${channelId}`);

/**
 * `sessions s` with the index that finds a period's sessions named: SQLite without ANALYZE
 * statistics (the app never runs it) otherwise starts some of these joins from participants and
 * reads millions of rows. CROSS JOIN below keeps sessions as the outer table for the same reason.
 */
const sessionsByStart = (channelId: string | null): SQL =>
  sql.raw(channelId === null ? 'sessions s INDEXED BY sessions_team_start_idx' : 'sessions s INDEXED BY sessions_team_channel_idx');

/** Sessions `s` held in [from, to) of the scope: not cancelled, started by asOf, in the channel. */
function heldSessions(scope: KpiScope, from = scope.from, to = heldEnd(scope)): SQL {
  return sql`s.team_id = ${scope.teamId} AND s.status = 'scheduled' AND s.starts_at >= ${from} AND s.starts_at < ${to}${channelOf('s', scope.channelId)}`;
}

/**
 * Participant `p` of session `s` who was invited: a seated attendee (not the host, not on the
 * waitlist) who had not left before the session started. Read from participants_team_session_state_idx
 * alone (it holds every column used here).
 */
const INVITED = sql.raw(`p.role = 'attendee' AND p.waitlisted = 0 AND (p.left_at IS NULL OR p.left_at >= s.starts_at)`);
const PARTICIPANTS = sql.raw(`participants p INDEXED BY participants_team_session_state_idx ON p.team_id = s.team_id AND p.session_number = s.number`);

/** One held session with its attendance and counted votes. */
export interface HeldSessionRow {
  number: number;
  hostId: string;
  startsAt: number;
  durationMin: number;
  /** Invited attendees (see INVITED). */
  invited: number;
  /** Invited marked 'yes', and marked 'yes' or 'no'. */
  yes: number;
  decided: number;
  /** Who could answer the poll: invited, not marked absent, still joined (the poll's own rule: someone who left cannot vote). */
  present: number;
  /** 1 when the session has a poll. */
  polled: number;
  /** 1 when that poll is still open at asOf (polls stay open for days: votes still to come). */
  pollOpen: number;
  /** Counted votes (by invited attendees not marked absent) per value 1..5. */
  v1: number;
  v2: number;
  v3: number;
  v4: number;
  v5: number;
}

/**
 * Every held session of the scope with its attendance and votes, one grouped query (a week of a
 * large workspace is a couple of thousand rows). A vote counts only when its author is an
 * invited attendee of the session who was not marked absent.
 */
export function readHeldSessions(deps: ServiceDeps, scope: KpiScope): HeldSessionRow[] {
  const votes = [1, 2, 3, 4, 5].map((n) => sql.raw(`coalesce(sum(v.value = ${n}), 0) AS v${n}`));
  return deps.db.all<HeldSessionRow>(sql`
    SELECT s.number AS number, s.host_id AS hostId, s.starts_at AS startsAt, s.duration_min AS durationMin,
      count(p.user_id) AS invited, coalesce(sum(p.attended = 'yes'), 0) AS yes, coalesce(sum(p.attended != 'unknown'), 0) AS decided,
      coalesce(sum(p.attended != 'no' AND p.left_at IS NULL), 0) AS present, pl.session_number IS NOT NULL AS polled,
      coalesce(pl.status = 'open' AND pl.closes_at > ${scope.asOf}, 0) AS pollOpen, ${sql.join(votes, sql`, `)}
    FROM ${sessionsByStart(scope.channelId)}
    LEFT JOIN polls pl ON pl.team_id = s.team_id AND pl.session_number = s.number
    LEFT JOIN ${PARTICIPANTS} AND ${INVITED}
    LEFT JOIN poll_votes v ON pl.session_number IS NOT NULL AND v.team_id = p.team_id AND v.session_number = p.session_number AND v.user_id = p.user_id AND p.attended != 'no'
    WHERE ${heldSessions(scope)}
    GROUP BY s.number`);
}

/** Cancelled sessions starting in the scope's period (by asOf, as held ones). */
export function readCancelledCount(deps: ServiceDeps, scope: KpiScope): number {
  return (
    deps.db.get<{ n: number }>(sql`
      SELECT count(*) AS n FROM ${sessionsByStart(scope.channelId)}
      WHERE s.team_id = ${scope.teamId} AND s.status = 'cancelled' AND s.starts_at >= ${scope.from} AND s.starts_at < ${heldEnd(scope)}${channelOf('s', scope.channelId)}`)?.n ?? 0
  );
}

/** Sessions held in the 30 days ending at the period's end. */
export function readHeldLast30Days(deps: ServiceDeps, scope: KpiScope): number {
  return deps.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${sessionsByStart(scope.channelId)} WHERE ${heldSessions(scope, scope.to - 30 * DAY_MS)}`)?.n ?? 0;
}

/** Title, host and start of the given sessions (the few best rated), by number. */
export function readSessionHeads(deps: ServiceDeps, teamId: string, numbers: readonly number[]): Map<number, { title: string; hostId: string; startsAt: number }> {
  if (numbers.length === 0) return new Map();
  const rows = deps.db.all<{ number: number; title: string; hostId: string; startsAt: number }>(sql`
    SELECT number, title, host_id AS hostId, starts_at AS startsAt FROM sessions
    WHERE team_id = ${teamId} AND number IN (SELECT value FROM json_each(${JSON.stringify(numbers)}))`);
  return new Map(rows.map(({ number, ...head }) => [number, head]));
}

export interface CompetencyRow {
  userId: string;
  days: number;
  taughtBy: string | null;
}

/** A learn row that was learned, and not removed before it was learned (the app refuses that, but rows are history). */
const LEARNED = sql.raw(`kind = 'learn' AND (removed_at IS NULL OR removed_at > completed_at)`);
/** Days from starting to learn to being competent, never below 0. */
const DAYS = sql.raw(`max(0, completed_at - started_at) / 86400000.0`);

/** Skills marked learned in [from, to). Workspace-wide: skills belong to people, not channels. */
export function readCompetencies(deps: ServiceDeps, teamId: string, from: number, to: number): CompetencyRow[] {
  return deps.db.all<CompetencyRow>(sql`
    SELECT user_id AS userId, ${DAYS} AS days, taught_by AS taughtBy FROM member_skills INDEXED BY member_skills_team_completed_idx
    WHERE team_id = ${teamId} AND completed_at >= ${from} AND completed_at < ${to} AND ${LEARNED}`);
}

/** Days to competency of every skill learned before `before`, for a computed baseline. */
export function readCompetencyDaysBefore(deps: ServiceDeps, teamId: string, before: number): number[] {
  return deps.db
    .all<{ days: number }>(sql`
      SELECT ${DAYS} AS days FROM member_skills INDEXED BY member_skills_team_completed_idx
      WHERE team_id = ${teamId} AND completed_at < ${before} AND ${LEARNED}`)
    .map((r) => r.days);
}

export interface MatchingCounts {
  groups: number;
  answered: number;
  met: number;
}

/** Matching groups created in the period (a channel's rounds only, when narrowed) and their answers. */
export function readMatching(deps: ServiceDeps, scope: KpiScope): MatchingCounts {
  const row = deps.db.get<MatchingCounts>(sql`
    SELECT count(*) AS groups, count(g.outcome) AS answered, coalesce(sum(g.outcome = 'met'), 0) AS met
    FROM match_groups g INDEXED BY match_groups_team_created_idx
    WHERE g.team_id = ${scope.teamId} AND g.created_at >= ${scope.from} AND g.created_at < ${heldEnd(scope)}${channelOf('g', scope.channelId)}`);
  return row ?? { groups: 0, answered: 0, met: 0 };
}

/** Which of `userIds` opted out (a person never seen has not). */
export function readOptedOut(deps: ServiceDeps, teamId: string, userIds: readonly string[]): Set<string> {
  if (userIds.length === 0) return new Set();
  const rows = deps.db.all<{ userId: string }>(sql`
    SELECT user_id AS userId FROM members WHERE team_id = ${teamId} AND opted_out = 1
      AND user_id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`);
  return new Set(rows.map((r) => r.userId));
}

/** Counted participation of `p` in session `s`: invited and not marked absent. */
const countedIn = (p: string, s: string): SQL =>
  sql.raw(`${p}.role = 'attendee' AND ${p}.waitlisted = 0 AND (${p}.left_at IS NULL OR ${p}.left_at >= ${s}.starts_at) AND ${p}.attended != 'no'`);

/**
 * People whose first counted participation ever (invited and not marked absent, in a held
 * session; of the channel, when narrowed) is in the period: counted in a session of the period
 * and in none that started before it. Each candidate costs a probe into their own history, in
 * user order so it walks participants_team_user_idx forwards, reading only indexes. (Ruling out
 * first the people counted the week before cost more than the probes it saved.)
 */
export function readNewParticipants(deps: ServiceDeps, scope: KpiScope): string[] {
  return deps.db
    .all<{ userId: string }>(sql`
      SELECT n.user_id AS userId FROM (
        SELECT p.user_id AS user_id FROM ${sessionsByStart(scope.channelId)} CROSS JOIN ${PARTICIPANTS}
        WHERE ${heldSessions(scope)} AND ${countedIn('p', 's')}
        GROUP BY p.user_id ORDER BY p.user_id
      ) n WHERE NOT EXISTS (
        SELECT 1 FROM participants p2 INDEXED BY participants_team_user_idx
        CROSS JOIN sessions s2 INDEXED BY sessions_team_number_state_idx ON s2.team_id = p2.team_id AND s2.number = p2.session_number
        WHERE p2.team_id = ${scope.teamId} AND p2.user_id = n.user_id AND ${countedIn('p2', 's2')}
          AND s2.status = 'scheduled' AND s2.starts_at < ${scope.from}${channelOf('s2', scope.channelId)})
      ORDER BY n.user_id`)
    .map((r) => r.userId);
}

/**
 * Skills more people want to learn than can teach: distinct people with a current (not removed,
 * not learned) learn row against those with a current teach row; biggest gap first, then most
 * learners, then the skill's key. Read from member_skills_team_skill_idx alone. `total` is how many
 * gaps there are in all (count(*) OVER (), before the LIMIT), so a list can say "and N more".
 */
export function readSkillGaps(deps: ServiceDeps, teamId: string, limit: number): { gaps: { skill: string; learners: number; teachers: number }[]; total: number } {
  const rows = deps.db.all<{ skill: string; learners: number; teachers: number; total: number }>(sql`
    SELECT coalesce((SELECT k.name FROM skills k WHERE k.team_id = ${teamId} AND k.key = t.skill_key), t.skill_key) AS skill,
      t.learners AS learners, t.teachers AS teachers, t.total AS total FROM (
      SELECT skill_key, learners, teachers, count(*) OVER () AS total FROM (
        SELECT skill_key, count(DISTINCT CASE WHEN kind = 'learn' THEN user_id END) AS learners,
          count(DISTINCT CASE WHEN kind = 'teach' THEN user_id END) AS teachers
        FROM member_skills INDEXED BY member_skills_team_skill_idx
        WHERE team_id = ${teamId} AND removed_at IS NULL AND completed_at IS NULL
        GROUP BY skill_key
      ) WHERE learners > teachers
      ORDER BY learners - teachers DESC, learners DESC, skill_key
      LIMIT ${limit}
    ) t`);
  return { gaps: rows.map(({ skill, learners, teachers }) => ({ skill, learners, teachers })), total: rows[0]?.total ?? 0 };
}

/** Whether the workspace (or the channel) has any session row at all, cancelled or to come included. */
export function readHasAnySessions(deps: ServiceDeps, teamId: string, channelId: string | null): boolean {
  const from = channelId === null ? sql.raw('sessions s') : sessionsByStart(channelId);
  return (deps.db.get<{ any: number }>(sql`SELECT EXISTS (SELECT 1 FROM ${from} WHERE s.team_id = ${teamId}${channelOf('s', channelId)}) AS any`)?.any ?? 0) === 1;
}

/** The local-week bucket (0 = oldest) of `column` for ascending boundaries; rows outside are filtered by the caller. */
function bucketOf(column: string, bounds: readonly number[]): SQL {
  const cases = bounds.slice(1, -1).map((b, i) => sql` WHEN ${sql.raw(column)} < ${b} THEN ${i}`);
  // One week has no boundary inside it (and CASE needs at least one WHEN).
  return cases.length === 0 ? sql`0` : sql`CASE${sql.join(cases, sql``)} ELSE ${bounds.length - 2} END`;
}

export interface WeekBucketCounts {
  week: number;
  held: number;
  markedSessions: number;
  attended: number;
  decided: number;
}

/**
 * Per local week (bounds: weeks + 1 ascending instants): sessions held, and the attendance of the
 * marked ones, by the same rules as readHeldSessions. One grouped query, whatever the number of weeks.
 */
export function readWeeklyCounts(deps: ServiceDeps, teamId: string, bounds: readonly number[], asOf: number, channelId: string | null): WeekBucketCounts[] {
  const scope: KpiScope = { teamId, from: bounds[0]!, to: bounds[bounds.length - 1]!, asOf, channelId };
  const rows = deps.db.all<WeekBucketCounts>(sql`
    SELECT ${bucketOf('startsAt', bounds)} AS week, count(*) AS held, sum(decided > 0) AS markedSessions,
      sum(CASE WHEN decided > 0 THEN yes ELSE 0 END) AS attended, sum(decided) AS decided FROM (
      SELECT s.starts_at AS startsAt, coalesce(sum(p.attended = 'yes'), 0) AS yes, coalesce(sum(p.attended != 'unknown'), 0) AS decided
      FROM ${sessionsByStart(channelId)} LEFT JOIN ${PARTICIPANTS} AND ${INVITED}
      WHERE ${heldSessions(scope)}
      GROUP BY s.number
    ) GROUP BY week`);
  return Array.from({ length: bounds.length - 1 }, (_, week) => rows.find((r) => r.week === week) ?? { week, held: 0, markedSessions: 0, attended: 0, decided: 0 });
}
