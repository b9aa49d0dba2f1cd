import { discardUnpostedPoll, getPoll, getPollSummary, MIN_VOTES_FOR_AVERAGE, recordPollMessage, type Poll, type PollSummary } from '../../services/polls.js';
import { getSession } from '../../services/session-queries.js';
import { resolveWorkspaceZone } from '../../services/members.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import type { Session } from '../../services/session-model.js';
import { buildPollMessage } from '../blocks/poll.js';
import { createMessageChain } from '../message-chain.js';
import { SlackCallError } from '../slack-errors.js';
import { slackDateTime } from '../blocks/time.js';
import type { CallMeta } from '../messenger.js';

/**
 * A session's feedback poll in its channel: posted under the card, updated after each vote and
 * closed with the final result, one write at a time.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

/** Renders a poll's message as it stands; used after opening, after each vote, and on close. */
function renderPoll(deps: AppDeps, poll: Poll, sessionTitle: string, summary: PollSummary) {
  const zone = resolveWorkspaceZone(serviceDeps(deps), poll.teamId, deps.config.defaultTimeZone);
  return buildPollMessage({
    sessionNumber: poll.sessionNumber,
    sessionTitle,
    question: poll.question,
    status: poll.status,
    votes: summary.votes,
    average: summary.average,
    minVotesForAverage: MIN_VOTES_FOR_AVERAGE,
    closesText: slackDateTime(poll.closesAt, zone),
  });
}

/**
 * Writes to one poll message (post, update after a vote, close) run one at a time per
 * (workspace, session), in a message chain (message-chain.ts). The chain lives in this process:
 * with several processes the next vote or the close still corrects a stale count.
 */
const inPollChain = createMessageChain();

/** An interactive refresh that is waiting its turn, per poll: later votes join it instead of queueing more. */
const waitingRefresh = new Map<string, Promise<PollRefresh>>();

function chainKey(teamId: string, sessionNumber: number): string {
  return `${teamId}:${sessionNumber}`;
}

/** Runs `task` after every earlier write to this poll's message has settled (resolved or not). */
function withPollMessage<T>(teamId: string, sessionNumber: number, task: () => Promise<T>): Promise<T> {
  return inPollChain(chainKey(teamId, sessionNumber), task);
}

export type PollRefresh = { updated: true; votes: number } | { updated: false; reason: 'no_poll' | 'not_posted' };

/**
 * Brings the poll's channel message up to date with the database (count, average, open/closed),
 * in turn with the other writes to it. An interactive refresh (no `meta`) that finds another one
 * already waiting shares it: that one has not read the database yet, so it will include this
 * vote, and a burst of votes costs two chat.update calls rather than one each. A job's refresh
 * (with `meta.jobKey`, paced and retried by the scheduler) always makes its own call. Slack
 * errors reach the caller.
 */
export function refreshPollMessage(deps: AppDeps, teamId: string, sessionNumber: number, meta?: CallMeta): Promise<PollRefresh> {
  const key = chainKey(teamId, sessionNumber);
  const waiting = waitingRefresh.get(key);
  if (meta === undefined && waiting !== undefined) return waiting;
  const refresh = withPollMessage(teamId, sessionNumber, async (): Promise<PollRefresh> => {
    // From here on it reads the database: a later vote needs a refresh of its own.
    if (waitingRefresh.get(key) === refresh) waitingRefresh.delete(key);
    const services = serviceDeps(deps);
    const poll = getPoll(services, teamId, sessionNumber);
    if (poll === undefined) return { updated: false, reason: 'no_poll' };
    if (poll.messageTs === null) return { updated: false, reason: 'not_posted' };
    const summary = getPollSummary(services, teamId, sessionNumber);
    const title = getSession(services, teamId, sessionNumber)?.title ?? `Session #${sessionNumber}`;
    await deps.messenger.updateMessage(teamId, { channel: poll.channelId, ts: poll.messageTs, ...renderPoll(deps, poll, title, summary) }, meta);
    return { updated: true, votes: summary.votes };
  });
  if (meta === undefined) waitingRefresh.set(key, refresh);
  return refresh;
}

/**
 * Posts a poll under its session's card and records the message. In the poll message's chain: a
 * vote clicked the instant the message appears waits until its ts is recorded, then updates the
 * count instead of finding no message to update. Refused for good (the bot was removed from the
 * channel, the channel archived): the poll that never reached anyone is not kept, and the error
 * reaches the caller (the job fails with the reason).
 */
export function postPoll(deps: AppDeps, poll: Poll, session: Pick<Session, 'title' | 'announcementTs'>, summary: PollSummary, meta?: CallMeta): Promise<{ channel: string; ts: string }> {
  const { teamId, sessionNumber } = poll;
  const message = renderPoll(deps, poll, session.title, summary);
  return withPollMessage(teamId, sessionNumber, async () => {
    const services = serviceDeps(deps);
    try {
      const sent = await deps.messenger.postMessage(teamId, { channel: poll.channelId, ...(session.announcementTs === null ? {} : { thread_ts: session.announcementTs }), ...message }, meta);
      recordPollMessage(services, teamId, sessionNumber, sent.channel, sent.ts);
      return sent;
    } catch (error) {
      if (error instanceof SlackCallError && error.kind === 'permanent') discardUnpostedPoll(services, teamId, sessionNumber);
      throw error;
    }
  });
}
