import { MIN_VOTES_FOR_AVERAGE, type Poll, type PollSummary } from '../services/polls.js';
import { getWorkspace } from '../services/workspaces.js';
import { buildPollMessage } from './blocks/poll.js';
import { slackDateTime } from './blocks/time.js';
import { serviceDeps, type AppDeps } from './deps.js';

/** Renders a poll's message as it stands; used after opening, after each vote, and on close. */
export function renderPoll(deps: AppDeps, poll: Poll, sessionTitle: string, summary: PollSummary) {
  const zone = getWorkspace(serviceDeps(deps), poll.teamId)?.timeZone ?? deps.config.defaultTimeZone;
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
