import { serviceDeps } from '../deps.js';
import { checkSessionInvite, checkSessionNotice, type SessionInvitePayload, type SessionNoticePayload } from '../services/session-notices.js';
import { deliverSessionInvite, deliverSessionNotice } from '../slack/flows/notices.js';
import type { JobHandler } from './types.js';

/**
 * notice:<session>:<user>:<notice>:<rev>: one session notice DM (cancelled, changed, you got a
 * seat, hosting), planned with the change that caused it (services/session-notices.ts), sent
 * after checking the notice still applies.
 */
export const handleSessionNotice: JobHandler<SessionNoticePayload> = async ({ deps, job, payload, meta }) => {
  const check = checkSessionNotice(serviceDeps(deps), job.teamId, payload);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  const sent = await deliverSessionNotice(deps, job.teamId, payload, check, meta);
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', result: { channel: sent.channel, ts: sent.ts } };
};

/** invite:<session>:<user>:<method>:<rev>: the calendar file that follows a notice. */
export const handleSessionInvite: JobHandler<SessionInvitePayload> = async ({ deps, job, payload, meta }) => {
  const check = checkSessionInvite(serviceDeps(deps), job.teamId, payload);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  const sent = await deliverSessionInvite(deps, job.teamId, payload, meta);
  if (sent.status === 'skipped') return { status: 'skipped', reason: sent.reason };
  return { status: 'done', result: { fileIds: sent.fileIds } };
};
