import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { digestSnapshots, jobs, members } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import { cancelPendingJobs, defineJobKind, existingJobKeys, getJob, listJobKeys, rescheduleJob, scheduleJob } from './jobs.js';
import type { KpiReport } from './kpi-report.js';
import { applyPreviousFromSnapshot, computeKpiReport, computeWeeklySeries, weekPeriod } from './kpis.js';
import { listUpcomingSessions } from './session-queries.js';
import { mayDirectMessage } from './delivery.js';
import { resolveWorkspaceZone } from './members.js';
import { SlackUserId } from './match-people.js';
import { isoWeekId, localDateYmd, nextLocalOccurrence, startOfLocalDay } from './time.js';
import { isoWeekMonday } from './weekly.js';
import { getSettings, SlackChannelId, type WorkspaceSettings } from './workspace-settings.js';

/**
 * The weekly KPI digest of a workspace: when it runs, its job, and the snapshot of the numbers
 * behind it.
 *
 * One job per workspace and week, `digest:<team>:<ISO week>`, where the ISO week is the week the
 * digest COVERS (Monday to Sunday in the workspace zone), not the week it is posted in: the
 * digest on Monday 30 Nov 2026 09:00 covers 23-29 Nov and is `digest:T1:2026-W48`. It runs at the
 * workspace's digest weekday and hour (settings; default Monday 09:00, workspace zone) in the
 * week after the one it covers, so a digest on any weekday always covers the last full week.
 * Keying by the covered week is what makes a digest impossible to post twice: moving the day or
 * hour, a restart, a re-run or a manual "Post now" all land on the same key and the same snapshot.
 *
 * The snapshot (digest_snapshots, one row per team and week) is stored BEFORE the post: a re-run
 * posts the stored numbers (or nothing, once posted), and next week's trend compares with what
 * this digest said rather than a recomputation over data changed since. Its status says what
 * became of it: computed (not posted yet), posted (message_ts; chart_file_id once the chart is
 * in the thread), not_in_channel (Slack refused: Peerloop is not in the channel), post_failed
 * (Slack refused it for good for another reason: nothing was posted, Post now may try again).
 *
 * When Slack refuses the digest for good (Peerloop is not in the channel, or any other permanent
 * error), the admins get one DM, with the reason in words, per streak (`digest_notice:<channel>:<week>:<user>`, the first refused week): two refused weeks
 * in a row are told once; fixed and broken again, they are told again.
 */

export const DIGEST_KIND = 'digest';
export const DIGEST_NOTICE_KIND = 'digest_notice';

/** An ISO week id like 2026-W48: in job keys and payloads, and the value of the Post now button. */
export const IsoWeek = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'not an ISO week like 2026-W48');

export const DigestPayload = z.object({
  weekId: IsoWeek,
  /** Set when an admin asked for it now (`/peer digest` → Post now): runs at once, not at the digest hour. */
  requestedBy: SlackUserId.optional(),
});
export type DigestPayload = z.infer<typeof DigestPayload>;

/** A Slack error code (is_archived, missing_scope, …): the notice says in words what it means. */
const SlackErrorCode = z.string().regex(/^[a-z0-9_:.]{1,60}$/, 'not a Slack error code');

export const DigestNoticePayload = z.object({
  userId: SlackUserId,
  channelId: SlackChannelId,
  weekId: IsoWeek,
  /** Why Slack refused the post; absent in notices planned before it was recorded (not in the channel). */
  error: SlackErrorCode.optional(),
});
export type DigestNoticePayload = z.infer<typeof DigestNoticePayload>;

export const digestKey = (teamId: string, weekId: string): string => `${DIGEST_KIND}:${teamId}:${weekId}`;
export const digestNoticeKey = (p: DigestNoticePayload): string => `${DIGEST_NOTICE_KIND}:${p.channelId}:${p.weekId}:${p.userId}`;

export const DigestJob = defineJobKind({ kind: DIGEST_KIND, payload: DigestPayload, key: (k: { teamId: string; weekId: string }) => digestKey(k.teamId, k.weekId) });
export const DigestNoticeJob = defineJobKind({ kind: DIGEST_NOTICE_KIND, payload: DigestNoticePayload, key: digestNoticeKey });

/**
 * Skip reasons after which "Post now" may run the week's job again: nothing was posted (Slack
 * refused the post: not in the channel, or for good for another reason such as missing_scope).
 */
export const DIGEST_REVIVABLE_SKIPS = ['not_in_channel', 'no_channel', 'post_failed'] as const;

/** At most this many people are told that the digest channel refused the post. */
export const DIGEST_NOTICE_RECIPIENTS_MAX = 10;

// ---------------------------------------------------------------------------------------------
// Weeks and due times

const DAY_MS = 24 * 60 * 60_000;

/** `2026-W48` plus `n` weeks (plain date arithmetic on its Monday: no zone involved). */
export function addIsoWeeks(weekId: string, n: number): string {
  const monday = Date.parse(`${isoWeekMonday(weekId)}T00:00:00Z`);
  return isoWeekId(new Date(monday + n * 7 * DAY_MS).toISOString().slice(0, 10));
}

/**
 * The week a digest running at `atMs` covers: the last full local week (Monday to Sunday in
 * `zone`) before the day it runs on, i.e. the ISO week of the local date a week earlier.
 */
export function digestWeekAt(atMs: number, zone: string): string {
  const today = localDateYmd(atMs, zone);
  return isoWeekId(new Date(Date.parse(`${today}T00:00:00Z`) - 7 * DAY_MS).toISOString().slice(0, 10));
}

type DigestSchedule = Pick<WorkspaceSettings, 'digestDay' | 'digestHour'>;

/** When the digest covering `weekId` is due: the digest weekday and hour in the week after it, in `zone` (DST-aware). */
export function digestDueAt(settings: DigestSchedule, weekId: string, zone: string): number {
  return nextLocalOccurrence(settings.digestDay, settings.digestHour, zone, startOfLocalDay(isoWeekMonday(addIsoWeeks(weekId, 1)), zone));
}

/** The next digest due at or after `atMs`, and the week it covers. */
export function nextDigest(settings: DigestSchedule, zone: string, atMs: number): { weekId: string; dueAt: number } {
  const dueAt = nextLocalOccurrence(settings.digestDay, settings.digestHour, zone, atMs);
  return { weekId: digestWeekAt(dueAt, zone), dueAt };
}

/** The digest whose due time passed most recently at `atMs` (the one a late start should still send). */
export function currentDigestWeek(settings: DigestSchedule, zone: string, atMs: number): string {
  const week = digestWeekAt(atMs, zone);
  return digestDueAt(settings, week, zone) <= atMs ? week : addIsoWeeks(week, -1);
}

/** `digest:T1:2026-W48` -> 2026-W48 for this workspace, else undefined. */
export function parseDigestKey(teamId: string, key: string): string | undefined {
  const prefix = `${DIGEST_KIND}:${teamId}:`;
  if (!key.startsWith(prefix)) return undefined;
  const week = IsoWeek.safeParse(key.slice(prefix.length));
  return week.success ? week.data : undefined;
}

// ---------------------------------------------------------------------------------------------
// Planning

/** The workspaces with a digest channel: the planner visits only these. */
export function listTeamsWithDigestChannel(deps: ServiceDeps): string[] {
  return deps.db
    .all<{ teamId: string }>(sql`SELECT team_id AS teamId FROM workspaces
      WHERE CASE WHEN json_valid(settings) THEN json_extract(settings, '$.digestChannelId') END IS NOT NULL`)
    .map((r) => r.teamId);
}

/**
 * Plans the workspace's next digest (at its next due time), when it has a digest channel.
 * Idempotent: a known key is left alone (but a cancelled one is revived: the next digest is
 * always due in the future), so this runs on every tick. Returns whether it planned or revived one.
 */
export function planDigest(deps: ServiceDeps, teamId: string, fallbackZone: string): boolean {
  const settings = getSettings(deps, teamId);
  if (settings.digestChannelId === null) return false;
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  const next = nextDigest(settings, zone, deps.clock.now());
  const key = digestKey(teamId, next.weekId);
  // A known key is left alone, except one cancelled when the channel was cleared: chosen again
  // before its due time, that week still gets its digest (scheduleJob revives a cancelled row).
  // Done, running, failed and pending rows are never touched here.
  if (existingJobKeys(deps, teamId, [key]).has(key) && getJob(deps, teamId, key)?.status !== 'cancelled') return false;
  return scheduleJob(deps, { teamId, kind: DIGEST_KIND, key, runAt: next.dueAt, payload: { weekId: next.weekId } });
}

/**
 * Plans the digest of the week in progress for a workspace whose pending digest turned out to be
 * for a week that is over (the app was down across two due times): it is due at once, and sent
 * until the next one is due. A key already there (posted, skipped) is left alone.
 */
export function planMissedDigest(deps: ServiceDeps, teamId: string, fallbackZone: string): string | undefined {
  const now = deps.clock.now();
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  const weekId = currentDigestWeek(getSettings(deps, teamId), zone, now);
  const key = digestKey(teamId, weekId);
  return scheduleJob(deps, { teamId, kind: DIGEST_KIND, key, runAt: now, payload: { weekId } }) ? key : undefined;
}

/**
 * After a change of the digest channel, weekday, hour or the workspace zone (called inside the
 * settings transaction): no channel cancels the pending digest; otherwise each pending digest
 * moves to its week's new due time (at once if that has passed: the week has not had its digest
 * yet) and the next one is planned. Returns how many jobs moved, were cancelled or planned.
 */
export function replanDigest(deps: ServiceDeps, teamId: string, fallbackZone: string): number {
  const settings = getSettings(deps, teamId);
  const prefix = `${DIGEST_KIND}:${teamId}:`;
  if (settings.digestChannelId === null) return cancelPendingJobs(deps, teamId, prefix, { reason: 'no_channel' });
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  const now = deps.clock.now();
  let changed = 0;
  for (const row of listJobKeys(deps, teamId, prefix)) {
    if (row.status !== 'pending') continue;
    const weekId = parseDigestKey(teamId, row.key);
    if (weekId === undefined) continue;
    // A digest an admin asked for now stays now.
    const job = getJob(deps, teamId, row.key);
    if (DigestPayload.safeParse(job?.payload).data?.requestedBy !== undefined) continue;
    if (rescheduleJob(deps, teamId, row.key, Math.max(digestDueAt(settings, weekId, zone), now))) changed += 1;
  }
  if (planDigest(deps, teamId, fallbackZone)) changed += 1;
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Due checks

export type DigestCheck =
  | { run: false; reason: 'no_channel' }
  | { run: false; reason: 'not_due'; at: number }
  | { run: false; reason: 'too_late' }
  | { run: true; channelId: string; zone: string; settings: WorkspaceSettings; dueAt: number };

/**
 * Just before the digest of `weekId` runs: is there a channel, is it due (an admin's "Post now"
 * always is), and is it still worth posting? A digest is posted late (the app was down) until the
 * next week's is due; after that it is skipped as too late, and the week in progress takes over.
 * The due time is computed in the workspace zone as it is now, so a zone change never makes a
 * second digest: same week, same key.
 */
export function checkDigest(deps: ServiceDeps, teamId: string, payload: DigestPayload, fallbackZone: string): DigestCheck {
  const settings = getSettings(deps, teamId);
  if (settings.digestChannelId === null) return { run: false, reason: 'no_channel' };
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  const now = deps.clock.now();
  const dueAt = digestDueAt(settings, payload.weekId, zone);
  if (payload.requestedBy === undefined) {
    if (now < dueAt) return { run: false, reason: 'not_due', at: dueAt };
    if (now >= digestDueAt(settings, addIsoWeeks(payload.weekId, 1), zone)) return { run: false, reason: 'too_late' };
  }
  return { run: true, channelId: settings.digestChannelId, zone, settings, dueAt };
}

// ---------------------------------------------------------------------------------------------
// Snapshots

export type SnapshotStatus = (typeof digestSnapshots.$inferSelect)['status'];

export interface DigestSnapshot {
  teamId: string;
  weekId: string;
  report: KpiReport;
  channelId: string | null;
  status: SnapshotStatus;
  messageTs: string | null;
  chartFileId: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * What a stored report must look like to be rendered: the shape's outline (every part the digest
 * reads), so a row written by another version is refused here rather than half-rendered.
 */
const StoredReport = z.looseObject({
  teamId: z.string(),
  period: z.object({ from: z.number(), to: z.number() }),
  timeZone: z.string(),
  hasAnySessions: z.boolean(),
  participation: z.looseObject({ value: z.number().nullable() }),
  sessions: z.looseObject({ held: z.number(), perWeek: z.looseObject({}), per30Days: z.looseObject({}), averageMinutes: z.looseObject({}) }),
  satisfaction: z.looseObject({ value: z.number().nullable(), distribution: z.array(z.number()).length(5), openPolls: z.number().optional() }),
  competency: z.looseObject({ value: z.number().nullable() }),
  matching: z.looseObject({ groups: z.number(), metShare: z.looseObject({}) }),
  contributors: z.looseObject({ hosts: z.array(z.unknown()), teachers: z.array(z.unknown()), newParticipants: z.array(z.unknown()) }),
  skillGaps: z.array(z.unknown()),
  topSessions: z.array(z.unknown()),
  // Added after the first snapshots were stored: absent there, read as the list's length.
  skillGapsTotal: z.number().optional(),
});

function parseReport(deps: ServiceDeps, teamId: string, weekId: string, text: string): KpiReport | null {
  try {
    const parsed = StoredReport.safeParse(JSON.parse(text));
    if (parsed.success) {
      const data = parsed.data;
      return {
        ...data,
        satisfaction: { ...data.satisfaction, openPolls: data.satisfaction.openPolls ?? 0 },
        skillGapsTotal: data.skillGapsTotal ?? data.skillGaps.length,
      } as unknown as KpiReport;
    }
  } catch {
    // Not JSON: reported below.
  }
  deps.logger.warn({ teamId, weekId }, 'stored digest snapshot is unreadable; treated as missing numbers');
  return null;
}

type SnapshotRow = typeof digestSnapshots.$inferSelect;

function toSnapshot(deps: ServiceDeps, row: SnapshotRow): DigestSnapshot | undefined {
  const report = parseReport(deps, row.teamId, row.weekId, row.kpis);
  if (report === null) return undefined;
  return {
    teamId: row.teamId,
    weekId: row.weekId,
    report,
    channelId: row.channelId,
    status: row.status,
    messageTs: row.messageTs,
    chartFileId: row.chartFileId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function snapshotRow(deps: ServiceDeps, teamId: string, weekId: string): SnapshotRow | undefined {
  return deps.db
    .select()
    .from(digestSnapshots)
    .where(and(eq(digestSnapshots.teamId, teamId), eq(digestSnapshots.weekId, weekId)))
    .get();
}

/**
 * The stored snapshot of a week with its numbers; undefined when there is none or its numbers
 * cannot be read back (getDigestSnapshotStatus still says whether it was posted, so nothing is
 * posted twice).
 */
export function getDigestSnapshot(deps: ServiceDeps, teamId: string, weekId: string): DigestSnapshot | undefined {
  const row = snapshotRow(deps, teamId, weekId);
  return row === undefined ? undefined : toSnapshot(deps, row);
}

/** The status, ts and chart of a week's snapshot, readable or not. */
export function getDigestSnapshotStatus(deps: ServiceDeps, teamId: string, weekId: string): Pick<SnapshotRow, 'status' | 'messageTs' | 'chartFileId' | 'channelId' | 'updatedAt'> | undefined {
  return deps.db
    .select({ status: digestSnapshots.status, messageTs: digestSnapshots.messageTs, chartFileId: digestSnapshots.chartFileId, channelId: digestSnapshots.channelId, updatedAt: digestSnapshots.updatedAt })
    .from(digestSnapshots)
    .where(and(eq(digestSnapshots.teamId, teamId), eq(digestSnapshots.weekId, weekId)))
    .get();
}

/**
 * Stores a week's numbers before they are posted. The first write wins: a second run (a retry, a
 * second process) gets the stored snapshot back and posts those numbers, never fresh ones.
 */
export function storeDigestSnapshot(deps: ServiceDeps, teamId: string, weekId: string, report: KpiReport, channelId: string): DigestSnapshot {
  const now = deps.clock.now();
  deps.db
    .insert(digestSnapshots)
    .values({ teamId, weekId, periodStart: report.period.from, periodEnd: report.period.to, kpis: JSON.stringify(report), channelId, status: 'computed', createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .run();
  const stored = getDigestSnapshot(deps, teamId, weekId);
  if (stored === undefined) throw new Error(`digest snapshot ${teamId} ${weekId} was not stored`);
  return stored;
}

/** The digest is in the channel (recorded right after the post, before the chart is uploaded). */
export function recordDigestPosted(deps: ServiceDeps, teamId: string, weekId: string, channelId: string, messageTs: string): void {
  deps.db
    .update(digestSnapshots)
    .set({ status: 'posted', channelId, messageTs, updatedAt: deps.clock.now() })
    .where(and(eq(digestSnapshots.teamId, teamId), eq(digestSnapshots.weekId, weekId)))
    .run();
}

/** The chart is in the digest's thread: a re-run uploads it no more. */
export function recordDigestChart(deps: ServiceDeps, teamId: string, weekId: string, fileId: string): void {
  deps.db
    .update(digestSnapshots)
    .set({ chartFileId: fileId, updatedAt: deps.clock.now() })
    .where(and(eq(digestSnapshots.teamId, teamId), eq(digestSnapshots.weekId, weekId)))
    .run();
}

/**
 * Slack refused the post for good (status not_in_channel, or post_failed for any other permanent
 * error, `error` being Slack's code): recorded on the snapshot, and the admins told by DM once
 * per streak (see the top of this file). Returns the notice keys planned.
 */
export function recordDigestNotInChannel(
  deps: ServiceDeps,
  teamId: string,
  weekId: string,
  channelId: string,
  recipients: readonly string[],
  error?: string,
  status: 'not_in_channel' | 'post_failed' = 'not_in_channel',
): string[] {
  return deps.db.transaction((tx) => {
    const txDeps = { ...deps, db: tx };
    const before = tx
      .select({ status: digestSnapshots.status, channelId: digestSnapshots.channelId })
      .from(digestSnapshots)
      .where(and(eq(digestSnapshots.teamId, teamId), lt(digestSnapshots.weekId, weekId)))
      .orderBy(desc(digestSnapshots.weekId))
      .limit(1)
      .get();
    tx.update(digestSnapshots)
      .set({ status, channelId, updatedAt: deps.clock.now() })
      .where(and(eq(digestSnapshots.teamId, teamId), eq(digestSnapshots.weekId, weekId)))
      .run();
    if (before?.status === status && before.channelId === channelId) return [];
    const keys: string[] = [];
    const now = deps.clock.now();
    for (const userId of recipients.slice(0, DIGEST_NOTICE_RECIPIENTS_MAX)) {
      const payload: DigestNoticePayload = { userId, channelId, weekId, ...(error === undefined ? {} : { error }) };
      if (scheduleJob(txDeps, { teamId, kind: DIGEST_NOTICE_KIND, key: digestNoticeKey(payload), runAt: now, payload })) keys.push(digestNoticeKey(payload));
    }
    return keys;
  });
}

/**
 * Who hears that the digest could not be posted: the person who last saved the settings (they
 * chose the channel), then the people in PEERLOOP_ADMINS, then the Slack admins and owners
 * Peerloop has seen (members.is_slack_admin), at most DIGEST_NOTICE_RECIPIENTS_MAX. Opted-out
 * people are left out here (they get no DM of any kind).
 */
export function listDigestAdmins(deps: ServiceDeps, teamId: string, extraAdmins: readonly string[]): string[] {
  const settings = getSettings(deps, teamId);
  const slackAdmins = deps.db
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.teamId, teamId), eq(members.isSlackAdmin, true), eq(members.optedOut, false)))
    .orderBy(members.userId)
    .limit(DIGEST_NOTICE_RECIPIENTS_MAX)
    .all()
    .map((r) => r.userId);
  const candidates = [...(settings.savedBy === null ? [] : [settings.savedBy]), ...extraAdmins, ...slackAdmins];
  return [...new Set(candidates)].filter((userId) => mayDirectMessage(deps, teamId, userId)).slice(0, DIGEST_NOTICE_RECIPIENTS_MAX);
}

// ---------------------------------------------------------------------------------------------
// Post now

export type DigestRequest = 'requested' | 'already_posted' | 'in_progress' | 'failed';

/**
 * `/peer digest` → Post now (an admin, checked by the caller): runs the week's digest job now,
 * through the jobs table, so a manual post and the scheduled one are the same job and the same
 * snapshot and can never both post (the job's lease keeps two processes apart). A pending job is
 * moved to now; a job skipped without posting (Peerloop was not in the channel) is revived; a
 * week with no job gets one. A posted week is refused.
 */
export function requestDigestNow(deps: ServiceDeps, teamId: string, weekId: string, requestedBy: string): DigestRequest {
  if (getDigestSnapshotStatus(deps, teamId, weekId)?.status === 'posted') return 'already_posted';
  const key = digestKey(teamId, weekId);
  const payload: DigestPayload = { weekId, requestedBy };
  const now = deps.clock.now();
  return deps.db.transaction((tx) => {
    const txDeps = { ...deps, db: tx };
    const moved = tx
      .update(jobs)
      .set({ runAt: now, payload: JSON.stringify(payload), updatedAt: now })
      .where(and(eq(jobs.teamId, teamId), eq(jobs.key, key), eq(jobs.status, 'pending')))
      .run();
    if (moved.changes === 1) return 'requested';
    if (scheduleJob(txDeps, { teamId, kind: DIGEST_KIND, key, runAt: now, payload, reviveSkipped: DIGEST_REVIVABLE_SKIPS })) return 'requested';
    const job = getJob(txDeps, teamId, key);
    if (job?.status === 'running') return 'in_progress';
    return getDigestSnapshotStatus(txDeps, teamId, weekId)?.status === 'posted' || job?.status === 'done' ? 'already_posted' : 'failed';
  });
}

// ---------------------------------------------------------------------------------------------
// The numbers

/** The digest's period for an ISO week: Monday 00:00 to the next Monday 00:00 in the workspace zone. */
export function digestWeekPeriod(weekId: string, zone: string): KpiReport['period'] {
  return weekPeriod(isoWeekMonday(weekId), zone);
}

/**
 * The KPI report a digest of `weekId` shows: Monday to Sunday of that ISO week in the workspace
 * zone, whatever weekday the digest is posted on (so a key names one period, a manual post never
 * covers days still to come, and the chart's weeks are the same weeks). `zone` (resolveWorkspaceZone)
 * is the one zone of the period, the report's labels and the chart. Workspace-wide: the digest channel is where it is
 * posted, not a filter (sessions are announced in many channels). The trend compares with last
 * week's stored snapshot when there is one (what last week's digest said), else with the previous
 * week as the KPI service computes it now.
 */
export function computeDigestReport(deps: ServiceDeps, teamId: string, weekId: string, zone: string): KpiReport {
  const lastWeek = getDigestSnapshot(deps, teamId, addIsoWeeks(weekId, -1));
  const period = digestWeekPeriod(weekId, zone);
  if (lastWeek === undefined) return computeKpiReport(deps, teamId, { period, zone, previousPeriod: digestWeekPeriod(addIsoWeeks(weekId, -1), zone) });
  return applyPreviousFromSnapshot(computeKpiReport(deps, teamId, { period, zone, previousPeriod: null }), lastWeek.report);
}

/** Weeks the chart shows, ending with the digest's. */
export const DIGEST_CHART_WEEKS = 8;

export interface DigestChartData {
  weeks: { weekStart: string; participationPct: number | null; sessionsHeld: number }[];
  participationTargetPct: number;
  /** The monthly target as a weekly line: a month is the KPI's rolling 30 days, so target x 7 / 30. */
  sessionsPerWeekTarget: number;
}

/**
 * The chart's eight weeks: participation and sessions held per week, ending with the digest's
 * own week. The earlier weeks are computed now, from live data: attendance marked and polls
 * answered after a week's digest was posted (a poll stays open 72 h) count there, rather than
 * the snapshot's numbers frozen at Monday 09:00. The digest's own week shows its report, so the
 * chart agrees with the message above it. (Snapshots serve only to post once and for the trend.)
 */
export function digestChartData(deps: ServiceDeps, teamId: string, report: KpiReport): DigestChartData {
  const settings = getSettings(deps, teamId);
  const series = computeWeeklySeries(deps, teamId, { endingBefore: report.period.to, weeks: DIGEST_CHART_WEEKS, zone: report.timeZone });
  const ownWeek = isoWeekId(localDateYmd(report.period.from, report.timeZone));
  const weeks = series.map((w) =>
    isoWeekId(w.weekStart) === ownWeek
      ? { weekStart: w.weekStart, participationPct: report.participation.value, sessionsHeld: report.sessions.held }
      : { weekStart: w.weekStart, participationPct: w.participationPct, sessionsHeld: w.sessionsHeld },
  );
  return {
    weeks,
    participationTargetPct: settings.participationTargetPct,
    sessionsPerWeekTarget: Math.round(((settings.sessionsPerMonthTarget * 7) / 30) * 10) / 10,
  };
}

/** How many sessions the digest lists with a Join button (the rest are counted): read here, shown by blocks/digest.ts. */
export const DIGEST_UPCOMING_MAX = 8;

export interface UpcomingForDigest {
  sessions: {
    number: number;
    title: string;
    format: string;
    hostId: string;
    /** The host opted out: the digest names them (hostName) without a mention, which would notify them. */
    hostOptedOut: boolean;
    /** The host's name as Peerloop stored it (members.name), null when unknown. */
    hostName: string | null;
    startsAt: number;
    durationMin: number;
    spotsLeft: number | null;
  }[];
  total: number;
}

/** Sessions of the next 7 days from `nowMs`, workspace-wide, soonest first, with open seats. */
export function listDigestUpcoming(deps: ServiceDeps, teamId: string, nowMs: number): UpcomingForDigest {
  const { sessions, total } = listUpcomingSessions(deps, teamId, { from: nowMs, to: nowMs + 7 * DAY_MS, readerId: '', mineOnly: false, limit: DIGEST_UPCOMING_MAX });
  const hostIds = [...new Set(sessions.map((s) => s.hostId))];
  const hosts = new Map(
    hostIds.length === 0
      ? []
      : deps.db
          .select({ userId: members.userId, name: members.name, optedOut: members.optedOut })
          .from(members)
          .where(and(eq(members.teamId, teamId), inArray(members.userId, hostIds)))
          .all()
          .map((m) => [m.userId, m] as const),
  );
  return {
    sessions: sessions.map((s) => ({
      number: s.number,
      title: s.title,
      format: s.format,
      hostId: s.hostId,
      hostOptedOut: hosts.get(s.hostId)?.optedOut ?? false,
      hostName: hosts.get(s.hostId)?.name ?? null,
      startsAt: s.startsAt,
      durationMin: s.durationMin,
      spotsLeft: s.capacity === null ? null : Math.max(0, s.capacity - s.attendees),
    })),
    total,
  };
}
