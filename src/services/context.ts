import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';

/** What every service receives: the database, the clock and a logger. Never Slack. */
export interface ServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

/**
 * The same deps inside a drizzle transaction. A transaction handle lacks a few methods of the
 * database type (drizzle types them apart) but runs every query the services use, on the same
 * better-sqlite3 connection.
 */
export function inTransaction(deps: ServiceDeps, tx: unknown): ServiceDeps {
  return { ...deps, db: tx as Db };
}
