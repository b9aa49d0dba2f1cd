import { checkSessionInvite, checkSessionNotice, SessionInviteJob, SessionNoticeJob } from '../services/session-notices.js';
import type { Place, SessionNoticePayload } from '../services/session-notices.js';
import type { Session } from '../services/sessions.js';
import { buildHostingDm, buildPromotedDm, buildSessionCancelledDm, buildSessionChangedDm, buildUnhostedDm, type DmMessageBody, type SessionDmInput } from '../slack/blocks/session-dm.js';
import { deliverCalendarInvite } from '../slack/calendar-invite.js';
import { serviceDeps } from '../slack/deps.js';
import { learnPersonIfNew, sendDirectMessage } from '../slack/notify.js';
import { dmInput } from '../slack/session-flow.js';
import type { JobHandler } from './types.js';

function renderNotice(payload: SessionNoticePayload, session: Session, place: Place, input: SessionDmInput): DmMessageBody {
  switch (payload.notice) {
    case 'cancelled':
      return buildSessionCancelledDm(input, session.cancelReason);
    case 'changed':
      return buildSessionChangedDm(input, payload.changes ?? { time: true, place: true });
    case 'promoted':
      return buildPromotedDm(input);
    case 'hosting':
      return buildHostingDm(input, payload.by, payload.following ?? 0);
    case 'unhosted':
      return buildUnhostedDm(input, payload.by, session.hostId, place === 'waitlisted' ? 'waitlisted' : 'seated');
  }
}

/**
 * One session notice DM (cancelled, changed, you got a seat), planned with the change that
 * caused it (services/session-notices.ts). Rendered from the session as it stands now, after
 * checking the notice still applies.
 */
export const sendSessionNotice: JobHandler = async ({ deps, job }) => {
  const payload = SessionNoticeJob.parse(job.payload);
  const check = checkSessionNotice(serviceDeps(deps), job.teamId, payload);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  await learnPersonIfNew(deps, job.teamId, payload.userId);
  const input = dmInput(deps, check.session, payload.userId);
  const message = renderNotice(payload, check.session, check.place, input);
  const sent = await sendDirectMessage(deps, job.teamId, payload.userId, message, { jobKey: job.key });
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', result: { channel: sent.channel, ts: sent.ts } };
};

/** One session calendar file (METHOD:REQUEST or CANCEL) that follows a notice. */
export const sendSessionInvite: JobHandler = async ({ deps, job }) => {
  const payload = SessionInviteJob.parse(job.payload);
  const check = checkSessionInvite(serviceDeps(deps), job.teamId, payload);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  await learnPersonIfNew(deps, job.teamId, payload.userId);
  const sent = await deliverCalendarInvite(deps, { teamId: job.teamId, userId: payload.userId, sessionNumber: payload.sessionNumber, method: payload.method }, { jobKey: job.key });
  if (sent.status === 'skipped') return { status: 'skipped', reason: sent.reason };
  return { status: 'done', result: { fileIds: sent.fileIds } };
};
