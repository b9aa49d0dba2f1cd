import { rescheduleWeeklyDmFor } from '../../services/weekly.js';
import { resolvePersonZone, resolveWorkspaceZone, getMember, upsertMember, type MemberProfile } from '../../services/members.js';
import { serviceDeps, type AppDeps } from '../../deps.js';

/**
 * Who a message is for: the zone to show a person times in, and their Slack profile (fetched
 * once, refreshed patiently).
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

export function workspaceZone(deps: AppDeps, teamId: string): string {
  return resolveWorkspaceZone(serviceDeps(deps), teamId, deps.config.defaultTimeZone);
}

/** The zone to show one person a time in: their Slack zone, else the workspace's. */
export function personZone(deps: AppDeps, teamId: string, userId: string): string {
  return resolvePersonZone(serviceDeps(deps), teamId, userId, deps.config.defaultTimeZone);
}

/**
 * Stores what Slack said of a person. A new zone also moves their pending weekly DM to its hour
 * there (services/weekly.ts says why). Every path that learns a profile stores it here.
 */
export function storeProfile(deps: AppDeps, teamId: string, userId: string, profile: MemberProfile): void {
  const svc = serviceDeps(deps);
  const before = getMember(svc, teamId, userId)?.timeZone ?? null;
  if (upsertMember(svc, teamId, userId, profile).timeZone !== before) rescheduleWeeklyDmFor(svc, teamId, userId, deps.config.defaultTimeZone);
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
  const run = (async () => {
    try {
      storeProfile(deps, teamId, userId, await deps.messenger.fetchProfile(teamId, userId));
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
