import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { serviceDeps, type AppDeps } from '../deps.js';
import { claimDueJobs, completeJob, completeJobs, failJob, hasExpiredLeases, keepHeldJob, POST_FENCE_MS, pruneFinishedJobs, releaseJob, renewLeases, retryJobLater, type Job } from '../services/jobs.js';
import type { Logger } from '../logger.js';
import { JobNotHeldError, type SendAttempt } from '../slack/send-attempt.js';
import { recordFailure, recordOutcome } from './outcomes.js';
import type { JobHandler, JobPlanner, TickReport } from './types.js';

/**
 * The cron tick that turns due rows of the jobs table into Slack messages. node-cron only says
 * "now"; what is due lives in SQLite, so a restart (or a long outage) picks up exactly where the
 * table says, and the catch-up pass at start-up sends what became due while the app was down.
 */

export interface SchedulerOptions {
  handlers: Readonly<Record<string, JobHandler>>;
  planners: readonly JobPlanner[];
  /** Cron expression (config.schedulerTick). */
  tick: string;
  /**
   * Jobs claimed per statement (default: twice `concurrency`). Small, so a crash leaves few jobs
   * to be checked in Slack by whoever takes over (each check is a history read, which Slack rate
   * limits); not smaller, because each claim is a write transaction of its own.
   */
  batchSize?: number;
  /** Jobs run at once within a pass. */
  concurrency?: number;
  /**
   * How long a claim holds a job without a heartbeat (default: leaseForHeartbeat). A started
   * scheduler renews the leases of its jobs every heartbeatMs, so only a dead (or frozen) process
   * loses them: this is how long its jobs wait before another process takes them over. It must
   * exceed POST_FENCE_MS, or no post could start.
   */
  leaseMs?: number;
  /** Transient failures allowed before a job is recorded as failed. */
  maxAttempts?: number;
  /** Names this process in logs and as the owner of the jobs it runs. */
  owner?: string;
  /** How often a started scheduler renews its leases (and looks for jobs a dead process left). */
  heartbeatMs?: number;
}

function emptyReport(): TickReport {
  return { done: 0, skipped: 0, failed: 0, retried: 0, rescheduled: 0, pruned: 0, overlapped: false };
}

export interface Scheduler {
  /** Runs the catch-up pass, then ticks on the cron expression. */
  start(): Promise<void>;
  /** Stops ticking, takes no new jobs, and waits for the jobs already running. */
  stop(): Promise<void>;
  /** One full pass: planners, then every due job, in batches. Resolves when done. */
  tick(): Promise<TickReport>;
  /**
   * Runs one workspace's due jobs now instead of at the next tick: a write that planned notices
   * (a cancel, an edit, a freed seat) calls it once it has committed, so people hear within a
   * second or two. Kicks made while a pass is running, or in the same turn of the event loop,
   * share one pass after it; a kick pass never overlaps another pass, and it claims with the same
   * atomic statement, so a tick and a kick can never both send one job.
   */
  kick(teamId: string): void;
  /** Resolves when no pass is running or queued by a kick (e.g. after the start-up catch-up). */
  idle(): Promise<void>;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;
/** A process that missed this many heartbeats is dead. */
export const HEARTBEATS_BEFORE_TAKEOVER = 4;

/**
 * The lease for a heartbeat: four beats, and always room for a post's fence (POST_FENCE_MS) and
 * two beats on top, or a post could never start. 5 s beats: 22 s, so a dead process's jobs are
 * taken over 22 to 27 s after its last beat.
 */
export function leaseForHeartbeat(heartbeatMs: number): number {
  return Math.max(heartbeatMs * HEARTBEATS_BEFORE_TAKEOVER, POST_FENCE_MS + 2 * heartbeatMs);
}
export const DEFAULT_LEASE_MS = leaseForHeartbeat(DEFAULT_HEARTBEAT_MS);
export const DEFAULT_MAX_ATTEMPTS = 5;
export function createScheduler(deps: AppDeps, options: SchedulerOptions): Scheduler {
  const concurrency = options.concurrency ?? 32;
  const batchSize = options.batchSize ?? concurrency * 2;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const leaseMs = options.leaseMs ?? leaseForHeartbeat(heartbeatMs);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const owner = options.owner ?? `peerloop-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = deps.logger.child({ component: 'scheduler', owner });
  const sdeps = serviceDeps(deps);
  let heartbeat: NodeJS.Timeout | undefined;
  /**
   * The jobs this process is working on (claimed, running, or done and waiting for the group
   * commit): only their leases are renewed. A job leaves when its row is finished or handed back,
   * or when writing that failed: its lease then runs out and it is taken over (and checked in
   * Slack) rather than held forever by a live process.
   */
  const holding = new Set<number>();

  /**
   * Keeps this process's jobs its own (however long a send takes); then, if a dead process left
   * running jobs, starts a pass to take them over (within about leaseMs + heartbeatMs of its
   * death, not at the next cron tick).
   */
  function onHeartbeat(): void {
    try {
      renewLeases(sdeps, owner, [...holding], leaseMs);
      if (!stopping && hasExpiredLeases(sdeps)) {
        log.info('jobs of a process whose heartbeat stopped are waiting; taking them over');
        void tick().catch((error: unknown) => log.error({ err: error }, 'takeover pass failed'));
      }
    } catch (error) {
      // A busy or failing database: the next beat tries again (the lease allows several misses).
      log.error({ err: error }, 'heartbeat failed');
    }
  }

  /**
   * Group commit of done jobs: recorded together once the current burst of completions is over
   * (setImmediate), and at the end of every batch, in one transaction. A commit per job was most
   * of a job's cost. Safe under a crash: a job whose "done" was not yet written is still running
   * with its lease, so whoever takes it over looks for its post first and finds it.
   */
  const completions: { job: Job; result: Record<string, unknown> | undefined; log: Logger }[] = [];
  let flushQueued = false;

  function queueCompletion(job: Job, result: Record<string, unknown> | undefined, jobLog: Logger): void {
    completions.push({ job, result, log: jobLog });
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(flushCompletions);
  }

  function flushCompletions(): void {
    flushQueued = false;
    if (completions.length === 0) return;
    const batch = completions.splice(0);
    let held: boolean[];
    try {
      held = completeJobs(sdeps, batch);
    } catch (error) {
      // One at a time, so one row that cannot be written does not hold back the others.
      log.warn({ err: error, jobs: batch.length }, 'recording finished jobs together failed; recording them one by one');
      held = batch.map(({ job, result, log: jobLog }) => {
        try {
          return completeJob(sdeps, job, result);
        } catch (one) {
          // Its lease is no longer renewed: it is taken over, and its post is found in Slack.
          jobLog.error({ err: one }, 'recording a finished job failed; it will be taken over and checked');
          return true;
        }
      });
    }
    batch.forEach(({ job, log: jobLog }, i) => {
      holding.delete(job.id);
      if (!held[i]) jobLog.warn('job finished after its lease ran out; another process may send it again');
    });
  }

  /** What the messenger needs to post this job's messages safely (send-attempt.ts). */
  function sendAttemptFor(job: Job): SendAttempt {
    return {
      verifySince: job.verifySince,
      posts: new Map(),
      postSent: false,
      assertHeld() {
        // Well inside the lease its own claim set, no other process can take it before the post is over.
        if (job.claimedAt !== null && deps.clock.now() < job.claimedAt + leaseMs - POST_FENCE_MS) return;
        // Later: still ours and not run out, so renewed for the post; otherwise nothing is posted.
        if (!keepHeldJob(sdeps, job, leaseMs)) throw new JobNotHeldError(job.key);
      },
    };
  }

  let task: ScheduledTask | undefined;
  let running: Promise<TickReport> | undefined;
  /** Whether the running pass is a kick's (short: one workspace's fresh jobs) rather than a tick's. */
  let runningKick = false;
  let stopping = false;
  /** Workspaces kicked since the last pass that covered them. */
  const kickedTeams = new Set<string>();
  let kickQueued = false;

  async function runPlanners(): Promise<void> {
    for (const planner of options.planners) {
      try {
        await planner(deps);
      } catch (error) {
        // One planner failing must not stop the due jobs from going out.
        log.error({ err: error, planner: planner.name }, 'job planner failed');
      }
    }
  }

  function prune(report: TickReport): void {
    try {
      report.pruned = pruneFinishedJobs(sdeps);
      if (report.pruned > 0) log.info({ pruned: report.pruned }, 'old finished jobs deleted');
    } catch (error) {
      // Retention can wait for the next tick; it must not fail the pass.
      log.error({ err: error }, 'pruning old jobs failed');
    }
  }

  async function runJob(job: Job, report: TickReport, pacedTeams: Set<string>): Promise<void> {
    try {
      await attemptJob(job, report, pacedTeams);
    } catch (error) {
      // Writing the outcome failed (say the database stayed busy): the job is no longer renewed,
      // so its lease runs out and it is taken over, and what it posted is found in Slack.
      log.error({ err: error, jobKey: job.key, teamId: job.teamId }, 'recording a job\'s outcome failed; it will be taken over and checked');
    } finally {
      // A done job stays held until the group commit has written it (flushCompletions lets go then).
      if (!completions.some((c) => c.job.id === job.id)) holding.delete(job.id);
    }
  }

  async function attemptJob(job: Job, report: TickReport, pacedTeams: Set<string>): Promise<void> {
    const jobLog = log.child({ jobKey: job.key, kind: job.kind, teamId: job.teamId, attempt: job.attempts });
    const handler = options.handlers[job.kind];
    if (handler === undefined) {
      failJob(sdeps, job, 'unknown_kind');
      report.failed += 1;
      jobLog.error('no handler for this job kind; recorded as failed');
      return;
    }
    if (job.attempts > maxAttempts) {
      // Every claim counts an attempt, but only a thrown error checks the limit. A job whose lease
      // keeps running out (its run kills or hangs the process, e.g. out of memory) never throws
      // here, so without this it would be taken over and run again forever.
      failJob(sdeps, job, 'lease_expired_repeatedly');
      report.failed += 1;
      jobLog.error({ maxAttempts }, 'job lease ran out on every attempt; recorded as failed without running it again');
      return;
    }
    jobLog.info(job.verifySince === null ? 'job attempt' : 'job attempt after an interrupted one; its posts are looked for first');
    const settle = { deps: sdeps, job, report, log: jobLog, complete: queueCompletion };
    const attempt = sendAttemptFor(job);
    try {
      recordOutcome(settle, await handler({ deps, job, payload: job.payload, meta: { jobKey: job.key, attempt } }));
    } catch (error) {
      recordFailure(settle, error, pacedTeams, maxAttempts, attempt.postSent);
    }
  }

  async function runBatch(jobs: Job[], report: TickReport, pacedTeams: Set<string>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        if (stopping) {
          // Claimed but not started: hand it back now rather than leaving it to the lease.
          holding.delete(job.id);
          releaseJob(sdeps, job);
          continue;
        }
        if (pacedTeams.has(job.teamId)) {
          // Its workspace is paced out for this pass; put it back without calling Slack.
          holding.delete(job.id);
          retryJobLater(sdeps, job, deps.clock.now() + 1_000, 'paced', { countAttempt: false });
          report.retried += 1;
          continue;
        }
        await runJob(job, report, pacedTeams);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  }

  /** Claims and runs due jobs (of `onlyTeams`, or all) until none are left or every workspace is paced out. */
  async function drain(report: TickReport, onlyTeams?: readonly string[]): Promise<void> {
    const pacedTeams = new Set<string>();
    while (!stopping) {
      const jobs = claimDueJobs(sdeps, batchSize, leaseMs, owner, [...pacedTeams], onlyTeams);
      if (jobs.length === 0) break;
      for (const job of jobs) holding.add(job.id);
      await runBatch(jobs, report, pacedTeams);
      flushCompletions();
    }
    if (report.done + report.skipped + report.failed + report.retried + report.rescheduled > 0) log.info({ ...report, kick: onlyTeams !== undefined }, 'scheduler pass finished');
  }

  async function pass(): Promise<TickReport> {
    const report: TickReport = emptyReport();
    // This pass claims every workspace's due jobs, so the kicks made so far are covered.
    kickedTeams.clear();
    await runPlanners();
    await drain(report);
    // After the sends, so a large first prune never delays a due message.
    if (!stopping) prune(report);
    return report;
  }

  async function kickPass(teams: readonly string[]): Promise<TickReport> {
    const report: TickReport = emptyReport();
    await drain(report, teams);
    return report;
  }

  function startPass(run: () => Promise<TickReport>, isKick: boolean): Promise<TickReport> {
    const current = run().finally(() => {
      running = undefined;
      runningKick = false;
      // Kicks that came in while this pass ran may have planned jobs after its last claim.
      queueKickPass();
    });
    running = current;
    runningKick = isKick;
    return current;
  }

  function queueKickPass(): void {
    if (kickQueued || stopping || kickedTeams.size === 0) return;
    kickQueued = true;
    // On the next turn of the event loop: kicks from the same burst of requests share one pass,
    // and the pass starts after the request that caused it has been answered.
    setImmediate(() => {
      kickQueued = false;
      // A running pass queues this again when it ends.
      if (stopping || kickedTeams.size === 0 || running !== undefined) return;
      const teams = [...kickedTeams];
      kickedTeams.clear();
      startPass(() => kickPass(teams), true).catch((error: unknown) => log.error({ err: error }, 'kick pass failed'));
    });
  }

  async function tick(): Promise<TickReport> {
    // A kick's pass is short; a tick waits for it rather than being skipped for a minute.
    while (running !== undefined && runningKick) await running.catch(() => undefined);
    // stop() may have come while this tick waited: it has already awaited the pass there was,
    // and the database is about to close, so no new pass may start.
    if (stopping) return emptyReport();
    if (running !== undefined) {
      log.warn('previous scheduler pass still running; this tick is skipped');
      return { ...emptyReport(), overlapped: true };
    }
    return startPass(pass, false);
  }

  return {
    async start() {
      stopping = false;
      heartbeat = setInterval(onHeartbeat, heartbeatMs);
      // The heartbeat must not keep a process alive that is otherwise done (tests, CLIs).
      heartbeat.unref();
      log.info({ tick: options.tick }, 'scheduler starting with a catch-up pass');
      // The catch-up runs in the background so the app is serving while a long backlog drains.
      void tick().catch((error: unknown) => log.error({ err: error }, 'catch-up pass failed'));
      task = cron.schedule(
        options.tick,
        async () => {
          try {
            await tick();
          } catch (error) {
            log.error({ err: error }, 'scheduler pass failed');
          }
        },
        { name: `peerloop-scheduler-${owner}`, noOverlap: true },
      );
    },
    async stop() {
      stopping = true;
      if (task !== undefined) {
        await task.destroy();
        task = undefined;
      }
      if (running !== undefined) await running.catch(() => undefined);
      if (heartbeat !== undefined) {
        clearInterval(heartbeat);
        heartbeat = undefined;
      }
      // Normally empty (every pass flushes at its end); if the database refuses, those jobs' leases run out and whoever takes them over finds their posts.
      flushCompletions();
      log.info('scheduler stopped');
    },
    tick: () => {
      if (stopping) return Promise.resolve(emptyReport());
      return tick();
    },
    kick(teamId) {
      if (stopping) return;
      kickedTeams.add(teamId);
      queueKickPass();
    },
    async idle() {
      while (running !== undefined || kickQueued) {
        if (running !== undefined) await running.catch(() => undefined);
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
}
