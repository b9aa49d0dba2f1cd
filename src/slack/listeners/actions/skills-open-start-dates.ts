import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openStartDatesModal } from '../../flows/skills.js';
import { runClick } from './click-reply.js';

/** App Home "Edit start dates": one date picker per skill to learn. */
export function createOpenStartDatesListener(deps: AppDeps) {
  return async ({ ack, body, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      await openStartDatesModal(deps, actor, body.trigger_id);
      return undefined;
    });
  };
}
