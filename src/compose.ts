import { createApp, type AppOptions, type PeerloopApp } from './app.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { DbHandle } from './db/client.js';
import type { AppDeps } from './deps.js';
import { jobHandlers, jobPlanners } from './jobs/registry.js';
import { createScheduler, type Scheduler } from './jobs/scheduler.js';
import type { JobPlanner } from './jobs/types.js';
import type { Logger } from './logger.js';
import { createAppMessenger, type Messenger } from './slack/messenger.js';

/**
 * The one place the app's parts are put together: dependencies, the Bolt app and the job
 * scheduler. main.ts, the test support and the benchmarks all compose Peerloop here; each
 * decides only what differs (the clock, whether the scheduler is started, the planners).
 */

export interface ComposeInput {
  config: Config;
  database: DbHandle;
  clock: Clock;
  logger: Logger;
  /** The messenger, when the caller already made one (main.ts checks the token with it first). */
  messenger?: Messenger;
  appOptions?: AppOptions;
  /** Replaces the job planners (default: every planner in jobs/registry.ts). */
  planners?: readonly JobPlanner[];
  /**
   * `false`: writes do not kick the scheduler (deps.runDueJobs is absent, as in a process that
   * runs no scheduler), so the jobs they plan wait in the table for the next tick.
   */
  kick?: boolean;
}

export interface Peerloop {
  deps: AppDeps;
  app: PeerloopApp;
  /** Built, not started: the caller starts it (main.ts) or ticks it by hand (tests). */
  scheduler: Scheduler;
}

export function composePeerloop(input: ComposeInput): Peerloop {
  const { config, database, clock, logger } = input;
  const messenger = input.messenger ?? createAppMessenger(config, logger, { db: database.db, clock, logger });
  const deps: AppDeps = { config, database, clock, logger, messenger };
  // Listeners reach the scheduler through runDueJobs: a cancel's DMs go out at once, not at the next tick.
  if (input.kick !== false) deps.runDueJobs = (teamId) => scheduler.kick(teamId);
  const app = createApp(deps, input.appOptions);
  const scheduler = createScheduler(deps, {
    handlers: jobHandlers,
    planners: input.planners ?? jobPlanners,
    tick: config.schedulerTick,
    heartbeatMs: config.schedulerHeartbeatMs,
  });
  return { deps, app, scheduler };
}
