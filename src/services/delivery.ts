import { and, eq, sql } from 'drizzle-orm';
import { preparedPerDb } from '../db/prepared.js';
import { members } from '../db/schema.js';
import type { ServiceDeps } from './context.js';

/**
 * Whether Peerloop may DM this person. Opted-out people get no DM of any kind; people we have
 * never seen may be DMed (they are in a session someone else added them to, or were matched).
 */
// Asked before every DM (reminders come in bursts of thousands).
const selectOptedOut = preparedPerDb((db) =>
  db
    .select({ optedOut: members.optedOut })
    .from(members)
    .where(and(eq(members.teamId, sql.placeholder('teamId')), eq(members.userId, sql.placeholder('userId'))))
    .prepare(),
);

export function mayDirectMessage(deps: ServiceDeps, teamId: string, userId: string): boolean {
  return selectOptedOut(deps.db).get({ teamId, userId })?.optedOut !== true;
}
