import { checkSessionEnd, SessionEndJob } from '../services/session-end.js';
import { serviceDeps } from '../slack/deps.js';
import { updateSessionCard } from '../slack/session-flow.js';
import type { JobHandler } from './types.js';

/**
 * session_end:<session>:<end>: rewrites the card when the session ends, so it says it has ended
 * and offers no Join or Leave. Skipped (with the reason) if the session was cancelled, moved or
 * removed, or never got a card.
 */
export const refreshEndedSessionCard: JobHandler = async ({ deps, job }) => {
  const payload = SessionEndJob.parse(job.payload);
  const check = checkSessionEnd(serviceDeps(deps), job.teamId, payload);
  if (!check.refresh) return { status: 'skipped', reason: check.reason };
  const { session } = check;
  await updateSessionCard(deps, session, { jobKey: job.key });
  return { status: 'done', result: { channel: session.channelId, ts: session.announcementTs } };
};
