import { and, eq } from 'drizzle-orm';
import { members } from '../db/schema.js';
import type { ServiceDeps } from './context.js';

/**
 * Whether Peerloop may DM this person. Opted-out people get no DM of any kind; people we have
 * never seen may be DMed (they are in a session someone else added them to, or were matched).
 */
export function mayDirectMessage(deps: ServiceDeps, teamId: string, userId: string): boolean {
  const row = deps.db
    .select({ optedOut: members.optedOut })
    .from(members)
    .where(and(eq(members.teamId, teamId), eq(members.userId, userId)))
    .get();
  return row?.optedOut !== true;
}
