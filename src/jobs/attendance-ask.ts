import { serviceDeps } from '../deps.js';
import { checkAttendanceAsk } from '../services/attendance-ask.js';
import type { SessionEndPayload } from '../services/session-end.js';
import { deliverAttendanceAsk } from '../slack/flows/attendance.js';
import type { JobHandler } from './types.js';

/**
 * attendance_ask:<session>:<end>: the host's "Who came?" DM when the session ends, planned with
 * the card's session_end job (services/session-end.ts), so a moved or cancelled session never
 * asks and a re-run never asks twice. Skipped, with the reason, when nobody else joined, the
 * attendance is already marked, the session moved, was cancelled or removed, it ended more than a
 * day ago, or the host opted out of DMs.
 */
export const askWhoCame: JobHandler<SessionEndPayload> = async ({ deps, job, payload, meta }) => {
  const check = checkAttendanceAsk(serviceDeps(deps), job.teamId, payload);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  const sent = await deliverAttendanceAsk(deps, job.teamId, check, meta);
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', result: { channel: sent.channel, ts: sent.ts, joined: check.summary.seated } };
};
