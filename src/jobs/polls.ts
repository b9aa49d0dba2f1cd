import { z } from 'zod';
import { workspaces } from '../db/schema.js';
import { defineJobKind, getJob, rescheduleJob, scheduleJob } from '../services/jobs.js';
import {
  closePoll,
  getPollSession,
  listSessionsNeedingPolls,
  POLL_CLOSE_KIND,
  POLL_OPEN_FOR_MS,
  POLL_OPEN_KIND,
  pollCloseKey,
  pollJobsFor,
  preparePollOpening,
  recordPollMessage,
} from '../services/polls.js';
import { renderPoll } from '../slack/poll-message.js';
import { serviceDeps } from '../slack/deps.js';
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
  if (plan.action === 'already_posted') return { status: 'done', result: { channel: plan.poll.channelId, ts: plan.poll.messageTs, rerun: true } };
  const { poll, session, summary } = plan;
  const message = renderPoll(deps, poll, session.title, summary);
  const posted = await deps.messenger.postMessage(
    job.teamId,
    { channel: poll.channelId, ...(session.announcementTs === null ? {} : { thread_ts: session.announcementTs }), ...message },
    { jobKey: job.key },
  );
  recordPollMessage(services, job.teamId, sessionNumber, posted.channel, posted.ts);
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
  const title = getPollSession(services, job.teamId, sessionNumber)?.title ?? `Session #${sessionNumber}`;
  await deps.messenger.updateMessage(job.teamId, { channel: poll.channelId, ts: poll.messageTs, ...renderPoll(deps, poll, title, summary) }, { jobKey: job.key });
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
  const teams = services.db.select({ teamId: workspaces.teamId }).from(workspaces).all();
  for (const { teamId } of teams) {
    const sessions = listSessionsNeedingPolls(services, teamId, now - POLL_PLAN_LOOKBACK_MS, now + POLL_PLAN_LOOKAHEAD_MS);
    if (sessions.length === 0) continue;
    services.db.transaction(() => {
      for (const session of sessions) {
        for (const job of pollJobsFor(session)) {
          if (scheduleJob(services, job)) continue;
          // Follow a moved session, but only for a job never tried: a 429 retry's later run_at stays.
          const existing = getJob(services, teamId, job.key);
          if (existing?.status === 'pending' && existing.lastError === null && existing.runAt !== job.runAt) rescheduleJob(services, teamId, job.key, job.runAt);
        }
      }
    });
  }
};
