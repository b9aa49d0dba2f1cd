import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { sessions } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import { cancelPendingJobs, defineJobKind, listJobKeys, scheduleJob } from './jobs.js';
import { endingBetween, getSession } from './session-queries.js';
import { sessionEndsAt, type Session } from './session-model.js';

/**
 * The jobs that run when a session ends, planned together: session_end turns the card into "this
 * session has ended" (no Join or Leave; nothing else touches the card at that moment, so without
 * it the card offers Join for ever), and attendance_ask DMs the host "Who came?" (its run-time
 * checks are in attendance-ask.ts). One job of each per (session, end time): the end is in the
 * key, like a reminder's start, so a moved session gets new keys and the old ones are cancelled,
 * a cancelled or deleted session's are cancelled, while an edit that keeps the end (a new title)
 * leaves them alone. A job that ran (done, or skipped for good) is never planned again.
 */

export const SESSION_END_KIND = 'session_end';

export const SessionEndPayload = z.object({
  sessionNumber: z.number().int().positive(),
  /** The end the job was planned for; a different end at run time means the session moved. */
  endsAt: z.number().int(),
});
export type SessionEndPayload = z.infer<typeof SessionEndPayload>;

export const SessionEndJob = defineJobKind({ kind: SESSION_END_KIND, payload: SessionEndPayload, key: sessionEndKey });

export const ATTENDANCE_ASK_KIND = 'attendance_ask';

export function attendanceAskKeyPrefix(sessionNumber: number): string {
  return `${ATTENDANCE_ASK_KIND}:${sessionNumber}:`;
}

export function attendanceAskKey(p: SessionEndPayload): string {
  return `${attendanceAskKeyPrefix(p.sessionNumber)}${p.endsAt}`;
}

/** attendance_ask:<session>:<end>: the host's "Who came?" DM, with the same payload as the card's job. */
export const AttendanceAskJob = defineJobKind({ kind: ATTENDANCE_ASK_KIND, payload: SessionEndPayload, key: attendanceAskKey });

export type SessionEndSkipReason = 'session_deleted' | 'session_cancelled' | 'session_moved' | 'no_card';

/**
 * A skip after which the same key may be due again (nothing was sent): the session had moved, and
 * is back at this end. The same for both kinds (the ask's other skips are for good).
 */
const REVIVABLE_SKIPS: readonly string[] = ['session_moved'];

/** One kind of job kept on a session's end. */
interface EndJobKind {
  kind: typeof SESSION_END_KIND | typeof ATTENDANCE_ASK_KIND;
  prefix(sessionNumber: number): string;
  key(p: SessionEndPayload): string;
}

const END_JOB_KINDS: readonly EndJobKind[] = [
  { kind: SESSION_END_KIND, prefix: sessionEndKeyPrefix, key: sessionEndKey },
  { kind: ATTENDANCE_ASK_KIND, prefix: attendanceAskKeyPrefix, key: attendanceAskKey },
];

export function sessionEndKeyPrefix(sessionNumber: number): string {
  return `${SESSION_END_KIND}:${sessionNumber}:`;
}

export function sessionEndKey(p: SessionEndPayload): string {
  return `${sessionEndKeyPrefix(p.sessionNumber)}${p.endsAt}`;
}

/**
 * Makes the session's end jobs (the card's and the host's ask) match its current end and status:
 * planned for a scheduled session, cancelled for a cancelled or deleted one, moved (new keys) for
 * a moved one. Safe inside the caller's transaction; a join costs one session read and one
 * indexed key read per kind when nothing changes.
 */
export function syncSessionEndJob(deps: ServiceDeps, teamId: string, sessionNumber: number): void {
  const session = getSession(deps, teamId, sessionNumber);
  for (const kind of END_JOB_KINDS) syncEndJob(deps, teamId, sessionNumber, session, kind);
}

function syncEndJob(deps: ServiceDeps, teamId: string, sessionNumber: number, session: Session | undefined, spec: EndJobKind): void {
  const prefix = spec.prefix(sessionNumber);
  if (session === undefined || session.status === 'cancelled') {
    cancelPendingJobs(deps, teamId, prefix, { reason: session === undefined ? 'session_deleted' : 'session_cancelled' });
    return;
  }
  const payload: SessionEndPayload = { sessionNumber, endsAt: sessionEndsAt(session) };
  const key = spec.key(payload);
  const existing = listJobKeys(deps, teamId, prefix);
  const current = existing.find((row) => row.key === key)?.status;
  // Pending, running, done or failed: already planned (or already run) for this end.
  const planned = current !== undefined && current !== 'cancelled' && current !== 'skipped';
  if (!planned) scheduleJob(deps, { teamId, kind: spec.kind, key, runAt: payload.endsAt, payload, reviveSkipped: REVIVABLE_SKIPS });
  if (existing.some((row) => row.key !== key && row.status === 'pending')) {
    cancelPendingJobs(deps, teamId, prefix, { keep: [key], reason: 'session_moved' });
  }
}

/**
 * Plans the end jobs of every scheduled, announced session ending in [fromMs, toMs): the mutation
 * paths plan them as they change a session, and this catches sessions they never touched (those
 * made before end jobs existed, or a sync that was missed). Idempotent.
 */
export function syncSessionEndJobs(deps: ServiceDeps, teamId: string, fromMs: number, toMs: number): void {
  const numbers = deps.db
    .select({ number: sessions.number })
    .from(sessions)
    .where(and(eq(sessions.teamId, teamId), eq(sessions.status, 'scheduled'), endingBetween(fromMs, toMs), isNotNull(sessions.announcementTs)))
    .all()
    .map((r) => r.number);
  if (numbers.length === 0) return;
  deps.db.transaction(() => {
    for (const number of numbers) syncSessionEndJob(deps, teamId, number);
  });
}

export type SessionEndCheck =
  | { refresh: true; session: Session & { announcementTs: string } }
  | { refresh: false; reason: SessionEndSkipReason };

/**
 * The session an end job was planned for, if it still ends then: not removed, not cancelled,
 * not moved (the job is claimed at that end, so it has ended).
 */
export function sessionAtPlannedEnd(
  deps: ServiceDeps,
  teamId: string,
  payload: SessionEndPayload,
): { ok: true; session: Session } | { ok: false; reason: 'session_deleted' | 'session_cancelled' | 'session_moved' } {
  const session = getSession(deps, teamId, payload.sessionNumber);
  if (session === undefined) return { ok: false, reason: 'session_deleted' };
  if (session.status === 'cancelled') return { ok: false, reason: 'session_cancelled' };
  if (sessionEndsAt(session) !== payload.endsAt) return { ok: false, reason: 'session_moved' };
  return { ok: true, session };
}

/** At run time: the card is refreshed only if the session still ends when planned and has a card. */
export function checkSessionEnd(deps: ServiceDeps, teamId: string, payload: SessionEndPayload): SessionEndCheck {
  const found = sessionAtPlannedEnd(deps, teamId, payload);
  if (!found.ok) return { refresh: false, reason: found.reason };
  const { session } = found;
  if (session.announcementTs === null) return { refresh: false, reason: 'no_card' };
  return { refresh: true, session: { ...session, announcementTs: session.announcementTs } };
}
