import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { matchChannels, matchGroupMembers, matchGroups, matchRoundPeople, matchRounds, profiles } from '../db/schema.js';
import { AppError, MATCH_ADMIN_ONLY_TEXT } from '../errors.js';
import type { ServiceDeps } from './context.js';
import { cancelPendingJobs, defineJobKind, existingJobKeys, getJob, listJobKeys, rescheduleJob, scheduleJob } from './jobs.js';
import { matchPeople, type MatchedGroup, type MatchMode, type PastGroup, type Unmatched } from './matching.js';
import { DAY_MS, filterMatchable, loadMatchHistory, loadMatchPeople, PAUSED_UNTIL_RESUMED, roleName, skillNames, SlackUserId, WEEK_MS } from './match-people.js';
import { resolveWorkspaceZone } from './members.js';
import { firstExistingLocalTime, localDateYmd, nextLocalOccurrence } from './time.js';

/**
 * Matching rounds of a channel (`/peer match setup`): when they run, and what one round does
 * with the people Slack says are in the channel. A round is the job `match_round:<channel>:<date>`
 * (the local date in the workspace zone). Everything a round decides (its row, its groups with
 * score and reason, who sat out and why, who was paused, and one job per message that follows)
 * is written in ONE transaction, keyed so that a second run finds the round and writes nothing:
 * - `match_intro:<group>`: opens the group DM and posts the introduction (one per group, so a
 *   group DM Slack refuses fails only that group);
 * - `match_summary:<channel>:<date>`: the short summary in the channel;
 * - `match_checkin:<group>`: "Did you meet?", three days after the intro (planned by the intro);
 * - `match_notice:…`: a DM to the admin who set the round up (a round that could not run, a
 *   group DM Slack refused), or to a person Peerloop paused.
 */

export type MatchChannel = typeof matchChannels.$inferSelect;
export type MatchGroupRow = typeof matchGroups.$inferSelect;

export const MATCH_ROUND_KIND = 'match_round';
export const MATCH_INTRO_KIND = 'match_intro';
export const MATCH_CHECKIN_KIND = 'match_checkin';
export const MATCH_SUMMARY_KIND = 'match_summary';
export const MATCH_NOTICE_KIND = 'match_notice';

export const CHECKIN_DELAY_MS = 3 * DAY_MS;
/** A round found more than this late (the app was down) is skipped on purpose; the next one is planned. */
export const ROUND_LATE_MAX_MS = DAY_MS;
/** This many rounds in a row whose "Did you meet?" nobody answered pauses a person. */
export const UNANSWERED_ROUNDS_TO_PAUSE = 3;
export const REPEAT_WEEKS_DEFAULT = 12;
export const REPEAT_WEEKS_MAX = 52;
/** Slack's group DMs hold at most 8 people besides the bot. */
export const GROUP_MAX = 8;

const ChannelId = z.string().regex(/^[CG][A-Z0-9]{2,30}$/, 'not a channel id');
const RoundDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a date');
const GroupId = z.number().int().positive();

export const MatchRoundPayload = z.object({ channelId: ChannelId, roundDate: RoundDate });
export type MatchRoundPayload = z.infer<typeof MatchRoundPayload>;
export const MatchGroupPayload = z.object({ groupId: GroupId });
export type MatchGroupPayload = z.infer<typeof MatchGroupPayload>;

export const MatchNoticeType = z.enum(['round_not_run', 'group_dm_refused', 'paused']);
export type MatchNoticeType = z.infer<typeof MatchNoticeType>;
export const MatchNoticePayload = z.object({
  notice: MatchNoticeType,
  /** Who gets the DM: the admin who set the round up, or the person paused. */
  userId: SlackUserId,
  channelId: ChannelId.optional(),
  roundDate: RoundDate.optional(),
  groupId: GroupId.optional(),
  /** Why: `not_in_channel`, `too_few_people`, or Slack's error code for a refused group DM. */
  reason: z.string().max(100).optional(),
  /** A round that did not run: how many people it paused for unanswered rounds (they count among those missing). */
  paused: z.number().int().min(0).optional(),
});
export type MatchNoticePayload = z.infer<typeof MatchNoticePayload>;

export const roundKey = (channelId: string, roundDate: string) => `${MATCH_ROUND_KIND}:${channelId}:${roundDate}`;
export const introKey = (groupId: number) => `${MATCH_INTRO_KIND}:${groupId}`;
export const checkinKey = (groupId: number) => `${MATCH_CHECKIN_KIND}:${groupId}`;
export const summaryKey = (channelId: string, roundDate: string) => `${MATCH_SUMMARY_KIND}:${channelId}:${roundDate}`;
export function noticeKey(p: MatchNoticePayload): string {
  // One DM per round, however many groups Slack refused (200 refusals must not be 200 DMs).
  if (p.notice === 'group_dm_refused') return p.roundDate === undefined ? `${MATCH_NOTICE_KIND}:group:${p.groupId ?? 0}` : `${MATCH_NOTICE_KIND}:groups:${p.channelId ?? ''}:${p.roundDate}`;
  if (p.notice === 'paused') return `${MATCH_NOTICE_KIND}:paused:${p.userId}:${p.roundDate ?? ''}`;
  return `${MATCH_NOTICE_KIND}:round:${p.channelId ?? ''}:${p.roundDate ?? ''}`;
}

export const MatchRoundJob = defineJobKind({ kind: MATCH_ROUND_KIND, payload: MatchRoundPayload, key: (p: MatchRoundPayload) => roundKey(p.channelId, p.roundDate) });
export const MatchIntroJob = defineJobKind({ kind: MATCH_INTRO_KIND, payload: MatchGroupPayload, key: (p: MatchGroupPayload) => introKey(p.groupId) });
export const MatchCheckinJob = defineJobKind({ kind: MATCH_CHECKIN_KIND, payload: MatchGroupPayload, key: (p: MatchGroupPayload) => checkinKey(p.groupId) });
export const MatchSummaryJob = defineJobKind({ kind: MATCH_SUMMARY_KIND, payload: MatchRoundPayload, key: (p: MatchRoundPayload) => summaryKey(p.channelId, p.roundDate) });
export const MatchNoticeJob = defineJobKind({ kind: MATCH_NOTICE_KIND, payload: MatchNoticePayload, key: noticeKey });

/** Why two or more people were put together, stored as JSON on the group (match_groups.reason). */
export const MatchReason = z.object({
  mode: z.enum(['skill-swap', 'pods', 'suggestion']),
  exchanges: z.array(z.object({ teacher: z.string(), learner: z.string(), skillKey: z.string() })),
  /** Display names of the skills at the time of the match, so the intro reads as people typed them. */
  skills: z.record(z.string(), z.string()),
  roleKey: z.string().nullable(),
  role: z.string().nullable(),
  sharedMinutes: z.number(),
});
export type MatchReason = z.infer<typeof MatchReason>;

export function parseReason(text: string): MatchReason | undefined {
  try {
    const parsed = MatchReason.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Setup and the calendar of rounds

export const MatchSetupInput = z.object({
  mode: z.enum(['skill-swap', 'pods']),
  cadenceWeeks: z.union([z.literal(1), z.literal(2), z.literal(4)]),
  weekday: z.number().int().min(0).max(6),
  hour: z.number().int().min(0).max(23),
  repeatWeeks: z.number().int().min(1).max(REPEAT_WEEKS_MAX),
});
export type MatchSetupInput = z.infer<typeof MatchSetupInput>;

export function getMatchChannel(deps: ServiceDeps, teamId: string, channelId: string): MatchChannel | undefined {
  return deps.db
    .select()
    .from(matchChannels)
    .where(and(eq(matchChannels.teamId, teamId), eq(matchChannels.channelId, channelId)))
    .get();
}

function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function daysBetween(fromYmd: string, toYmd: string): number {
  return Math.round((Date.parse(`${toYmd}T00:00:00Z`) - Date.parse(`${fromYmd}T00:00:00Z`)) / DAY_MS);
}

/** The instant of a round: its date at the set hour in the workspace zone (the first minute that exists, on a DST day). */
export function roundInstant(roundDate: string, hour: number, zone: string): number {
  return firstExistingLocalTime(roundDate, hour, zone);
}

/** Who met whom since `sinceMs`, each round group dated by its round's scheduled instant (not when a late round stored it). */
export function loadRoundDatedHistory(deps: ServiceDeps, teamId: string, sinceMs: number, fallbackZone: string): PastGroup[] {
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  return loadMatchHistory(deps, teamId, sinceMs, (date, hour) => roundInstant(date, hour, zone));
}

/** The first round (date and instant) at or after `fromMs`: anchor date + a whole number of cadences. */
export function nextRoundAt(channel: Pick<MatchChannel, 'anchorDate' | 'cadenceWeeks' | 'hour'>, zone: string, fromMs: number): { roundDate: string; at: number } {
  const step = channel.cadenceWeeks * 7;
  const today = localDateYmd(fromMs, zone);
  let k = Math.max(0, Math.floor(daysBetween(channel.anchorDate, today) / step) - 1);
  for (;;) {
    const roundDate = addDays(channel.anchorDate, k * step);
    const at = roundInstant(roundDate, channel.hour, zone);
    if (at >= fromMs) return { roundDate, at };
    k += 1;
  }
}

export interface SavedSetup {
  channel: MatchChannel;
  /** The round that will really run next (never a date that already has a round). */
  next: { roundDate: string; at: number };
  zone: string;
  created: boolean;
}

/** The channel's latest stored round (run or not run), if any. */
function lastStoredRoundDate(deps: ServiceDeps, teamId: string, channelId: string): string | undefined {
  return deps.db.get<{ roundDate: string }>(sql`
    SELECT round_date AS roundDate FROM match_rounds WHERE team_id = ${teamId} AND channel_id = ${channelId} ORDER BY round_date DESC LIMIT 1`)?.roundDate;
}

/**
 * The next round of a channel at or after `fromMs` that can still run: a date with a stored round
 * (run, or recorded as not run) or whose round job is finished (done, skipped, failed) is passed
 * over, as its job would never run again.
 */
export function nextOpenRound(deps: ServiceDeps, teamId: string, channel: Pick<MatchChannel, 'channelId' | 'anchorDate' | 'cadenceWeeks' | 'hour'>, zone: string, fromMs: number): { roundDate: string; at: number } {
  let from = fromMs;
  for (let i = 0; i < 60; i += 1) {
    const next = nextRoundAt(channel, zone, from);
    const job = getJob(deps, teamId, roundKey(channel.channelId, next.roundDate));
    const finished = job !== undefined && job.status !== 'pending' && job.status !== 'cancelled';
    if (!finished && getRound(deps, teamId, channel.channelId, next.roundDate) === undefined) return next;
    from = next.at + 1;
  }
  return nextRoundAt(channel, zone, from);
}

/**
 * `/peer match setup` saved: the channel's rounds start (or change) now. Saving again with the
 * same weekday, hour and cadence keeps the calendar (only the mode or "no repeat within"
 * changed): the planned round stays. Otherwise the calendar starts again at the first chosen
 * weekday and hour on or after both now and a cadence after the channel's last stored round, so
 * changing the day never crowds two rounds together. A round already planned for another date is
 * cancelled in the same transaction; the planner plans the new one. Admins only (checked again
 * here: a view submission can be forged like any payload).
 */
export function saveMatchSetup(deps: ServiceDeps, teamId: string, actor: { userId: string; isAdmin: boolean }, channelId: string, input: MatchSetupInput, fallbackZone: string): SavedSetup {
  if (!actor.isAdmin) throw new AppError('forbidden', MATCH_ADMIN_ONLY_TEXT);
  const setup = MatchSetupInput.parse(input);
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  const now = deps.clock.now();
  return deps.db.transaction(() => {
    const before = getMatchChannel(deps, teamId, channelId);
    let anchorDate: string;
    if (before !== undefined && before.weekday === setup.weekday && before.hour === setup.hour && before.cadenceWeeks === setup.cadenceWeeks) {
      anchorDate = before.anchorDate;
    } else {
      const last = lastStoredRoundDate(deps, teamId, channelId);
      const afterLast = last === undefined ? now : roundInstant(addDays(last, setup.cadenceWeeks * 7), 0, zone);
      anchorDate = localDateYmd(nextLocalOccurrence(setup.weekday, setup.hour, zone, Math.max(now, afterLast)), zone);
    }
    deps.db
      .insert(matchChannels)
      .values({ teamId, channelId, ...setup, anchorDate, active: true, createdBy: actor.userId, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: [matchChannels.teamId, matchChannels.channelId],
        // The admin who last set it up is the one told when a round cannot run.
        set: { ...setup, anchorDate, active: true, createdBy: actor.userId, updatedAt: now },
      })
      .run();
    const channel = getMatchChannel(deps, teamId, channelId)!;
    const next = nextOpenRound(deps, teamId, channel, zone, now);
    const key = roundKey(channelId, next.roundDate);
    cancelPendingJobs(deps, teamId, `${MATCH_ROUND_KIND}:${channelId}:`, { keep: [key], reason: 'setup_changed' });
    // Same date, another hour: the planned job (still pending) moves to the new hour.
    if (!scheduleJob(deps, { teamId, kind: MATCH_ROUND_KIND, key, runAt: next.at, payload: { channelId, roundDate: next.roundDate } })) rescheduleJob(deps, teamId, key, next.at);
    return { channel, next, zone, created: before === undefined };
  });
}

/**
 * The workspace zone changed: every pending round job moves to its round's instant in the new
 * zone (the same local date and hour), as the weekly DMs do. Returns how many moved.
 */
export function rescheduleMatchRounds(deps: ServiceDeps, teamId: string, fallbackZone: string): number {
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  let moved = 0;
  for (const job of listJobKeys(deps, teamId, `${MATCH_ROUND_KIND}:`)) {
    if (job.status !== 'pending') continue;
    const row = getJob(deps, teamId, job.key);
    if (row === undefined) continue;
    const parsed = MatchRoundPayload.safeParse(row.payload);
    if (!parsed.success) continue;
    const payload = parsed.data;
    const channel = getMatchChannel(deps, teamId, payload.channelId);
    if (channel === undefined) continue;
    const at = roundInstant(payload.roundDate, channel.hour, zone);
    if (at !== row.runAt && rescheduleJob(deps, teamId, job.key, at)) moved += 1;
  }
  return moved;
}

/** `/peer match stop` (admins): no more rounds in this channel; history and pending check-ins stay. */
export function stopMatchRounds(deps: ServiceDeps, teamId: string, actor: { isAdmin: boolean }, channelId: string): boolean {
  if (!actor.isAdmin) throw new AppError('forbidden', MATCH_ADMIN_ONLY_TEXT);
  return deps.db.transaction(() => {
    const res = deps.db
      .update(matchChannels)
      .set({ active: false, updatedAt: deps.clock.now() })
      .where(and(eq(matchChannels.teamId, teamId), eq(matchChannels.channelId, channelId), eq(matchChannels.active, true)))
      .run();
    cancelPendingJobs(deps, teamId, `${MATCH_ROUND_KIND}:${channelId}:`, { reason: 'rounds_stopped' });
    return res.changes === 1;
  });
}

/** Workspaces with at least one active match channel: the only ones the round planner visits. */
export function listTeamsWithMatchChannels(deps: ServiceDeps): string[] {
  return deps.db.all<{ teamId: string }>(sql`SELECT DISTINCT team_id AS teamId FROM match_channels WHERE active = 1`).map((r) => r.teamId);
}

export function listActiveMatchChannels(deps: ServiceDeps, teamId: string): MatchChannel[] {
  return deps.db
    .select()
    .from(matchChannels)
    .where(and(eq(matchChannels.teamId, teamId), eq(matchChannels.active, true)))
    .all();
}

/**
 * Plans each active channel's round jobs: the next one, and a round whose time is at most
 * ROUND_LATE_MAX_MS ago (so a round missed while Peerloop was down still runs, late; older ones
 * are skipped on purpose). A known key is left alone. Returns how many were planned.
 */
export function planMatchRounds(deps: ServiceDeps, teamId: string, fallbackZone: string): number {
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  const now = deps.clock.now();
  const wanted = listActiveMatchChannels(deps, teamId).flatMap((c) => {
    const late = nextRoundAt(c, zone, now - ROUND_LATE_MAX_MS);
    const upcoming = nextRoundAt(c, zone, now);
    return (late.roundDate === upcoming.roundDate ? [upcoming] : [late, upcoming]).map((r) => ({ channelId: c.channelId, ...r }));
  });
  const known = existingJobKeys(deps, teamId, wanted.map((w) => roundKey(w.channelId, w.roundDate)));
  let planned = 0;
  deps.db.transaction(() => {
    for (const w of wanted) {
      const key = roundKey(w.channelId, w.roundDate);
      if (known.has(key)) continue;
      if (scheduleJob(deps, { teamId, kind: MATCH_ROUND_KIND, key, runAt: w.at, payload: { channelId: w.channelId, roundDate: w.roundDate } })) planned += 1;
    }
  });
  return planned;
}

// ---------------------------------------------------------------------------------------------
// One round

export type RoundCheck =
  | { run: false; reason: 'channel_inactive' | 'already_ran' | 'too_late' | 'not_due' }
  | { run: true; channel: MatchChannel; roundAt: number; zone: string };

/** Just before a round reads the channel: is it still wanted, not run yet, and not too late? */
export function checkRound(deps: ServiceDeps, teamId: string, p: MatchRoundPayload, fallbackZone: string): RoundCheck {
  const channel = getMatchChannel(deps, teamId, p.channelId);
  if (channel === undefined || !channel.active) return { run: false, reason: 'channel_inactive' };
  if (getRound(deps, teamId, p.channelId, p.roundDate) !== undefined) return { run: false, reason: 'already_ran' };
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  const roundAt = roundInstant(p.roundDate, channel.hour, zone);
  const now = deps.clock.now();
  if (now < roundAt) return { run: false, reason: 'not_due' };
  if (now > roundAt + ROUND_LATE_MAX_MS) return { run: false, reason: 'too_late' };
  return { run: true, channel, roundAt, zone };
}

export function getRound(deps: ServiceDeps, teamId: string, channelId: string, roundDate: string) {
  return deps.db
    .select()
    .from(matchRounds)
    .where(and(eq(matchRounds.teamId, teamId), eq(matchRounds.channelId, channelId), eq(matchRounds.roundDate, roundDate)))
    .get();
}

/** Why a round did not run; `missing_scope:<scope>` when Slack said the app lacks a permission. */
export type NotRunReason = 'not_in_channel' | 'too_few_people' | `missing_scope:${string}`;

/**
 * People due for the "no answers" pause: paused, recorded as sat out of this round with why, and
 * told by DM (a notice job each). Called inside the round's transaction, whether or not the round
 * runs, so a channel too small to match still pauses them.
 */
function applyPauses(deps: ServiceDeps, teamId: string, p: MatchRoundPayload, toPause: readonly string[], now: number): void {
  for (const userId of toPause) {
    deps.db
      .update(profiles)
      .set({ pausedUntil: PAUSED_UNTIL_RESUMED, pauseReason: 'no_answers', updatedAt: now })
      .where(and(eq(profiles.teamId, teamId), eq(profiles.userId, userId)))
      .run();
    deps.db
      .insert(matchRoundPeople)
      .values({ teamId, channelId: p.channelId, roundDate: p.roundDate, userId, state: 'sat_out', reason: 'paused_no_answers', at: now })
      .onConflictDoNothing()
      .run();
    const notice: MatchNoticePayload = { notice: 'paused', userId, channelId: p.channelId, roundDate: p.roundDate };
    scheduleJob(deps, { teamId, kind: MATCH_NOTICE_KIND, key: noticeKey(notice), runAt: now, payload: notice });
  }
}

/**
 * A round that could not run: recorded with why, the people due for the "no answers" pause
 * paused all the same, and its admin told once (a notice job keyed by the round, which counts
 * those paused), unless the channel's previous round did not run for the same reason. A second call finds the row and changes nothing. Returns whether it recorded.
 */
export function recordRoundNotRun(deps: ServiceDeps, teamId: string, p: MatchRoundPayload, reason: NotRunReason, toPause: readonly string[] = []): boolean {
  const now = deps.clock.now();
  return deps.db.transaction(() => {
    const channel = getMatchChannel(deps, teamId, p.channelId);
    if (channel === undefined) return false;
    const res = deps.db
      .insert(matchRounds)
      .values({ teamId, channelId: p.channelId, roundDate: p.roundDate, status: 'not_run', reason, startedAt: now, finishedAt: now })
      .onConflictDoNothing()
      .run();
    if (res.changes === 0) return false;
    applyPauses(deps, teamId, p, toPause, now);
    // A standing problem (the bot removed, one person left) is told once, not every round: only
    // when the reason differs from the channel's previous round (or someone was paused now).
    const previous = deps.db.get<{ status: string; reason: string | null }>(sql`
      SELECT status, reason FROM match_rounds WHERE team_id = ${teamId} AND channel_id = ${p.channelId} AND round_date < ${p.roundDate}
      ORDER BY round_date DESC LIMIT 1`);
    if (previous !== undefined && previous.status === 'not_run' && previous.reason === reason && toPause.length === 0) return true;
    const notice: MatchNoticePayload = { notice: 'round_not_run', userId: channel.createdBy, channelId: p.channelId, roundDate: p.roundDate, reason, ...(toPause.length > 0 ? { paused: toPause.length } : {}) };
    scheduleJob(deps, { teamId, kind: MATCH_NOTICE_KIND, key: noticeKey(notice), runAt: now, payload: notice });
    return true;
  });
}

export interface RoundCandidates {
  /** Opted in, not paused, DMs on, not skipping: these go to Slack's users.info next. */
  eligible: string[];
  skipping: string[];
  /** Eligible until now, but their last three rounds went unanswered: paused by this round. */
  toPause: string[];
}

/** Of the channel's members, who could be in this round (before Slack says who is a bot or a guest). */
export function roundCandidates(deps: ServiceDeps, teamId: string, p: MatchRoundPayload, memberIds: readonly string[], roundAt: number): RoundCandidates {
  const skippingRows = deps.db
    .select({ userId: matchRoundPeople.userId })
    .from(matchRoundPeople)
    .where(and(eq(matchRoundPeople.teamId, teamId), eq(matchRoundPeople.channelId, p.channelId), eq(matchRoundPeople.roundDate, p.roundDate), eq(matchRoundPeople.state, 'skipping')))
    .all();
  const skippingSet = new Set(skippingRows.map((r) => r.userId));
  const matchable = filterMatchable(deps, teamId, memberIds, roundAt);
  const skipping = memberIds.filter((u) => skippingSet.has(u));
  const rest = matchable.filter((u) => !skippingSet.has(u));
  const silent = new Set(unansweredStreak(deps, teamId, rest));
  return { eligible: rest.filter((u) => !silent.has(u)), skipping, toPause: rest.filter((u) => silent.has(u)) };
}

/**
 * Of these people, those whose last UNANSWERED_ROUNDS_TO_PAUSE round groups that were asked
 * "Did you meet?" (its check-in posted, `checkin_ts`; in any channel) all got no answer. A group
 * never asked (its intro or check-in failed, or is not due yet) does not count either way to "Did you meet?". An answer from anyone in the group counts for
 * the group: the question is about the meeting, and one answer tells us what happened. Only
 * rounds after the person last changed their matching profile count (a resume, a new role, opting
 * in again): someone who just resumed is not paused again for the rounds before.
 */
export function unansweredStreak(deps: ServiceDeps, teamId: string, userIds: readonly string[]): string[] {
  if (userIds.length === 0) return [];
  const rows = deps.db.all<{ userId: string; answered: number }>(sql`
    SELECT userId, answered FROM (
      SELECT m.user_id AS userId, g.outcome IS NOT NULL AS answered,
        row_number() OVER (PARTITION BY m.user_id ORDER BY g.round_date DESC, g.id DESC) AS n
      FROM match_group_members m JOIN match_groups g ON g.team_id = m.team_id AND g.id = m.group_id
      LEFT JOIN profiles p ON p.team_id = m.team_id AND p.user_id = m.user_id
      WHERE m.team_id = ${teamId} AND g.round_date IS NOT NULL AND (g.checkin_ts IS NOT NULL OR g.outcome IS NOT NULL)
        AND g.created_at > coalesce(p.updated_at, 0)
        AND m.user_id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))
    ) WHERE n <= ${UNANSWERED_ROUNDS_TO_PAUSE}`);
  const counts = new Map<string, { total: number; answered: number }>();
  for (const r of rows) {
    const c = counts.get(r.userId) ?? { total: 0, answered: 0 };
    c.total += 1;
    c.answered += r.answered ? 1 : 0;
    counts.set(r.userId, c);
  }
  return userIds.filter((u) => {
    const c = counts.get(u);
    return c !== undefined && c.total >= UNANSWERED_ROUNDS_TO_PAUSE && c.answered === 0;
  });
}

export interface LeftOut {
  userId: string;
  /** A matcher reason, or why Slack's answer excluded them. */
  reason: string;
  text: string;
}

export interface RoundInput {
  payload: MatchRoundPayload;
  channel: MatchChannel;
  roundAt: number;
  /** Eligible people Slack confirmed are active members of this workspace. */
  people: string[];
  skipping: string[];
  toPause: string[];
  fallbackZone: string;
}

export type RoundResult =
  | { status: 'already_ran' }
  | { status: 'not_run'; reason: 'too_few_people' }
  | { status: 'done'; groups: number; matched: number; satOut: number; skipping: number; paused: number };

/**
 * The people of the channel's last round before this one, grouped as they were (pods keep
 * continuity). Only groups that were pods count as pods: a channel switched from skill swap to
 * pods starts its pods afresh rather than from last round's pairs.
 */
function previousRound(deps: ServiceDeps, teamId: string, channelId: string, roundDate: string): { pods: string[][]; satOut: Set<string> } {
  const last = deps.db.get<{ roundDate: string }>(sql`
    SELECT round_date AS roundDate FROM match_rounds WHERE team_id = ${teamId} AND channel_id = ${channelId} AND round_date < ${roundDate} AND status = 'done'
    ORDER BY round_date DESC LIMIT 1`);
  if (last === undefined) return { pods: [], satOut: new Set() };
  const groups = deps.db
    .all<{ users: string; reason: string }>(
      sql`
    SELECT json_group_array(m.user_id) AS users, g.reason AS reason FROM match_groups g JOIN match_group_members m ON m.team_id = g.team_id AND m.group_id = g.id
    WHERE g.team_id = ${teamId} AND g.channel_id = ${channelId} AND g.round_date = ${last.roundDate} GROUP BY g.id ORDER BY g.group_index`,
    )
    .filter((g) => parseReason(g.reason)?.mode === 'pods');
  const satOut = deps.db
    .select({ userId: matchRoundPeople.userId })
    .from(matchRoundPeople)
    .where(and(eq(matchRoundPeople.teamId, teamId), eq(matchRoundPeople.channelId, channelId), eq(matchRoundPeople.roundDate, last.roundDate), eq(matchRoundPeople.state, 'sat_out')))
    .all();
  return { pods: groups.map((g) => z.array(z.string()).parse(JSON.parse(g.users))), satOut: new Set(satOut.map((s) => s.userId)) };
}

function reasonFor(deps: ServiceDeps, teamId: string, mode: MatchMode | 'suggestion', group: Pick<MatchedGroup, 'exchanges' | 'roleKey' | 'sharedMinutes'>): MatchReason {
  return {
    mode,
    exchanges: group.exchanges.map((e) => ({ teacher: e.teacher, learner: e.learner, skillKey: e.skillKey })),
    skills: skillNames(deps, teamId, group.exchanges.map((e) => e.skillKey)),
    roleKey: group.roleKey,
    role: roleName(deps, teamId, group.roleKey),
    sharedMinutes: group.sharedMinutes,
  };
}

/**
 * Matches the round's people and stores the round, in one transaction: the round row, every
 * group (score, reason, members), everyone left out with why, the pauses, and the jobs that send
 * the intros, the summary and the pause DMs. A round already stored is left alone (a rerun, or a
 * second process), so nothing is planned twice. Fewer than two people: recorded as not run and
 * the admin is told (once).
 */
export function storeRound(deps: ServiceDeps, teamId: string, input: RoundInput): RoundResult {
  const { payload: p, channel } = input;
  const now = deps.clock.now();
  if (input.people.length < 2) {
    return recordRoundNotRun(deps, teamId, p, 'too_few_people', input.toPause) ? { status: 'not_run', reason: 'too_few_people' } : { status: 'already_ran' };
  }
  const repeatWindowMs = channel.repeatWeeks * WEEK_MS;
  const lastGroupId = () => deps.db.get<{ id: number | null }>(sql`SELECT max(id) AS id FROM match_groups WHERE team_id = ${teamId}`)?.id ?? 0;
  const plan = () => {
    const seenUpTo = lastGroupId();
    const previous = previousRound(deps, teamId, p.channelId, p.roundDate);
    const people = loadMatchPeople(deps, teamId, input.people, input.fallbackZone).map((person) => ({ ...person, satOutLastRound: previous.satOut.has(person.userId) }));
    const matched = matchPeople({
      mode: channel.mode,
      people,
      history: loadRoundDatedHistory(deps, teamId, input.roundAt - repeatWindowMs, input.fallbackZone),
      repeatWindowMs,
      at: input.roundAt,
      seed: `${teamId}:${p.channelId}:${p.roundDate}`,
      ...(channel.mode === 'pods' ? { previousPods: previous.pods } : {}),
    });
    return { matched, seenUpTo };
  };
  // Matched outside the write transaction (a big channel takes a while; clicks must not wait).
  const first = plan();
  return deps.db.transaction(() => {
    const inserted = deps.db
      .insert(matchRounds)
      .values({ teamId, channelId: p.channelId, roundDate: p.roundDate, status: 'done', startedAt: now, finishedAt: now })
      .onConflictDoNothing()
      .run();
    if (inserted.changes === 0) return { status: 'already_ran' } as const;
    // Another process stored groups since (a round of another channel at the same time): its
    // pairs are history too, so match again, now holding the write lock. Rare; same process never.
    const result = lastGroupId() === first.seenUpTo ? first.matched : plan().matched;
    const unmatched: Unmatched[] = result.unmatched;
    result.groups.forEach((group, index) => {
      const row = deps.db
        .insert(matchGroups)
        .values({ teamId, channelId: p.channelId, roundDate: p.roundDate, groupIndex: index, score: group.score, reason: JSON.stringify(reasonFor(deps, teamId, channel.mode, group)), createdAt: now })
        .returning({ id: matchGroups.id })
        .get();
      for (const userId of group.userIds) deps.db.insert(matchGroupMembers).values({ teamId, groupId: row.id, userId }).run();
      scheduleJob(deps, { teamId, kind: MATCH_INTRO_KIND, key: introKey(row.id), runAt: now, payload: { groupId: row.id } });
    });
    for (const u of unmatched) {
      deps.db
        .insert(matchRoundPeople)
        .values({ teamId, channelId: p.channelId, roundDate: p.roundDate, userId: u.userId, state: 'sat_out', reason: u.reason, at: now })
        .onConflictDoNothing()
        .run();
    }
    applyPauses(deps, teamId, p, input.toPause, now);
    scheduleJob(deps, { teamId, kind: MATCH_SUMMARY_KIND, key: summaryKey(p.channelId, p.roundDate), runAt: now, payload: p });
    return {
      status: 'done',
      groups: result.groups.length,
      matched: result.groups.reduce((n, g) => n + g.userIds.length, 0),
      satOut: unmatched.length,
      skipping: input.skipping.length,
      paused: input.toPause.length,
    } as const;
  });
}

export interface RoundSummary {
  channelId: string;
  roundDate: string;
  groups: number;
  people: number;
  /** Left out, counted by reason (never a list of names). */
  leftOut: Record<string, number>;
  skipping: number;
  mode: MatchMode;
}

/** What the channel summary says about a stored round, read when the summary is posted. */
export function getRoundSummary(deps: ServiceDeps, teamId: string, p: MatchRoundPayload): RoundSummary | undefined {
  const round = getRound(deps, teamId, p.channelId, p.roundDate);
  const channel = getMatchChannel(deps, teamId, p.channelId);
  if (round === undefined || round.status !== 'done' || channel === undefined) return undefined;
  const counts = deps.db.get<{ groups: number; people: number }>(sql`
    SELECT count(DISTINCT g.id) AS groups, count(m.user_id) AS people FROM match_groups g
    LEFT JOIN match_group_members m ON m.team_id = g.team_id AND m.group_id = g.id
    WHERE g.team_id = ${teamId} AND g.channel_id = ${p.channelId} AND g.round_date = ${p.roundDate}`);
  const others = deps.db
    .select({ state: matchRoundPeople.state, reason: matchRoundPeople.reason })
    .from(matchRoundPeople)
    .where(and(eq(matchRoundPeople.teamId, teamId), eq(matchRoundPeople.channelId, p.channelId), eq(matchRoundPeople.roundDate, p.roundDate)))
    .all();
  const leftOut: Record<string, number> = {};
  let skipping = 0;
  for (const o of others) {
    if (o.state === 'skipping') skipping += 1;
    // Who was paused for not answering is theirs to know (they get a DM), not the channel's:
    // in a small channel a count would name them.
    else if (o.reason === 'paused_no_answers') continue;
    else leftOut[o.reason ?? 'no_partner'] = (leftOut[o.reason ?? 'no_partner'] ?? 0) + 1;
  }
  return { channelId: p.channelId, roundDate: p.roundDate, groups: counts?.groups ?? 0, people: counts?.people ?? 0, leftOut, skipping, mode: channel.mode };
}

export function recordSummaryPosted(deps: ServiceDeps, teamId: string, p: MatchRoundPayload, ts: string): void {
  deps.db
    .update(matchRounds)
    .set({ summaryTs: ts })
    .where(and(eq(matchRounds.teamId, teamId), eq(matchRounds.channelId, p.channelId), eq(matchRounds.roundDate, p.roundDate)))
    .run();
}

// ---------------------------------------------------------------------------------------------
// Groups: intro and check-in

export interface MatchGroup extends MatchGroupRow {
  userIds: string[];
  parsedReason: MatchReason | undefined;
}

/** A group of this workspace with its members; undefined for another workspace's id. */
export function getMatchGroup(deps: ServiceDeps, teamId: string, groupId: number): MatchGroup | undefined {
  const row = deps.db
    .select()
    .from(matchGroups)
    .where(and(eq(matchGroups.teamId, teamId), eq(matchGroups.id, groupId)))
    .get();
  if (row === undefined) return undefined;
  const members = deps.db
    .select({ userId: matchGroupMembers.userId })
    .from(matchGroupMembers)
    .where(and(eq(matchGroupMembers.teamId, teamId), eq(matchGroupMembers.groupId, groupId)))
    .all();
  return { ...row, userIds: members.map((m) => m.userId), parsedReason: parseReason(row.reason) };
}

export type IntroCheck = { send: false; reason: 'group_not_found' | 'already_sent' } | { send: true; group: MatchGroup };

export function checkIntro(deps: ServiceDeps, teamId: string, groupId: number): IntroCheck {
  const group = getMatchGroup(deps, teamId, groupId);
  if (group === undefined) return { send: false, reason: 'group_not_found' };
  if (group.introTs !== null) return { send: false, reason: 'already_sent' };
  return { send: true, group };
}

/** The group DM is open: kept on the group, so a retry after a failed post opens nothing new. */
export function recordGroupConversation(deps: ServiceDeps, teamId: string, groupId: number, conversationId: string): void {
  deps.db
    .update(matchGroups)
    .set({ conversationId })
    .where(and(eq(matchGroups.teamId, teamId), eq(matchGroups.id, groupId)))
    .run();
}

/** The intro is posted: recorded with its "Did you meet?" three days later (round groups only). */
export function recordIntroPosted(deps: ServiceDeps, teamId: string, groupId: number, ts: string): void {
  const now = deps.clock.now();
  deps.db.transaction(() => {
    deps.db
      .update(matchGroups)
      .set({ introTs: ts })
      .where(and(eq(matchGroups.teamId, teamId), eq(matchGroups.id, groupId)))
      .run();
    const group = getMatchGroup(deps, teamId, groupId);
    if (group?.roundDate != null) scheduleJob(deps, { teamId, kind: MATCH_CHECKIN_KIND, key: checkinKey(groupId), runAt: now + CHECKIN_DELAY_MS, payload: { groupId } });
  });
}

/** The round's refused-groups DM waits this long, so the other groups' refusals of the same round join it. */
export const GROUP_NOTICE_DELAY_MS = 5 * 60_000;

/**
 * Slack refused a group DM for good: the admin who set the round up hears it, once per round
 * (`match_notice:groups:<channel>:<date>`, a few minutes later), with every refused group of the
 * round and Slack's reason in one DM.
 */
export function planGroupRefusedNotice(deps: ServiceDeps, teamId: string, group: Pick<MatchGroupRow, 'id' | 'channelId' | 'roundDate'>, code: string): void {
  if (group.channelId === null || group.roundDate === null) return;
  const channel = getMatchChannel(deps, teamId, group.channelId);
  if (channel === undefined) return;
  const notice: MatchNoticePayload = { notice: 'group_dm_refused', userId: channel.createdBy, channelId: group.channelId, roundDate: group.roundDate, reason: code.slice(0, 100) };
  scheduleJob(deps, { teamId, kind: MATCH_NOTICE_KIND, key: noticeKey(notice), runAt: deps.clock.now() + GROUP_NOTICE_DELAY_MS, payload: notice });
}

export interface RefusedGroup {
  groupId: number;
  userIds: string[];
  /** Slack's code, as recorded on the failed intro job. */
  code: string;
}

/** Whether some intros of this round are still to be tried (pending or running): the refused-groups DM waits for them. */
export function roundIntrosInFlight(deps: ServiceDeps, teamId: string, channelId: string, roundDate: string): boolean {
  const row = deps.db.get<{ n: number }>(sql`
    SELECT count(*) AS n FROM match_groups g
    JOIN jobs j ON j.team_id = g.team_id AND j.key = 'match_intro:' || g.id AND j.status IN ('pending', 'running')
    WHERE g.team_id = ${teamId} AND g.channel_id = ${channelId} AND g.round_date = ${roundDate}`);
  return (row?.n ?? 0) > 0;
}

/** The groups of a round whose intro Slack refused for good (their `match_intro` job failed), in group order. */
export function listRefusedGroups(deps: ServiceDeps, teamId: string, channelId: string, roundDate: string): RefusedGroup[] {
  const rows = deps.db.all<{ groupId: number; code: string | null; users: string }>(sql`
    SELECT g.id AS groupId, j.last_error AS code, json_group_array(m.user_id) AS users
    FROM match_groups g
    JOIN jobs j ON j.team_id = g.team_id AND j.key = 'match_intro:' || g.id AND j.status = 'failed'
    JOIN match_group_members m ON m.team_id = g.team_id AND m.group_id = g.id
    WHERE g.team_id = ${teamId} AND g.channel_id = ${channelId} AND g.round_date = ${roundDate} AND g.intro_ts IS NULL
    GROUP BY g.id ORDER BY g.group_index`);
  return rows.map((r) => ({ groupId: r.groupId, code: r.code ?? 'unknown', userIds: z.array(z.string()).parse(JSON.parse(r.users)) }));
}

export type CheckinCheck = { send: false; reason: 'group_not_found' | 'no_intro' | 'already_answered' } | { send: true; group: MatchGroup & { conversationId: string } };

export function checkCheckin(deps: ServiceDeps, teamId: string, groupId: number): CheckinCheck {
  const group = getMatchGroup(deps, teamId, groupId);
  if (group === undefined) return { send: false, reason: 'group_not_found' };
  if (group.introTs === null || group.conversationId === null) return { send: false, reason: 'no_intro' };
  if (group.outcome !== null) return { send: false, reason: 'already_answered' };
  return { send: true, group: { ...group, conversationId: group.conversationId } };
}

/** "Did you meet?" is posted: from now on the group counts towards the "no answers" pause. */
export function recordCheckinPosted(deps: ServiceDeps, teamId: string, groupId: number, ts: string): void {
  deps.db
    .update(matchGroups)
    .set({ checkinTs: ts })
    .where(and(eq(matchGroups.teamId, teamId), eq(matchGroups.id, groupId)))
    .run();
}

export const MatchOutcome = z.enum(['met', 'scheduled', 'not_this_time']);
export type MatchOutcome = z.infer<typeof MatchOutcome>;

/**
 * A "Did you meet?" answer: anyone in the group may give it, and a later answer replaces an
 * earlier one (plans change). Another workspace's group id is not found here.
 */
export function recordMatchOutcome(deps: ServiceDeps, teamId: string, groupId: number, userId: string, outcome: MatchOutcome): { group: MatchGroup; changed: boolean } {
  return deps.db.transaction(() => {
    const group = getMatchGroup(deps, teamId, groupId);
    if (group === undefined) throw new AppError('not_found', "I couldn't find that match. It may have been removed.");
    if (!group.userIds.includes(userId)) throw new AppError('forbidden', 'Only the people in this group can answer for it.');
    deps.db
      .update(matchGroups)
      .set({ outcome, outcomeBy: userId, outcomeAt: deps.clock.now() })
      .where(and(eq(matchGroups.teamId, teamId), eq(matchGroups.id, groupId)))
      .run();
    return { group: { ...group, outcome, outcomeBy: userId }, changed: group.outcome !== null };
  });
}

/** How many round groups got each answer, for groups introduced in [fromMs, toMs) (the digest's "how many met"; `/peer match` pairs get no check-in, so they are not counted). */
export function countMatchOutcomes(deps: ServiceDeps, teamId: string, fromMs: number, toMs: number): { groups: number; met: number; scheduled: number; notThisTime: number; unanswered: number } {
  const row = deps.db.get<{ groups: number; met: number; scheduled: number; notThisTime: number }>(sql`
    SELECT count(*) AS groups, sum(outcome = 'met') AS met, sum(outcome = 'scheduled') AS scheduled, sum(outcome = 'not_this_time') AS notThisTime
    FROM match_groups WHERE team_id = ${teamId} AND round_date IS NOT NULL AND intro_ts IS NOT NULL AND created_at >= ${fromMs} AND created_at < ${toMs}`);
  const groups = row?.groups ?? 0;
  const met = row?.met ?? 0;
  const scheduled = row?.scheduled ?? 0;
  const notThisTime = row?.notThisTime ?? 0;
  return { groups, met, scheduled, notThisTime, unanswered: groups - met - scheduled - notThisTime };
}
