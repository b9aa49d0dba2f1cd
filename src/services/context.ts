import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';

/** What every service receives: the database, the clock and a logger. Never Slack. */
export interface ServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}
