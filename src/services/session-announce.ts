import { z } from 'zod';
import type { ServiceDeps } from './context.js';
import { defineJobKind, scheduleJob } from './jobs.js';
import { getSession } from './session-queries.js';
import { sessionEndsAt, type Session } from './session-model.js';

/**
 * A card Slack did not take when it was first posted (a later week of a weekly series, posted
 * after the person's form had closed) is posted again by a job, `announce:<session>`, so a
 * session is never left without its card because of one 429 or 5xx. Checked again when it runs:
 * a session that was cancelled, removed, has ended or got its card meanwhile is skipped.
 */
export const SESSION_ANNOUNCE_KIND = 'session_announce';

export const SessionAnnouncePayload = z.object({ sessionNumber: z.number().int().positive() });
export type SessionAnnouncePayload = z.infer<typeof SessionAnnouncePayload>;

export const SessionAnnounceJob = defineJobKind({ kind: SESSION_ANNOUNCE_KIND, payload: SessionAnnouncePayload, key: sessionAnnounceKey });

/** How long after a failed first post the job tries again (the scheduler's backoff takes it from there). */
export const ANNOUNCE_RETRY_DELAY_MS = 30_000;

export function sessionAnnounceKey(p: SessionAnnouncePayload): string {
  return `announce:${p.sessionNumber}`;
}

export function planAnnouncementRetry(deps: ServiceDeps, teamId: string, sessionNumber: number): void {
  const payload: SessionAnnouncePayload = { sessionNumber };
  scheduleJob(deps, { teamId, kind: SESSION_ANNOUNCE_KIND, key: sessionAnnounceKey(payload), runAt: deps.clock.now() + ANNOUNCE_RETRY_DELAY_MS, payload });
}

export type SessionAnnounceCheck =
  | { post: true; session: Session }
  | { post: false; reason: 'session_deleted' | 'session_cancelled' | 'session_over' | 'already_announced' };

export function checkAnnouncement(deps: ServiceDeps, teamId: string, p: SessionAnnouncePayload): SessionAnnounceCheck {
  const session = getSession(deps, teamId, p.sessionNumber);
  if (session === undefined) return { post: false, reason: 'session_deleted' };
  if (session.status === 'cancelled') return { post: false, reason: 'session_cancelled' };
  if (session.announcementTs !== null) return { post: false, reason: 'already_announced' };
  if (deps.clock.now() >= sessionEndsAt(session)) return { post: false, reason: 'session_over' };
  return { post: true, session };
}
