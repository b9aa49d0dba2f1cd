import { JOB_KIND_NAMES, type JobKind, type JobKindName } from '../services/jobs.js';
import { MatchCheckinJob, MatchIntroJob, MatchNoticeJob, MatchRoundJob, MatchSummaryJob } from '../services/match-rounds.js';
import { PollCloseJob, PollOpenJob } from '../services/polls.js';
import { ReminderJob } from '../services/reminders.js';
import { SessionAnnounceJob } from '../services/session-announce.js';
import { AttendanceAskJob, SessionEndJob } from '../services/session-end.js';
import { SessionInviteJob, SessionNoticeJob } from '../services/session-notices.js';
import { TeachConfirmJob } from '../services/skills.js';
import { WeeklyJob } from '../services/weekly.js';
import { DigestJob, DigestNoticeJob } from '../services/digest.js';
import { handleDigest, handleDigestNotice, planDigestJobs } from './digest.js';
import { askWhoCame } from './attendance-ask.js';
import { handleMatchCheckin, handleMatchIntro, handleMatchNotice, handleMatchRound, handleMatchSummary, planMatchRoundJobs } from './match-rounds.js';
import { handlePollClose, handlePollOpen, planPollJobs } from './polls.js';
import { sendReminder } from './reminders.js';
import { postSessionCard } from './session-announce.js';
import { planSessionEndJobs, refreshEndedSessionCard } from './session-end.js';
import { handleSessionInvite, handleSessionNotice } from './session-notices.js';
import type { JobHandler, JobPlanner } from './types.js';
import { handleTeachConfirm } from './teach-confirm.js';
import { planWeeklyJobs, sendWeeklyDm } from './weekly.js';

/**
 * Every job kind in one table: its definition (name, payload schema and key, from the service
 * that plans it), the handler that runs it, and the planner that creates its jobs on each tick,
 * if it has one. The table is typed over JOB_KIND_NAMES, so a kind without a handler does not
 * compile. Adding a kind: name it in JOB_KIND_NAMES, define it in its service (defineJobKind),
 * write its handler here in jobs/, add its row below.
 */

// `any` below: the table holds kinds of different payload and key types; register() checks each
// row's handler against its own kind's payload, which is what matters.
interface JobRegistration<N extends JobKindName = JobKindName, P = any> {
  definition: JobKind<N, P, any>;
  handler: JobHandler<P>;
  planner?: JobPlanner;
}

function register<N extends JobKindName, P>(definition: JobKind<N, P, any>, parts: { handler: JobHandler<P>; planner?: JobPlanner }): JobRegistration<N, P> {
  return { definition, ...parts };
}

// Planners run in this order at the start of each tick.
export const jobRegistry: { readonly [N in JobKindName]: JobRegistration<N> } = {
  poll_open: register(PollOpenJob, { handler: handlePollOpen, planner: planPollJobs }),
  poll_close: register(PollCloseJob, { handler: handlePollClose }),
  // Planned with session_end (services/session-end.ts), by its planner too.
  session_end: register(SessionEndJob, { handler: refreshEndedSessionCard, planner: planSessionEndJobs }),
  attendance_ask: register(AttendanceAskJob, { handler: askWhoCame }),
  weekly: register(WeeklyJob, { handler: sendWeeklyDm, planner: planWeeklyJobs }),
  reminder: register(ReminderJob, { handler: sendReminder }),
  session_notice: register(SessionNoticeJob, { handler: handleSessionNotice }),
  session_invite: register(SessionInviteJob, { handler: handleSessionInvite }),
  session_announce: register(SessionAnnounceJob, { handler: postSessionCard }),
  teach_confirm: register(TeachConfirmJob, { handler: handleTeachConfirm }),
  match_round: register(MatchRoundJob, { handler: handleMatchRound, planner: planMatchRoundJobs }),
  match_intro: register(MatchIntroJob, { handler: handleMatchIntro }),
  match_checkin: register(MatchCheckinJob, { handler: handleMatchCheckin }),
  match_summary: register(MatchSummaryJob, { handler: handleMatchSummary }),
  match_notice: register(MatchNoticeJob, { handler: handleMatchNotice }),
  digest: register(DigestJob, { handler: handleDigest, planner: planDigestJobs }),
  digest_notice: register(DigestNoticeJob, { handler: handleDigestNotice }),
};

/** kind -> what the scheduler runs: the payload validated with the kind's schema, then its handler. */
export const jobHandlers: Readonly<Record<string, JobHandler>> = Object.fromEntries(
  JOB_KIND_NAMES.map((name) => {
    const { definition, handler } = jobRegistry[name] as JobRegistration;
    return [name, (ctx) => handler({ ...ctx, payload: definition.parse(ctx.job.payload) })] satisfies [string, JobHandler];
  }),
);

/** The planners, in table order. */
export const jobPlanners: readonly JobPlanner[] = Object.values(jobRegistry).flatMap((r: JobRegistration) => (r.planner === undefined ? [] : [r.planner]));
