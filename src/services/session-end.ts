import { and, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { sessions } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import { cancelPendingJobs, defineJobKind, listJobKeys, scheduleJob } from './jobs.js';
import { endingBetween, getSession } from './session-queries.js';
import { sessionEndsAt, type Session } from './session-model.js';

/**
 * The job that turns a session's card into "this session has ended" (no Join or Leave) when it
 * ends. Nothing else touches the card at that moment, so without it the card offers Join for
 * ever. One job per (session, end time): the end is in the key, like a reminder's start, so a
 * moved session gets a new key and the old one is cancelled, while an edit that keeps the end
 * (a new title) leaves the job alone.
 */

export const SESSION_END_KIND = 'session_end';

export const SessionEndPayload = z.object({
  sessionNumber: z.number().int().positive(),
  /** The end the job was planned for; a different end at run time means the session moved. */
  endsAt: z.number().int(),
});
export type SessionEndPayload = z.infer<typeof SessionEndPayload>;

export const SessionEndJob = defineJobKind({ kind: SESSION_END_KIND, payload: SessionEndPayload, key: sessionEndKey });

export type SessionEndSkipReason = 'session_deleted' | 'session_cancelled' | 'session_moved' | 'no_card';

/** A skip after which the same key may be due again (nothing was sent): the session had moved, and is back at this end. */
const REVIVABLE_SKIPS: readonly SessionEndSkipReason[] = ['session_moved'];

export function sessionEndKeyPrefix(sessionNumber: number): string {
  return `${SESSION_END_KIND}:${sessionNumber}:`;
}

export function sessionEndKey(p: SessionEndPayload): string {
  return `${sessionEndKeyPrefix(p.sessionNumber)}${p.endsAt}`;
}

/**
 * Makes the session's end job match its current end and status: planned for a scheduled
 * session, cancelled for a cancelled or deleted one, moved (new key) for a moved one. Safe
 * inside the caller's transaction; a join costs one indexed read when nothing changes.
 */
export function syncSessionEndJob(deps: ServiceDeps, teamId: string, sessionNumber: number): void {
  const prefix = sessionEndKeyPrefix(sessionNumber);
  const session = getSession(deps, teamId, sessionNumber);
  if (session === undefined || session.status === 'cancelled') {
    cancelPendingJobs(deps, teamId, prefix, { reason: session === undefined ? 'session_deleted' : 'session_cancelled' });
    return;
  }
  const payload: SessionEndPayload = { sessionNumber, endsAt: sessionEndsAt(session) };
  const key = sessionEndKey(payload);
  const existing = listJobKeys(deps, teamId, prefix);
  const current = existing.find((row) => row.key === key)?.status;
  // Pending, running, done or failed: already planned (or already run) for this end.
  const planned = current !== undefined && current !== 'cancelled' && current !== 'skipped';
  if (!planned) scheduleJob(deps, { teamId, kind: SESSION_END_KIND, key, runAt: payload.endsAt, payload, reviveSkipped: REVIVABLE_SKIPS });
  if (existing.some((row) => row.key !== key && row.status === 'pending')) {
    cancelPendingJobs(deps, teamId, prefix, { keep: [key], reason: 'session_moved' });
  }
}

/**
 * Plans the end job of every scheduled, announced session ending in [fromMs, toMs): the mutation
 * paths plan it as they change a session, and this catches sessions they never touched (those
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
 * At run time: the card is refreshed only if the session still ends when planned (the job is
 * claimed at that end, so it has ended) and has a card.
 */
export function checkSessionEnd(deps: ServiceDeps, teamId: string, payload: SessionEndPayload): SessionEndCheck {
  const session = getSession(deps, teamId, payload.sessionNumber);
  if (session === undefined) return { refresh: false, reason: 'session_deleted' };
  if (session.status === 'cancelled') return { refresh: false, reason: 'session_cancelled' };
  if (sessionEndsAt(session) !== payload.endsAt) return { refresh: false, reason: 'session_moved' };
  if (session.announcementTs === null) return { refresh: false, reason: 'no_card' };
  return { refresh: true, session: { ...session, announcementTs: session.announcementTs } };
}
