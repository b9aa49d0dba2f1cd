import { and, eq, gt } from 'drizzle-orm';
import { sessions } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import { syncSessionReminders } from './reminders.js';
import { syncSessionEndJob } from './session-end.js';

/**
 * Brings a session's pending jobs (reminders, and the card's turn to "ended") in line with its
 * current start time, status and participants. sessions.ts calls it after every mutation that
 * changes one of those. Synchronous and safe inside a transaction (it only reads and writes through `deps.db`).
 */
export function syncSessionJobs(deps: ServiceDeps, teamId: string, sessionNumber: number): void {
  syncSessionReminders(deps, teamId, sessionNumber);
  syncSessionEndJob(deps, teamId, sessionNumber);
}

/**
 * Re-plans the jobs of every upcoming session in a workspace, e.g. after an admin changed the
 * reminder lead times in settings (reminders for the old lead times are cancelled, the new ones
 * planned). Returns how many sessions were synced.
 */
export function syncUpcomingSessionJobs(deps: ServiceDeps, teamId: string): number {
  const upcoming = deps.db
    .select({ number: sessions.number })
    .from(sessions)
    .where(and(eq(sessions.teamId, teamId), eq(sessions.status, 'scheduled'), gt(sessions.startsAt, deps.clock.now())))
    .all();
  for (const { number } of upcoming) syncSessionJobs(deps, teamId, number);
  return upcoming.length;
}
