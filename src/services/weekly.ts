import { and, eq, sql } from 'drizzle-orm';
import { jobs } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import { z } from 'zod';
import { defineJobKind, existingJobKeys, listJobKeys, rescheduleJob, scheduleJob } from './jobs.js';
import { chooseZone, resolvePersonZone } from './members.js';
import { getSettings, type WorkspaceSettings } from './workspace-settings.js';
import { isoWeekId, localDateYmd, nextLocalOccurrence, startOfLocalDay } from './time.js';
import { getWorkspace } from './workspaces.js';
import type { SessionSummary } from './session-model.js';

/**
 * The weekly "your week" DM. Each active member gets one per ISO week, on the workspace's
 * weekday and hour in their OWN zone. The job key `weekly:<user>:<YYYY-Www>` makes a second
 * one in the same week impossible, even when the day or hour changes mid-week.
 *
 * Active = joined (not left, not waitlisted) or hosted a non-cancelled session that started in
 * the last 60 days or is still to come, or joined one in the last 60 days. ("Has a skills
 * profile" joins this list once skills profiles exist.)
 */

export const WEEKLY_KIND = 'weekly';

export const WeeklyPayload = z.object({ userId: z.string().min(1) });
export type WeeklyPayload = z.infer<typeof WeeklyPayload>;

/** weekly:<user>:<week>: the "your week" DM, composed at send time. */
export const WeeklyJob = defineJobKind({ kind: WEEKLY_KIND, payload: WeeklyPayload, key: (k: { userId: string; weekId: string }) => weeklyKey(k.userId, k.weekId) });

/** How far back taking part makes someone active (see the top of this file). */
export const ACTIVE_WINDOW_MS = 60 * 24 * 60 * 60_000;
export const WEEKLY_SUGGESTIONS_MAX = 3;

export interface ActiveMember {
  userId: string;
  timeZone: string | null;
}

export function listActiveMembers(deps: ServiceDeps, teamId: string): ActiveMember[] {
  const since = deps.clock.now() - ACTIVE_WINDOW_MS;
  return deps.db.all<{ userId: string; timeZone: string | null }>(sql`
    SELECT a.user_id AS userId, m.time_zone AS timeZone FROM (
      SELECT p.user_id FROM participants p
        JOIN sessions s ON s.team_id = p.team_id AND s.number = p.session_number
        WHERE p.team_id = ${teamId} AND p.left_at IS NULL AND p.waitlisted = 0 AND s.status = 'scheduled'
          AND (s.starts_at >= ${since} OR p.joined_at >= ${since})
      UNION
      SELECT s.host_id FROM sessions s
        WHERE s.team_id = ${teamId} AND s.status = 'scheduled' AND s.starts_at >= ${since}
    ) a
    LEFT JOIN members m ON m.team_id = ${teamId} AND m.user_id = a.user_id
    ORDER BY a.user_id`);
}

/**
 * The workspaces that have an active member (listActiveMembers would return someone): the same
 * predicate, asked once per workspace, so the weekly planner visits only these. A session
 * starting in the window covers its host and attendees; an attendee who joined in the window a
 * session that started before it is the second case.
 */
export function listTeamsWithActiveMembers(deps: ServiceDeps): string[] {
  const since = deps.clock.now() - ACTIVE_WINDOW_MS;
  return deps.db
    .all<{ teamId: string }>(
      sql`SELECT w.team_id AS teamId FROM workspaces w WHERE
        EXISTS (SELECT 1 FROM sessions s WHERE s.team_id = w.team_id AND s.status = 'scheduled' AND s.starts_at >= ${since})
        OR EXISTS (SELECT 1 FROM participants p JOIN sessions s ON s.team_id = p.team_id AND s.number = p.session_number
          WHERE p.team_id = w.team_id AND p.left_at IS NULL AND p.waitlisted = 0 AND s.status = 'scheduled' AND p.joined_at >= ${since})`,
    )
    .map((r) => r.teamId);
}

/** `weekly:<user>:<YYYY-Www>`, the one weekly DM a person gets in that ISO week. */
export function weeklyKey(userId: string, weekId: string): string {
  return `${WEEKLY_KIND}:${userId}:${weekId}`;
}

/** `weekly:U123:2026-W45` -> { userId, weekId }, or undefined for a key of another shape. */
export function parseWeeklyKey(key: string): { userId: string; weekId: string } | undefined {
  const match = /^weekly:([^:]+):(\d{4}-W\d{2})$/.exec(key);
  return match === null ? undefined : { userId: match[1]!, weekId: match[2]! };
}

/** Monday of an ISO week, as YYYY-MM-DD. */
export function isoWeekMonday(weekId: string): string {
  const [yearText, weekText] = weekId.split('-W') as [string, string];
  const year = Number(yearText);
  // Week 1 is the week holding January 4th.
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const jan4Day = jan4.getUTCDay() === 0 ? 7 : jan4.getUTCDay();
  const monday = new Date(Date.UTC(year, 0, 4 - (jan4Day - 1) + (Number(weekText) - 1) * 7));
  return monday.toISOString().slice(0, 10);
}

/** When the weekly DM of ISO week `weekId` is due for a person in `zone`, and when the next one is. */
export function weeklyWindow(settings: Pick<WorkspaceSettings, 'weeklyDay' | 'weeklyHour'>, weekId: string, zone: string): { dueAt: number; endsAt: number } {
  const dueAt = nextLocalOccurrence(settings.weeklyDay, settings.weeklyHour, zone, startOfLocalDay(isoWeekMonday(weekId), zone));
  return { dueAt, endsAt: nextLocalOccurrence(settings.weeklyDay, settings.weeklyHour, zone, dueAt + 1) };
}

/** The ISO week before `weekId` (plain date arithmetic on its Monday: no zone involved). */
function previousWeekId(weekId: string): string {
  const monday = Date.parse(`${isoWeekMonday(weekId)}T00:00:00Z`);
  return isoWeekId(new Date(monday - 7 * 24 * 60 * 60_000).toISOString().slice(0, 10));
}

/**
 * The week whose weekly DM is due at `atMs` for a person in `zone`: its due time has passed and
 * the next week's has not. That is the local week holding `atMs`, or the one before while this
 * week's day and hour are still ahead.
 */
export function currentWeeklyWeek(settings: Pick<WorkspaceSettings, 'weeklyDay' | 'weeklyHour'>, zone: string, atMs: number): { weekId: string; dueAt: number; endsAt: number } {
  const thisWeek = isoWeekId(localDateYmd(atMs, zone));
  const window = weeklyWindow(settings, thisWeek, zone);
  if (window.dueAt <= atMs) return { weekId: thisWeek, ...window };
  const lastWeek = previousWeekId(thisWeek);
  return { weekId: lastWeek, ...weeklyWindow(settings, lastWeek, zone) };
}

/**
 * Plans the weekly DM of the week in progress for someone whose pending DM turned out to be for
 * a week that is over. The planner only ever plans the next occurrence, so downtime across two
 * due times (down Sunday to the Tuesday a week later) leaves the week in progress unplanned;
 * the stale job hands over to it, due at once, and it is sent until the next week's is due.
 * Only a stale job triggers this, so someone who becomes active mid-week still waits for the
 * next due time as before. A key already there (sent, skipped) is left alone: one per week.
 * Returns the key when it planned one.
 */
export function planMissedWeeklyDm(deps: ServiceDeps, teamId: string, userId: string, zone: string): string | undefined {
  const now = deps.clock.now();
  const { weekId } = currentWeeklyWeek(getSettings(deps, teamId), zone, now);
  const key = weeklyKey(userId, weekId);
  return scheduleJob(deps, { teamId, kind: WEEKLY_KIND, key, runAt: now, payload: { userId } }) ? key : undefined;
}

/**
 * Creates each active member's next weekly job (at their next local occurrence). Idempotent:
 * a known key is left alone, so this can run on every tick. Returns how many were created.
 */
export function planWeeklyDms(deps: ServiceDeps, teamId: string, fallbackZone: string): number {
  const workspace = getWorkspace(deps, teamId);
  if (workspace === undefined) return 0;
  const settings = getSettings(deps, teamId);
  const now = deps.clock.now();
  const members = listActiveMembers(deps, teamId);
  // People share a handful of zones; the zone arithmetic (Intl) is done once per zone, not per person.
  const byZone = new Map<string, { dueAt: number; weekId: string }>();
  const occurrenceIn = (zone: string) => {
    let hit = byZone.get(zone);
    if (hit === undefined) {
      const dueAt = nextLocalOccurrence(settings.weeklyDay, settings.weeklyHour, zone, now);
      hit = { dueAt, weekId: isoWeekId(localDateYmd(dueAt, zone)) };
      byZone.set(zone, hit);
    }
    return hit;
  };
  const wanted = members.map((member) => {
    // The member's zone came with the active-member query: no lookup per person.
    const { dueAt, weekId } = occurrenceIn(chooseZone(member.timeZone, workspace.timeZone, fallbackZone));
    return { userId: member.userId, key: weeklyKey(member.userId, weekId), dueAt };
  });
  // Keys planned already (this runs every tick): skip them without an INSERT each. Looked up by
  // exact key on (team_id, key), not by kind and run_at, which the index cannot serve and which
  // read the workspace's whole job history on every tick.
  const known = existingJobKeys(deps, teamId, wanted.map((w) => w.key));
  let created = 0;
  deps.db.transaction(() => {
    for (const { userId, key, dueAt } of wanted) {
      if (known.has(key)) continue;
      const added = scheduleJob(deps, { teamId, kind: WEEKLY_KIND, key, runAt: dueAt, payload: { userId } });
      if (added) created += 1;
    }
  });
  return created;
}

/** When a pending weekly job should run: its week's due time in the person's zone as it is now, or now if that has passed. */
function weeklyRunAt(
  deps: ServiceDeps,
  teamId: string,
  job: { userId: string; weekId: string },
  settings: Pick<WorkspaceSettings, 'weeklyDay' | 'weeklyHour'>,
  fallbackZone: string,
  now: number,
): number {
  const zone = resolvePersonZone(deps, teamId, job.userId, fallbackZone);
  return Math.max(weeklyWindow(settings, job.weekId, zone).dueAt, now);
}

/**
 * After the weekly day or hour changed: moves every pending weekly job to the new time in its
 * week (in its person's zone). A week whose new time has already passed is sent at once: the
 * person has not had that week's DM yet. Returns how many moved.
 */
export function rescheduleWeeklyDms(deps: ServiceDeps, teamId: string, fallbackZone: string): number {
  if (getWorkspace(deps, teamId) === undefined) return 0;
  const settings = getSettings(deps, teamId);
  const now = deps.clock.now();
  const pending = deps.db
    .select({ key: jobs.key, runAt: jobs.runAt })
    .from(jobs)
    .where(and(eq(jobs.teamId, teamId), eq(jobs.kind, WEEKLY_KIND), eq(jobs.status, 'pending')))
    .all();
  let moved = 0;
  deps.db.transaction(() => {
    for (const job of pending) {
      const parsed = parseWeeklyKey(job.key);
      if (parsed === undefined) continue;
      const runAt = weeklyRunAt(deps, teamId, parsed, settings, fallbackZone, now);
      if (runAt !== job.runAt && rescheduleJob(deps, teamId, job.key, runAt)) moved += 1;
    }
  });
  return moved;
}

/**
 * One person's pending weekly DM, moved to the due time in their zone as it is now (called when a
 * profile refresh finds their Slack zone changed). Someone who moved west would otherwise be
 * corrected at send time, but someone who moved east would get it hours late: a job is only
 * looked at when it falls due. Returns whether a job moved.
 */
export function rescheduleWeeklyDmFor(deps: ServiceDeps, teamId: string, userId: string, fallbackZone: string): boolean {
  if (getWorkspace(deps, teamId) === undefined) return false;
  const settings = getSettings(deps, teamId);
  const now = deps.clock.now();
  let moved = false;
  for (const row of listJobKeys(deps, teamId, weeklyKey(userId, ''))) {
    if (row.status !== 'pending') continue;
    const parsed = parseWeeklyKey(row.key);
    if (parsed === undefined || parsed.userId !== userId) continue;
    if (rescheduleJob(deps, teamId, row.key, weeklyRunAt(deps, teamId, parsed, settings, fallbackZone, now))) moved = true;
  }
  return moved;
}

export interface WeeklySession extends SessionSummary {
  topic: string;
  channelId: string;
  /** The reader's relation (their own sessions only). */
  role?: 'host' | 'attendee' | 'waitlisted';
  /** Open seats left (suggestions with a capacity only). */
  spotsLeft?: number | null;
}

export interface WeekOverview {
  mine: WeeklySession[];
  suggestions: WeeklySession[];
}

interface SessionRow extends SessionSummary {
  topic: string;
  channelId: string;
  capacity: number | null;
  myRole: 'host' | 'attendee' | null;
  myWaitlisted: number | null;
  myLeftAt: number | null;
  hasRow: number;
  taken: number;
}

/**
 * What one person's weekly DM lists, for sessions starting in [now, untilMs): the sessions they
 * host or joined, and up to three open ones (not full, not theirs, not ones they left) ranked by
 * the topics, then formats, of sessions they took part in before, then by start time.
 */
export function getWeekOverview(deps: ServiceDeps, teamId: string, userId: string, untilMs: number): WeekOverview {
  const now = deps.clock.now();
  const rows = deps.db.all<SessionRow>(sql`
    SELECT s.number, s.title, s.topic, s.format, s.host_id AS hostId, s.starts_at AS startsAt,
      s.duration_min AS durationMin, s.channel_id AS channelId, s.capacity,
      me.role AS myRole, me.waitlisted AS myWaitlisted, me.left_at AS myLeftAt, me.user_id IS NOT NULL AS hasRow,
      (SELECT count(*) FROM participants o WHERE o.team_id = s.team_id AND o.session_number = s.number
         AND o.role = 'attendee' AND o.left_at IS NULL AND o.waitlisted = 0) AS taken
    FROM sessions s
    LEFT JOIN participants me ON me.team_id = s.team_id AND me.session_number = s.number AND me.user_id = ${userId}
    WHERE s.team_id = ${teamId} AND s.status = 'scheduled' AND s.starts_at >= ${now} AND s.starts_at < ${untilMs}
    ORDER BY s.starts_at, s.number`);
  const toSession = (r: SessionRow): WeeklySession => ({
    number: r.number,
    title: r.title,
    topic: r.topic,
    format: r.format,
    hostId: r.hostId,
    startsAt: r.startsAt,
    durationMin: r.durationMin,
    channelId: r.channelId,
  });
  const mine: WeeklySession[] = [];
  const open: SessionRow[] = [];
  for (const r of rows) {
    const isHost = r.hostId === userId || r.myRole === 'host';
    if (isHost || (r.hasRow && r.myLeftAt === null)) {
      mine.push({ ...toSession(r), role: isHost ? 'host' : r.myWaitlisted ? 'waitlisted' : 'attendee' });
    } else if (!r.hasRow && (r.capacity === null || r.taken < r.capacity)) {
      open.push(r);
    }
  }
  const history = deps.db.all<{ topic: string; format: string }>(sql`
    SELECT DISTINCT lower(s.topic) AS topic, s.format FROM sessions s
    LEFT JOIN participants p ON p.team_id = s.team_id AND p.session_number = s.number AND p.user_id = ${userId}
    WHERE s.team_id = ${teamId} AND s.status = 'scheduled' AND s.starts_at < ${now}
      AND (s.host_id = ${userId} OR (p.user_id IS NOT NULL AND p.left_at IS NULL AND p.waitlisted = 0 AND p.attended != 'no'))`);
  const topics = new Set(history.map((h) => h.topic.trim()));
  const formats = new Set(history.map((h) => h.format));
  const score = (r: SessionRow): number => (topics.has(r.topic.trim().toLowerCase()) ? 2 : 0) + (formats.has(r.format) ? 1 : 0);
  const suggestions = open
    .map((r, index) => ({ r, index, score: score(r) }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, WEEKLY_SUGGESTIONS_MAX)
    .map(({ r }) => ({ ...toSession(r), spotsLeft: r.capacity === null ? null : r.capacity - r.taken }));
  return { mine, suggestions };
}
