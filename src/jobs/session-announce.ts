import { serviceDeps } from '../deps.js';
import { checkAnnouncement, type SessionAnnouncePayload } from '../services/session-announce.js';
import { announceSession } from '../slack/flows/session-card.js';
import type { JobHandler } from './types.js';

/** announce:<session>: posts a card that Slack did not take the first time (services/session-announce.ts). */
export const postSessionCard: JobHandler<SessionAnnouncePayload> = async ({ deps, job, payload, meta }) => {
  const check = checkAnnouncement(serviceDeps(deps), job.teamId, payload);
  if (!check.post) return { status: 'skipped', reason: check.reason };
  const ts = await announceSession(deps, check.session, meta);
  return { status: 'done', result: { channel: check.session.channelId, ts } };
};
