import { z } from 'zod';
import { defineJobKind, scheduleJob } from '../services/jobs.js';
import {
  closePoll,
  discardUnpostedPoll,
  POLL_CLOSE_KIND,
  POLL_OPEN_FOR_MS,
  POLL_OPEN_KIND,
  pollCloseKey,
  preparePollOpening,
  recordPollMessage,
  syncPollJobs,
} from '../services/polls.js';
import { listWorkspaceIds } from '../services/workspaces.js';
import { refreshPollMessage, renderPoll, withPollMessage } from '../slack/poll-message.js';
import { serviceDeps } from '../slack/deps.js';
import { SlackCallError } from '../slack/slack-errors.js';
import type { JobHandler, JobPlanner } from './types.js';

const PollJobPayload = z.object({ sessionNumber: z.number().int().positive() });
type PollJobPayload = z.infer<typeof PollJobPayload>;

export const pollOpenJob = defineJobKind(POLL_OPEN_KIND, PollJobPayload);
export const pollCloseJob = defineJobKind(POLL_CLOSE_KIND, PollJobPayload);

/** poll_open:<session>: posts the poll under the session's announcement and schedules its closing. */
export const handlePollOpen: JobHandler = async ({ deps, job }) => {
  const { sessionNumber }: PollJobPayload = pollOpenJob.parse(job.payload);
  const services = serviceDeps(deps);
  const plan = preparePollOpening(services, job.teamId, sessionNumber);
  if (plan.action === 'skip') return { status: 'skipped', reason: plan.reason };
  if (plan.action === 'already_posted') {
    // A crash between posting and scheduling the close must not leave the poll open forever;
    // scheduling the same key again is a no-op when it exists.
    scheduleJob(services, { teamId: job.teamId, kind: POLL_CLOSE_KIND, key: pollCloseKey(sessionNumber), runAt: plan.poll.closesAt, payload: { sessionNumber } });
    return { status: 'done', result: { channel: plan.poll.channelId, ts: plan.poll.messageTs, rerun: true } };
  }
  const { poll, session, summary } = plan;
  const message = renderPoll(deps, poll, session.title, summary);
  // In the poll message's chain: a vote clicked the instant the message appears waits until its
  // ts is recorded, then updates the count instead of finding no message to update.
  const posted = await withPollMessage(job.teamId, sessionNumber, async () => {
    try {
      const sent = await deps.messenger.postMessage(
        job.teamId,
        { channel: poll.channelId, ...(session.announcementTs === null ? {} : { thread_ts: session.announcementTs }), ...message },
        { jobKey: job.key },
      );
      recordPollMessage(services, job.teamId, sessionNumber, sent.channel, sent.ts);
      return sent;
    } catch (error) {
      // Refused for good (the bot was removed from the channel, the channel archived): the job
      // fails with the reason, and the poll that never reached anyone is not kept.
      if (error instanceof SlackCallError && error.kind === 'permanent') discardUnpostedPoll(services, job.teamId, sessionNumber);
      throw error;
    }
  });
  scheduleJob(services, { teamId: job.teamId, kind: POLL_CLOSE_KIND, key: pollCloseKey(sessionNumber), runAt: poll.closesAt, payload: { sessionNumber } });
  return { status: 'done', result: { channel: posted.channel, ts: posted.ts } };
};

/** poll_close:<session>: marks the poll closed and replaces the buttons with the final result. */
export const handlePollClose: JobHandler = async ({ deps, job }) => {
  const { sessionNumber }: PollJobPayload = pollCloseJob.parse(job.payload);
  const services = serviceDeps(deps);
  const closed = closePoll(services, job.teamId, sessionNumber);
  if (closed === undefined) return { status: 'skipped', reason: 'poll_not_found' };
  const { poll, summary } = closed;
  if (poll.messageTs === null) return { status: 'done', result: { votes: summary.votes, posted: false } };
  // Rendered from the database in turn with any vote updates still in flight, so the final
  // result is the last thing written to the message.
  await refreshPollMessage(deps, job.teamId, sessionNumber, { jobKey: job.key });
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
  for (const teamId of listWorkspaceIds(services)) syncPollJobs(services, teamId, now - POLL_PLAN_LOOKBACK_MS, now + POLL_PLAN_LOOKAHEAD_MS);
};
