import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { DbHandle } from './db/client.js';
import type { Logger } from './logger.js';
import type { ServiceDeps } from './services/context.js';
import type { Messenger } from './slack/messenger.js';

/** Everything the app is built from; compose.ts puts it together (main.ts, tests and benchmarks call it). */
export interface AppDeps {
  config: Config;
  database: DbHandle;
  clock: Clock;
  logger: Logger;
  messenger: Messenger;
  /**
   * Runs a workspace's due jobs now rather than at the next tick (the scheduler's kick). A write
   * that plans notices calls it after it commits. Absent when this process runs no scheduler:
   * the jobs then wait for the next tick of whichever process does.
   */
  runDueJobs?: (teamId: string) => void;
}

export function serviceDeps(deps: AppDeps): ServiceDeps {
  return { db: deps.database.db, clock: deps.clock, logger: deps.logger };
}
