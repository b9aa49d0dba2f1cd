import { serviceDeps } from '../deps.js';
import { listTeamsWithMatchChannels, planMatchRounds, type MatchGroupPayload, type MatchNoticePayload, type MatchRoundPayload } from '../services/match-rounds.js';
import { deliverMatchCheckin, deliverMatchIntro, deliverMatchNotice, deliverRoundSummary, runMatchRound, type IntroRun } from '../slack/flows/match-rounds.js';
import type { JobHandler, JobOutcome, JobPlanner } from './types.js';

/**
 * Matching rounds' jobs: thin, each a flow in slack/flows/match-rounds.ts. A round stores its
 * groups and plans one intro job per group (services/match-rounds.ts), so a group DM Slack
 * refuses fails that group's job only, and a rerun of the round plans nothing new.
 */

function outcomeOf(run: IntroRun): JobOutcome {
  return run.status === 'skipped' ? { status: 'skipped', reason: run.reason } : { status: 'done', result: { channel: run.channel, ts: run.ts } };
}

/** match_round:<channel>:<date>: reads the channel, matches, stores the round. */
export const handleMatchRound: JobHandler<MatchRoundPayload> = async ({ deps, job, payload, meta }) => {
  const run = await runMatchRound(deps, job.teamId, payload, meta);
  if (run.status === 'skipped') return { status: 'skipped', reason: run.reason };
  if (run.status === 'not_due') return { status: 'rescheduled', runAt: run.at, reason: 'not_due_yet' };
  return { status: 'done', result: run.result };
};

/** match_intro:<group>: the group DM and its introduction. */
export const handleMatchIntro: JobHandler<MatchGroupPayload> = async ({ deps, job, payload, meta }) => outcomeOf(await deliverMatchIntro(deps, job.teamId, payload.groupId, meta));

/** match_checkin:<group>: "Did you meet?". */
export const handleMatchCheckin: JobHandler<MatchGroupPayload> = async ({ deps, job, payload, meta }) => outcomeOf(await deliverMatchCheckin(deps, job.teamId, payload.groupId, meta));

/** match_summary:<channel>:<date>: the round's summary in its channel. */
export const handleMatchSummary: JobHandler<MatchRoundPayload> = async ({ deps, job, payload, meta }) => outcomeOf(await deliverRoundSummary(deps, job.teamId, payload, meta));

/** match_notice:…: a DM to the admin of a round, or to a person paused. */
export const handleMatchNotice: JobHandler<MatchNoticePayload> = async ({ deps, job, payload, meta }) => {
  const run = await deliverMatchNotice(deps, job.teamId, payload, meta);
  return run.status === 'later' ? { status: 'rescheduled', runAt: run.at, reason: 'intros_in_flight' } : outcomeOf(run);
};

/** Plans each active channel's next (or just missed) round, visiting only workspaces that have rounds. */
export const planMatchRoundJobs: JobPlanner = (deps) => {
  const services = serviceDeps(deps);
  for (const teamId of listTeamsWithMatchChannels(services)) planMatchRounds(services, teamId, deps.config.defaultTimeZone);
};
