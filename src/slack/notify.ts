import { mayDirectMessage } from '../services/delivery.js';
import { getMember, upsertMember } from '../services/members.js';
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

/**
 * Makes sure Peerloop knows a person's Slack time zone before writing to them: someone chosen as
 * a host by a colleague may never have used Peerloop, and without their profile their DM and
 * calendar note would show the workspace's zone. One users.info for a person never seen (or whose
 * profile was never fetched); a failure leaves the workspace zone, as for anyone Slack says
 * nothing about.
 */
export async function learnPersonIfNew(deps: AppDeps, teamId: string, userId: string): Promise<void> {
  const svc = serviceDeps(deps);
  if (getMember(svc, teamId, userId)?.profileFetchedAt != null) return;
  try {
    upsertMember(svc, teamId, userId, await deps.messenger.fetchProfile(teamId, userId));
  } catch (error) {
    deps.logger.warn({ err: error, teamId, userId }, 'users.info failed; times are shown in the workspace zone');
  }
}
