import type { BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';

/**
 * What the matching buttons carry, checked with zod before any lookup: a group id (intro,
 * Did you meet?), a round (`<channel>:<YYYY-MM-DD>`: Skip / Join this round). A value from
 * another workspace finds nothing: every lookup is by the payload's own workspace.
 */

export const GroupValue = z.string().regex(/^\d{1,12}$/, 'not a group').transform(Number);

export const RoundValue = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,30}:\d{4}-\d{2}-\d{2}$/, 'not a round')
  .transform((v) => {
    const [channelId, roundDate] = v.split(':') as [string, string];
    return { channelId, roundDate };
  });

export const FORGED_TEXT = "That button didn't come from a Peerloop message, so nothing was changed.";

export function buttonValue(action: SlackActionMiddlewareArgs<BlockAction>['action']): string | undefined {
  return 'value' in action && typeof action.value === 'string' ? action.value : undefined;
}
