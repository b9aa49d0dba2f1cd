import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { participants, sessions } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import { defineJobKind, getJob, listJobKeys, scheduleJob, type JobStatus } from './jobs.js';
import type { Session } from './session-model.js';

/**
 * The notices that follow a change to a session (it was cancelled, its time or place changed,
 * a waitlisted person got a seat) are jobs, planned in the same transaction as the change, so a
 * 429 burst, a Slack outage or a restart right after the commit cannot lose them ("sending,
 * once", DESIGN.md). One job is one Slack post, so a retry never repeats the other half:
 * - `session_notice`: the DM, key `notice:<session>:<user>:<cancelled|changed|promoted>:<rev>`;
 * - `session_invite`: the calendar file, key `invite:<session>:<user>:<REQUEST|CANCEL>:<rev>`.
 * `<rev>` is the session's calendar SEQUENCE after the change (every edit and the cancel bump
 * it), so a second edit gets new keys while planning the same change again is a no-op. A freed
 * seat does not bump SEQUENCE, so a promotion adds which one it is at that SEQUENCE
 * (`<sequence>.<round>` from the second on): someone promoted, who leaves, queues again and is
 * promoted again, hears again. The text is rendered when the job runs, from the session as it
 * stands then; the checks below skip a notice that no longer applies.
 */

export const SESSION_NOTICE_KIND = 'session_notice';
export const SESSION_INVITE_KIND = 'session_invite';

export const SessionNoticeType = z.enum(['cancelled', 'changed', 'promoted', 'hosting', 'unhosted']);
export type SessionNoticeType = z.infer<typeof SessionNoticeType>;

const Revision = {
  sessionNumber: z.number().int().positive(),
  // As loose as the participant rows it comes from: a stricter schema would make the write itself fail.
  userId: z.string().min(1),
  /** The session's SEQUENCE right after the change that caused this notice. */
  sequence: z.number().int().nonnegative(),
  /** 1, or which promotion of this person at this SEQUENCE. */
  round: z.number().int().positive(),
};

export const SessionNoticePayload = z.object({
  ...Revision,
  notice: SessionNoticeType,
  /** For `changed`: what changed, as the DM says it. */
  changes: z.object({ time: z.boolean(), place: z.boolean() }).optional(),
  /** For `hosting` and `unhosted`: who made the change. */
  by: z.string().min(1).optional(),
  /** For `hosting`: how many weekly sessions of the same series follow this one. */
  following: z.number().int().nonnegative().optional(),
});
export type SessionNoticePayload = z.infer<typeof SessionNoticePayload>;

export const SessionInvitePayload = z.object({
  ...Revision,
  method: z.enum(['REQUEST', 'CANCEL']),
});
export type SessionInvitePayload = z.infer<typeof SessionInvitePayload>;

export const SessionNoticeJob = defineJobKind({ kind: SESSION_NOTICE_KIND, payload: SessionNoticePayload, key: sessionNoticeKey });
export const SessionInviteJob = defineJobKind({ kind: SESSION_INVITE_KIND, payload: SessionInvitePayload, key: sessionInviteKey });

function rev(p: { sequence: number; round: number }): string {
  return p.round === 1 ? String(p.sequence) : `${p.sequence}.${p.round}`;
}

/** `<sequence>` or `<sequence>.<round>` back to numbers; undefined for a key of another shape. */
function parseRev(text: string | undefined): { sequence: number; round: number } | undefined {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text ?? '');
  if (match === null) return undefined;
  return { sequence: Number(match[1]), round: match[2] === undefined ? 1 : Number(match[2]) };
}

function noticePrefix(sessionNumber: number, userId: string, notice: SessionNoticeType): string {
  return `notice:${sessionNumber}:${userId}:${notice}:`;
}

/** Every calendar file for one person and session, whatever its method. */
function invitePrefix(sessionNumber: number, userId: string): string {
  return `invite:${sessionNumber}:${userId}:`;
}

export function sessionNoticeKey(p: SessionNoticePayload): string {
  return `${noticePrefix(p.sessionNumber, p.userId, p.notice)}${rev(p)}`;
}

export function sessionInviteKey(p: SessionInvitePayload): string {
  return `${invitePrefix(p.sessionNumber, p.userId)}${p.method}:${rev(p)}`;
}

/** The revision part of a notice or invite key (its last segment). */
function revOfKey(key: string): { sequence: number; round: number } | undefined {
  return parseRev(key.slice(key.lastIndexOf(':') + 1));
}

type Planned = Pick<Session, 'teamId' | 'number' | 'sequence'>;

function plan(
  deps: ServiceDeps,
  session: Planned,
  userId: string,
  notice: SessionNoticeType,
  method: 'REQUEST' | 'CANCEL' | undefined,
  round: number,
  changes?: SessionNoticePayload['changes'],
  extra: Pick<SessionNoticePayload, 'by' | 'following'> = {},
): void {
  const runAt = deps.clock.now();
  const base = { sessionNumber: session.number, userId, sequence: session.sequence, round };
  // Two jobs, so a retry of one never repeats the other; they may be claimed together and run
  // side by side, so the file can land before the DM.
  const dm: SessionNoticePayload = { ...base, notice, ...(changes === undefined ? {} : { changes }), ...extra };
  scheduleJob(deps, { teamId: session.teamId, kind: SESSION_NOTICE_KIND, key: sessionNoticeKey(dm), runAt, payload: dm });
  // No file when the person's calendar entry stays as it is (an old host who keeps their place).
  if (method === undefined) return;
  const file: SessionInvitePayload = { ...base, method };
  scheduleJob(deps, { teamId: session.teamId, kind: SESSION_INVITE_KIND, key: sessionInviteKey(file), runAt, payload: file });
}

/**
 * Plans "cancelled" DMs and METHOD:CANCEL files for the attendees and the waitlist. Runs inside
 * cancelSession's transaction, after the SEQUENCE bump.
 */
export function planCancelNotices(deps: ServiceDeps, session: Planned, userIds: readonly string[]): void {
  for (const userId of userIds) plan(deps, session, userId, 'cancelled', 'CANCEL', 1);
}

/**
 * Plans "changed" DMs and updated invitations (the new SEQUENCE). Runs inside editSession's
 * transaction. An earlier change this person has not been told yet (its DM still waiting, e.g.
 * behind a 429) will be skipped as superseded by this one, so this DM names what changed in both:
 * a time change followed by a link change is told as "time and place", never as "place" alone.
 */
export function planChangeNotices(deps: ServiceDeps, session: Planned, userIds: readonly string[], changes: { time: boolean; place: boolean }): void {
  for (const userId of userIds) plan(deps, session, userId, 'changed', 'REQUEST', 1, withUntoldChanges(deps, session, userId, changes));
}

function withUntoldChanges(deps: ServiceDeps, session: Planned, userId: string, changes: { time: boolean; place: boolean }): { time: boolean; place: boolean } {
  const merged = { ...changes };
  for (const row of listJobKeys(deps, session.teamId, noticePrefix(session.number, userId, 'changed'))) {
    if (row.status !== 'pending' && row.status !== 'running') continue;
    const earlier = SessionNoticePayload.safeParse(getJob(deps, session.teamId, row.key)?.payload);
    if (!earlier.success || earlier.data.changes === undefined) continue;
    merged.time ||= earlier.data.changes.time;
    merged.place ||= earlier.data.changes.place;
  }
  return merged;
}

/**
 * Plans "you got a seat" DMs and invitations for people promoted off the waitlist. Runs inside
 * the transaction that promoted them (a leave, or an edit that added seats); each promotion is
 * a new round, because a leave does not bump SEQUENCE.
 */
export function planPromotionNotices(deps: ServiceDeps, session: Planned, userIds: readonly string[]): void {
  // One round number for both halves: the file's may be higher if an edit at this SEQUENCE sent one already.
  for (const userId of userIds) plan(deps, session, userId, 'promoted', 'REQUEST', nextRound(deps, session, userId, 'promoted', true));
}

/**
 * The round for a notice that can come more than once at one SEQUENCE (a seat, a handover): one
 * past the rows already planned for it at this SEQUENCE, and past the person's calendar files
 * too when it sends one (`withFile`), so both halves share one fresh key.
 */
function nextRound(deps: ServiceDeps, session: Planned, userId: string, notice: SessionNoticeType, withFile: boolean): number {
  const atThisSequence = (prefix: string) => listJobKeys(deps, session.teamId, prefix).filter((row) => revOfKey(row.key)?.sequence === session.sequence).length;
  const files = withFile ? atThisSequence(invitePrefix(session.number, userId)) : 0;
  return Math.max(atThisSequence(noticePrefix(session.number, userId, notice)), files) + 1;
}

/**
 * Someone else made `userId` the host (they scheduled it for them, or handed it over in an
 * edit): a DM saying so, with the calendar file. For a weekly series only its first session is
 * told, with how many follow, so a 12-week series is one DM rather than twelve. Runs inside the
 * edit's transaction, or right after a create's card is in.
 */
export function planHostingNotice(deps: ServiceDeps, session: Planned, userId: string, by: string, following = 0): void {
  plan(deps, session, userId, 'hosting', 'REQUEST', nextRound(deps, session, userId, 'hosting', true), undefined, { by, ...(following > 0 ? { following } : {}) });
}

/** The host someone else replaced: a DM saying who hosts now and where they stand (no new file: their entry stays). */
export function planUnhostedNotice(deps: ServiceDeps, session: Planned, userId: string, by: string): void {
  plan(deps, session, userId, 'unhosted', undefined, nextRound(deps, session, userId, 'unhosted', false), undefined, { by });
}

// --- checks at send time --------------------------------------------------------------------

export type SessionNoticeSkipReason =
  | 'session_deleted'
  | 'session_cancelled'
  | 'not_cancelled'
  | 'session_over'
  | 'not_a_participant'
  | 'not_the_host'
  | 'host_again'
  | 'superseded';

export type Place = 'host' | 'seated' | 'waitlisted' | undefined;

export type SessionNoticeCheck = { send: true; session: Session; place: Place } | { send: false; reason: SessionNoticeSkipReason };

function placeOf(deps: ServiceDeps, teamId: string, sessionNumber: number, userId: string): Place {
  const row = deps.db
    .select({ role: participants.role, waitlisted: participants.waitlisted, leftAt: participants.leftAt })
    .from(participants)
    .where(and(eq(participants.teamId, teamId), eq(participants.sessionNumber, sessionNumber), eq(participants.userId, userId)))
    .get();
  if (row === undefined || row.leftAt !== null) return undefined;
  if (row.role === 'host') return 'host';
  return row.waitlisted ? 'waitlisted' : 'seated';
}

/** Statuses of a job that has reached, or will reach, the person. */
const WILL_ARRIVE: ReadonlySet<JobStatus> = new Set(['pending', 'running', 'done']);

/** Whether a later notice under `prefix` (a higher SEQUENCE, or a later round) has gone or will go out. */
function hasNewer(deps: ServiceDeps, teamId: string, prefix: string, p: { sequence: number; round: number }): boolean {
  return listJobKeys(deps, teamId, prefix).some((row) => {
    const other = revOfKey(row.key);
    if (other === undefined || !WILL_ARRIVE.has(row.status)) return false;
    return other.sequence > p.sequence || (other.sequence === p.sequence && other.round > p.round);
  });
}

type Common = Pick<SessionNoticePayload, 'sessionNumber' | 'userId'>;

/** What every notice checks first: the session exists and has not ended (after that it is moot). */
function sessionFor(deps: ServiceDeps, teamId: string, p: Common): { session: Session; place: Place } | SessionNoticeSkipReason {
  const session = deps.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.teamId, teamId), eq(sessions.number, p.sessionNumber)))
    .get();
  if (session === undefined) return 'session_deleted';
  if (deps.clock.now() >= session.startsAt + session.durationMin * 60_000) return 'session_over';
  return { session, place: placeOf(deps, teamId, p.sessionNumber, p.userId) };
}

/** Who a notice or file is for, by what it says: it applies only while the person still fits. */
type Audience = 'was_in' | 'seated' | 'host' | 'former_host';

/**
 * Why a notice no longer fits the session as it stands, if it does not: a cancellation goes to
 * whoever was in (seat or waitlist) while the session is cancelled; anything else only while it
 * is not cancelled, and to someone still seated or hosting ('seated'), still the host ('host'),
 * or, for the host who was replaced, still in it but no longer hosting ('former_host').
 */
function staleReason(session: Session, place: Place, audience: Audience): SessionNoticeSkipReason | undefined {
  if (audience === 'was_in') {
    if (session.status !== 'cancelled') return 'not_cancelled';
    return place === undefined ? 'not_a_participant' : undefined;
  }
  if (session.status === 'cancelled') return 'session_cancelled';
  switch (audience) {
    case 'host':
      return place === 'host' ? undefined : 'not_the_host';
    case 'former_host':
      return place === 'host' ? 'host_again' : place === undefined ? 'not_a_participant' : undefined;
    case 'seated':
      return place === 'seated' || place === 'host' ? undefined : 'not_a_participant';
  }
}

const NOTICE_AUDIENCE: Record<SessionNoticeType, Audience> = {
  cancelled: 'was_in',
  changed: 'seated',
  promoted: 'seated',
  hosting: 'host',
  unhosted: 'former_host',
};

/**
 * Whether a notice DM still applies: a cancellation goes to whoever was in (seat or waitlist);
 * a change only to someone still seated, and not when the session was cancelled since (that DM
 * says it) or a later change will be (or was) told; a seat only while the person still has it,
 * and once per seat held now (a later promotion's DM says the same).
 */
export function checkSessionNotice(deps: ServiceDeps, teamId: string, p: SessionNoticePayload): SessionNoticeCheck {
  const found = sessionFor(deps, teamId, p);
  if (typeof found === 'string') return { send: false, reason: found };
  const { session, place } = found;
  const stale = staleReason(session, place, NOTICE_AUDIENCE[p.notice]);
  if (stale !== undefined) return { send: false, reason: stale };
  // One DM per news: a later change (or a later seat, after this one was lost and won again)
  // that has gone or will go out says it for this one.
  if (p.notice !== 'cancelled' && hasNewer(deps, teamId, noticePrefix(p.sessionNumber, p.userId, p.notice), p)) return { send: false, reason: 'superseded' };
  return { send: true, session, place };
}

/**
 * Whether a calendar file still applies: a cancellation while the session is cancelled and the
 * person was in it; an invitation while it is not cancelled and they still have a seat. A file
 * is superseded by any later one for the same person (it carries the newer SEQUENCE).
 */
export function checkSessionInvite(deps: ServiceDeps, teamId: string, p: SessionInvitePayload): { send: true } | { send: false; reason: SessionNoticeSkipReason } {
  const found = sessionFor(deps, teamId, p);
  if (typeof found === 'string') return { send: false, reason: found };
  const { session, place } = found;
  const stale = staleReason(session, place, p.method === 'CANCEL' ? 'was_in' : 'seated');
  if (stale !== undefined) return { send: false, reason: stale };
  if (hasNewer(deps, teamId, invitePrefix(p.sessionNumber, p.userId), p)) return { send: false, reason: 'superseded' };
  return { send: true };
}
