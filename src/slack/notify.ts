import { mayDirectMessage } from '../services/delivery.js';
import { getMember, upsertMember } from '../services/members.js';
import { rescheduleWeeklyDmFor } from '../services/weekly.js';
import type { MessageContent } from './blocks/types.js';
import { serviceDeps, type AppDeps } from './deps.js';
import type { CallMeta } from './messenger.js';

/**
 * The only way Peerloop DMs a person: it honours opt-out first. Resolves with the message
 * (channel, ts), or `{ skipped: 'opted_out' }` when the person opted out.
 */
export async function sendDirectMessage(
  deps: AppDeps,
  teamId: string,
  userId: string,
  message: MessageContent,
  meta?: CallMeta,
): Promise<{ channel: string; ts: string } | { skipped: 'opted_out' }> {
  if (!mayDirectMessage(serviceDeps(deps), teamId, userId)) return { skipped: 'opted_out' };
  return deps.messenger.sendDm(teamId, userId, message, meta);
}

// One users.info per person at a time: a second caller (another request, the DM and the file
// job of one notice) waits for the fetch already under way instead of asking again.
const refreshing = new WeakMap<AppDeps, Map<string, Promise<void>>>();

/**
 * Asks Slack for a person's profile (name, zone, admin rights) and stores it. A new zone also
 * moves their pending weekly DM to its hour there (services/weekly.ts says why). A failure is
 * logged and leaves what was stored. The one path for a patient profile refresh: the actor
 * middleware after a reply, and notices about people who never used Peerloop.
 */
export function refreshProfile(deps: AppDeps, teamId: string, userId: string): Promise<void> {
  let inFlight = refreshing.get(deps);
  if (inFlight === undefined) {
    inFlight = new Map();
    refreshing.set(deps, inFlight);
  }
  const key = `${teamId}:${userId}`;
  const running = inFlight.get(key);
  if (running !== undefined) return running;
  const svc = serviceDeps(deps);
  const run = (async () => {
    try {
      const before = getMember(svc, teamId, userId)?.timeZone ?? null;
      const after = upsertMember(svc, teamId, userId, await deps.messenger.fetchProfile(teamId, userId)).timeZone;
      if (after !== before) rescheduleWeeklyDmFor(svc, teamId, userId, deps.config.defaultTimeZone);
    } catch (error) {
      deps.logger.warn({ err: error, teamId, userId }, 'users.info failed; the stored profile (if any) stays until the next try');
    } finally {
      inFlight.delete(key);
    }
  })();
  inFlight.set(key, run);
  return run;
}

/**
 * Makes sure Peerloop knows a person's Slack time zone before writing to them: someone chosen as
 * a host by a colleague may never have used Peerloop, and without their profile their DM and
 * calendar note would show the workspace's zone. A failure leaves the workspace zone, as for
 * anyone Slack says nothing about.
 */
export async function learnPersonIfNew(deps: AppDeps, teamId: string, userId: string): Promise<void> {
  if (getMember(serviceDeps(deps), teamId, userId)?.profileFetchedAt != null) return;
  await refreshProfile(deps, teamId, userId);
}
