import { resolveWorkspaceZone } from '../services/members.js';
import { getPoll, getPollSummary, MIN_VOTES_FOR_AVERAGE, type Poll, type PollSummary } from '../services/polls.js';
import { getSession } from '../services/sessions.js';
import { buildPollMessage } from './blocks/poll.js';
import { slackDateTime } from './blocks/time.js';
import { serviceDeps, type AppDeps } from './deps.js';
import type { CallMeta } from './messenger.js';

/** Renders a poll's message as it stands; used after opening, after each vote, and on close. */
export function renderPoll(deps: AppDeps, poll: Poll, sessionTitle: string, summary: PollSummary) {
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
 * (workspace, session). Two votes a moment apart each read a count and call chat.update; without
 * the chain the update carrying the older count can reach Slack last and stay on screen. With it,
 * each update is rendered from the database when its turn comes, so the last one to run shows
 * every vote stored before it started. The chain lives in this process: with several processes
 * the next vote or the close still corrects a stale count.
 */
interface Chain {
  tail: Promise<unknown>;
  /** An interactive refresh that is waiting its turn: later votes join it instead of queueing more. */
  waiting: Promise<PollRefresh> | undefined;
}

const chains = new Map<string, Chain>();

function chainKey(teamId: string, sessionNumber: number): string {
  return `${teamId}:${sessionNumber}`;
}

/** Runs `task` after every earlier write to this poll's message has settled (resolved or not). */
export function withPollMessage<T>(teamId: string, sessionNumber: number, task: () => Promise<T>): Promise<T> {
  const key = chainKey(teamId, sessionNumber);
  const chain = chains.get(key) ?? { tail: Promise.resolve(), waiting: undefined };
  const run = chain.tail.then(task, task);
  chain.tail = run.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, chain);
  // Forget the chain once it is idle, so a busy year of polls does not pile up entries.
  const tail = chain.tail;
  void tail.then(() => {
    if (chains.get(key)?.tail === tail) chains.delete(key);
  });
  return run;
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
  const waiting = chains.get(key)?.waiting;
  if (meta === undefined && waiting !== undefined) return waiting;
  const refresh = withPollMessage(teamId, sessionNumber, async (): Promise<PollRefresh> => {
    const chain = chains.get(key);
    if (chain !== undefined && chain.waiting === refresh) chain.waiting = undefined;
    const services = serviceDeps(deps);
    const poll = getPoll(services, teamId, sessionNumber);
    if (poll === undefined) return { updated: false, reason: 'no_poll' };
    if (poll.messageTs === null) return { updated: false, reason: 'not_posted' };
    const summary = getPollSummary(services, teamId, sessionNumber);
    const title = getSession(services, teamId, sessionNumber)?.title ?? `Session #${sessionNumber}`;
    await deps.messenger.updateMessage(teamId, { channel: poll.channelId, ts: poll.messageTs, ...renderPoll(deps, poll, title, summary) }, meta);
    return { updated: true, votes: summary.votes };
  });
  if (meta === undefined) {
    const chain = chains.get(key);
    if (chain !== undefined) chain.waiting = refresh;
  }
  return refresh;
}
