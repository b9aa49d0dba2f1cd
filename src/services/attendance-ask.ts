import { z } from 'zod';
import type { ServiceDeps } from './context.js';
import { inTransaction } from './context.js';
import { getJob, listJobKeys } from './jobs.js';
import { attendanceAskKeyPrefix, sessionAtPlannedEnd, type SessionEndPayload } from './session-end.js';
import type { Session, SessionActor } from './session-model.js';
import { listParticipants } from './session-queries.js';
import { markAttendance, prepareAttendance } from './sessions.js';

/**
 * "Who came?": the DM a host gets when a session ends (job attendance_ask:<session>:<end>, planned
 * with the card's session_end job in session-end.ts), and its "Everyone came" answer. Without it
 * attendance is rarely marked, and the participation rate is a guess.
 */

/** Where the current seated attendees (not the host, not the waitlist, not those who left) stand. */
export interface AttendanceSummary {
  seated: number;
  yes: number;
  no: number;
  /** Not marked either way (never marked, or joined after the checklist was shown). */
  unknown: number;
}

export function attendanceSummary(deps: ServiceDeps, teamId: string, number: number): AttendanceSummary {
  const { attendees } = listParticipants(deps, teamId, number);
  const yes = attendees.filter((p) => p.attended === 'yes').length;
  const no = attendees.filter((p) => p.attended === 'no').length;
  return { seated: attendees.length, yes, no, unknown: attendees.length - yes - no };
}

/** Marked once anyone on the list was recorded either way (the checklist or Everyone came saved it). */
export function isAttendanceMarked(summary: AttendanceSummary): boolean {
  return summary.yes + summary.no > 0;
}

/**
 * After this long past the end the ask is skipped (the app was down): a day later the host still
 * remembers who came; a DM about last week's session is noise, and `/peer attended` still works.
 */
export const ATTENDANCE_ASK_LATE_MS = 24 * 60 * 60_000;

export type AttendanceAskSkipReason = 'session_deleted' | 'session_cancelled' | 'session_moved' | 'too_late' | 'no_attendees' | 'already_marked';

export type AttendanceAskCheck = { send: true; session: Session; summary: AttendanceSummary } | { send: false; reason: AttendanceAskSkipReason };

/**
 * At run time: ask only about a session that still ends when planned, not long ago, that someone
 * else joined, and whose attendance nobody has marked yet (the host may have used `/peer
 * attended` during it). The host's opt-out is honoured where the DM is sent (flows/notices.ts).
 */
export function checkAttendanceAsk(deps: ServiceDeps, teamId: string, payload: SessionEndPayload): AttendanceAskCheck {
  const found = sessionAtPlannedEnd(deps, teamId, payload);
  if (!found.ok) return { send: false, reason: found.reason };
  if (deps.clock.now() > payload.endsAt + ATTENDANCE_ASK_LATE_MS) return { send: false, reason: 'too_late' };
  const summary = attendanceSummary(deps, teamId, payload.sessionNumber);
  if (summary.seated === 0) return { send: false, reason: 'no_attendees' };
  if (isAttendanceMarked(summary)) return { send: false, reason: 'already_marked' };
  return { send: true, session: found.session, summary };
}

export type EveryoneCameOutcome = { status: 'marked' | 'already'; session: Session; summary: AttendanceSummary };

/**
 * "Everyone came": every current seated attendee (and the host) marked yes, through markAttendance
 * and its rights check (host, creator or a workspace admin). Attendance already marked is left as
 * it is ('already', with what is recorded), so a second click, or one after the checklist was
 * saved, changes nothing. One transaction, so a checklist saved at the same moment is never
 * overwritten.
 */
export function markEveryoneAttended(deps: ServiceDeps, teamId: string, number: number, actor: SessionActor): EveryoneCameOutcome {
  return deps.db.transaction(
    (tx) => {
      const txDeps = inTransaction(deps, tx);
      const { session, attendees } = prepareAttendance(txDeps, teamId, number, actor);
      const before = attendanceSummary(txDeps, teamId, number);
      if (isAttendanceMarked(before)) return { status: 'already' as const, session, summary: before };
      markAttendance(txDeps, teamId, number, actor, attendees.map((p) => p.userId));
      return { status: 'marked' as const, session, summary: attendanceSummary(txDeps, teamId, number) };
    },
    { behavior: 'immediate' },
  );
}

const SentDm = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

/**
 * The "Who came?" DM that went out for this session (channel and ts, as its job recorded them),
 * so saving attendance can turn it into what was saved. Read from the job row, never from a
 * button or a form: a forged value cannot point the update at another message.
 */
export function findAttendanceAskDm(deps: ServiceDeps, teamId: string, number: number): { channel: string; ts: string } | undefined {
  const done = listJobKeys(deps, teamId, attendanceAskKeyPrefix(number)).filter((row) => row.status === 'done');
  for (const { key } of done.reverse()) {
    const result = getJob(deps, teamId, key)?.result;
    if (result == null) continue;
    try {
      const parsed = SentDm.safeParse(JSON.parse(result));
      if (parsed.success) return parsed.data;
    } catch {
      // A result that is not JSON names no message.
    }
  }
  return undefined;
}
