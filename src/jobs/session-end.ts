import { serviceDeps } from '../deps.js';
import { checkSessionEnd, syncSessionEndJobs, type SessionEndPayload } from '../services/session-end.js';
import { listTeamsWithSessionsEnding } from '../services/session-queries.js';
import { updateSessionCard } from '../slack/flows/session-card.js';
import type { JobHandler, JobPlanner } from './types.js';

/**
 * session_end:<session>:<end>: rewrites the card when the session ends, so it says it has ended
 * and offers no Join or Leave. Skipped (with the reason) if the session was cancelled, moved or
 * removed, or never got a card.
 */
export const refreshEndedSessionCard: JobHandler<SessionEndPayload> = async ({ deps, job, payload, meta }) => {
  const check = checkSessionEnd(serviceDeps(deps), job.teamId, payload);
  if (!check.refresh) return { status: 'skipped', reason: check.reason };
  const { session } = check;
  // Rendered from the database in its turn with any click's card refresh still in flight.
  const updated = await updateSessionCard(deps, job.teamId, session.number, meta);
  if (updated === 'no_card') return { status: 'skipped', reason: 'no_card' };
  return { status: 'done', result: { channel: session.channelId, ts: session.announcementTs } };
};

const DAY_MS = 24 * 60 * 60_000;

/**
 * Makes sure every session ending between two days ago and a day from now has its end jobs (the
 * card's and the host's "Who came?"): a card that ended recently without one (a session from
 * before end jobs existed) is closed now; its ask goes out only within a day of the end.
 */
export const planSessionEndJobs: JobPlanner = (deps) => {
  const services = serviceDeps(deps);
  const now = deps.clock.now();
  const [from, to] = [now - 2 * DAY_MS, now + DAY_MS];
  for (const teamId of listTeamsWithSessionsEnding(services, from, to)) syncSessionEndJobs(services, teamId, from, to);
};
