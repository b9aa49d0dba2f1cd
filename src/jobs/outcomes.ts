import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ServiceDeps } from '../services/context.js';
import { failJob, postponeJob, retryJobLater, skipJob, type Job } from '../services/jobs.js';
import { JobNotHeldError } from '../slack/send-attempt.js';
import { SlackCallError } from '../slack/slack-errors.js';
import type { JobOutcome, TickReport } from './types.js';

/**
 * What becomes of a job after its handler ran: its row is finished, postponed or put back for a
 * retry, the pass's report counts it, and the log says why. Every write goes through the claim's
 * lease (services/jobs.ts), so a late result from a run whose lease ran out changes nothing.
 */

interface Settling {
  deps: ServiceDeps;
  job: Job;
  report: TickReport;
  log: Logger;
  /** Records a done job, later and with others in one transaction (the scheduler's group commit). */
  complete: (job: Job, result: Record<string, unknown> | undefined, log: Logger) => void;
}

const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 30 * 60_000;

/** 30 s, 2 min, 8 min, 30 min: long enough for a Slack incident to pass, short enough for a reminder to still matter. */
export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_BASE_MS * 4 ** Math.max(0, attempt - 1), BACKOFF_MAX_MS);
}

export function recordOutcome({ deps, job, report, log, complete }: Settling, outcome: JobOutcome): void {
  if (outcome.status === 'done') {
    complete(job, outcome.result, log);
    report.done += 1;
    log.info({ result: outcome.result }, 'job done');
  } else if (outcome.status === 'rescheduled') {
    if (!(outcome.runAt > deps.clock.now())) {
      // Due again at once would be claimed again in this same pass, forever: a handler bug.
      failJob(deps, job, 'rescheduled_to_the_past');
      report.failed += 1;
      log.error({ runAt: outcome.runAt, reason: outcome.reason }, 'job rescheduled to a time that is not in the future; recorded as failed');
      return;
    }
    if (postponeJob(deps, job, outcome.runAt, outcome.reason)) {
      report.rescheduled += 1;
      log.info({ runAt: outcome.runAt, reason: outcome.reason }, 'job not due yet; rescheduled');
    } else {
      // The lease ran out meanwhile: the process that took the job over decides.
      log.warn({ runAt: outcome.runAt, reason: outcome.reason }, 'job could not be rescheduled: its lease ran out and another process may have it');
    }
  } else {
    skipJob(deps, job, outcome.reason);
    report.skipped += 1;
    log.info({ reason: outcome.reason }, 'job skipped');
  }
}

/**
 * A handler that threw: a permanent Slack error or an AppError fails the job; a 429 (or our own
 * pacing) waits without using up an attempt and holds back the workspace (`pacedTeams`) for the
 * rest of the pass; anything else is retried with backoff until `maxAttempts`.
 */
export function recordFailure({ deps, job, report, log }: Settling, error: unknown, pacedTeams: Set<string>, maxAttempts: number, postsStarted = false): void {
  const now = deps.clock.now();
  if (error instanceof JobNotHeldError) {
    // Its lease ran out before the post (this process missed its heartbeats): whoever takes it over decides; nothing more was posted here.
    report.retried += 1;
    log.warn('job lease ran out before this process posted (it missed its heartbeats); left to whoever takes it over');
    return;
  }
  if (error instanceof SlackCallError) {
    if (error.kind === 'permanent') {
      failJob(deps, job, error.code);
      report.failed += 1;
      log.warn({ code: error.code, method: error.method }, 'job failed permanently; not retried');
      return;
    }
    if (error.kind === 'rate_limited') {
      // Waiting for Slack (or our own pacing) is not a failure: the attempt is given back.
      const waitMs = Math.max(error.retryAfterMs ?? 1_000, 1_000);
      retryJobLater(deps, job, now + waitMs, error.code, { countAttempt: false, mayHaveSent: postsStarted });
      // A busy channel holds back only that channel; a cap or a 429 holds back the workspace.
      if (error.code !== 'channel_busy') pacedTeams.add(job.teamId);
      report.retried += 1;
      log.info({ code: error.code, waitMs }, 'job waits for rate limit');
      return;
    }
  } else if (error instanceof AppError) {
    // A bad payload or a rule violation will not cure itself on retry.
    failJob(deps, job, error.code);
    report.failed += 1;
    log.error({ err: error }, 'job failed on an application error');
    return;
  }
  const code = error instanceof SlackCallError ? error.code : 'unexpected_error';
  if (job.attempts >= maxAttempts) {
    failJob(deps, job, code);
    report.failed += 1;
    log.error({ err: error, code }, 'job failed after the last attempt');
    return;
  }
  const waitMs = backoffMs(job.attempts);
  // A post this attempt sent (one that timed out or got a 5xx, or one that went through before
  // something else failed) may be in Slack: the retry looks for it before posting again.
  retryJobLater(deps, job, now + waitMs, code, { countAttempt: true, mayHaveSent: postsStarted });
  report.retried += 1;
  log.warn({ err: error instanceof SlackCallError ? undefined : error, code, waitMs }, 'job will be retried');
}
