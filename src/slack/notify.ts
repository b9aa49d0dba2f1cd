import { mayDirectMessage } from '../services/delivery.js';
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
