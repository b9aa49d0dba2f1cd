import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../../../deps.js';
import { setDmPreference } from '../../flows/home.js';
import { requireActor } from '../../actor.js';

/** The state the button asks for; anything else is ignored. */
const ToggleValue = z.enum(['out', 'in']);

/** App Home "Turn DMs off / on": sets opt-out and republishes Home, which shows the new state. */
export function createOptOutToggleListener(deps: AppDeps) {
  return async ({ ack, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    const parsed = ToggleValue.safeParse('value' in action ? action.value : undefined);
    if (!parsed.success) {
      deps.logger.warn({ teamId: actor.teamId, userId: actor.userId }, 'refused a malformed opt-out toggle');
      return;
    }
    setDmPreference(deps, actor, parsed.data === 'out');
  };
}
