import type { AppDeps } from '../deps.js';
import type { Job } from '../services/jobs.js';
import type { CallMeta } from '../slack/messenger.js';

/**
 * What a handler reports back. Slack failures are not outcomes: handlers let SlackCallError
 * propagate, and the scheduler decides from its `kind` whether to retry or record a failure.
 */
export type JobOutcome =
  | { status: 'done'; result?: Record<string, unknown> }
  | { status: 'skipped'; reason: string }
  /**
   * Not due yet after all (what the due time depends on moved since it was planned, e.g. the
   * person's zone): run it again at `runAt`, which must be in the future. The reason is recorded.
   */
  | { status: 'rescheduled'; runAt: number; reason: string };

export interface JobContext<P = unknown> {
  deps: AppDeps;
  job: Job;
  /**
   * The job's payload: for a handler in jobs/registry.ts, validated with its kind's schema; a
   * handler given to createScheduler directly (tests) gets the stored JSON as it is.
   */
  payload: P;
  /** What every Slack call of this run passes on: the job key (pacing) and the send attempt (safe reposting). */
  meta: CallMeta;
}

export type JobHandler<P = unknown> = (ctx: JobContext<P>) => Promise<JobOutcome>;

/**
 * Runs at the start of every tick to create upcoming jobs idempotently (scheduleJob leaves a
 * known key alone; only a cancelled one is revived, and planners never cancel). A planner first
 * asks which workspaces have anything to plan, and visits only those.
 */
export type JobPlanner = (deps: AppDeps) => void | Promise<void>;

/** What one scheduler pass did, by outcome. */
export interface TickReport {
  done: number;
  skipped: number;
  failed: number;
  retried: number;
  /** Jobs whose handler found them not due yet and moved them to a later time. */
  rescheduled: number;
  /** Finished jobs the retention pass deleted (ticks only, not kicks). */
  pruned: number;
  /** True when the pass did not run because another was still going. */
  overlapped: boolean;
}
