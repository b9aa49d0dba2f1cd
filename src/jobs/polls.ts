import { serviceDeps } from '../deps.js';
import { closePoll, planPollClose, POLL_OPEN_DELAY_MS, POLL_OPEN_FOR_MS, preparePollOpening, syncPollJobs, type PollJobPayload } from '../services/polls.js';
import { listTeamsWithSessionsEnding } from '../services/session-queries.js';
import { postPoll, refreshPollMessage } from '../slack/flows/polls.js';
import type { JobHandler, JobPlanner } from './types.js';

/** poll_open:<session>: posts the poll under the session's announcement and schedules its closing. */
export const handlePollOpen: JobHandler<PollJobPayload> = async ({ deps, job, payload: { sessionNumber }, meta }) => {
  const services = serviceDeps(deps);
  const plan = preparePollOpening(services, job.teamId, sessionNumber);
  if (plan.action === 'skip') return { status: 'skipped', reason: plan.reason };
  if (plan.action === 'already_posted') {
    // A crash between posting and scheduling the close must not leave the poll open forever.
    planPollClose(services, job.teamId, plan.poll);
    return { status: 'done', result: { channel: plan.poll.channelId, ts: plan.poll.messageTs, rerun: true } };
  }
  const { poll, session, summary } = plan;
  const posted = await postPoll(deps, poll, session, summary, meta);
  planPollClose(services, job.teamId, poll);
  return { status: 'done', result: { channel: posted.channel, ts: posted.ts } };
};

/** poll_close:<session>: marks the poll closed and replaces the buttons with the final result. */
export const handlePollClose: JobHandler<PollJobPayload> = async ({ deps, job, payload: { sessionNumber }, meta }) => {
  const closed = closePoll(serviceDeps(deps), job.teamId, sessionNumber);
  if (closed === undefined) return { status: 'skipped', reason: 'poll_not_found' };
  const { poll, summary } = closed;
  if (poll.messageTs === null) return { status: 'done', result: { votes: summary.votes, posted: false } };
  // Rendered from the database in turn with any vote updates still in flight, so the final
  // result is the last thing written to the message.
  await refreshPollMessage(deps, job.teamId, sessionNumber, meta);
  return { status: 'done', result: { votes: summary.votes, average: summary.average } };
};

/** How far back the poll planner looks: a poll that opens later than this after its session would already be closed. */
const POLL_PLAN_LOOKBACK_MS = POLL_OPEN_FOR_MS;
const POLL_PLAN_LOOKAHEAD_MS = 24 * 60 * 60_000;

/**
 * Makes sure every session that ended (or ends within a day) has its poll_open job at the right
 * time. Idempotent: a known key is a no-op, and a pending job follows a session that moved. This
 * keeps polls independent of which mutation paths call syncSessionJobs.
 */
export const planPollJobs: JobPlanner = (deps) => {
  const services = serviceDeps(deps);
  const now = deps.clock.now();
  const [from, to] = [now - POLL_PLAN_LOOKBACK_MS, now + POLL_PLAN_LOOKAHEAD_MS];
  // Polls open POLL_OPEN_DELAY_MS after the end, so their sessions ended that much earlier.
  for (const teamId of listTeamsWithSessionsEnding(services, from - POLL_OPEN_DELAY_MS, to)) syncPollJobs(services, teamId, from, to);
};
