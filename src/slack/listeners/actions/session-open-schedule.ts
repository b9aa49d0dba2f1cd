import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openScheduleModal } from '../../flows/session-modals.js';
import { runClick } from './click-reply.js';

/** The "Schedule" button on App Home: the same modal as /peer schedule, with no channel preset. */
export function createOpenScheduleListener(deps: AppDeps) {
  return async ({ ack, body, context }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      await openScheduleModal(deps, actor, body.trigger_id, body.channel?.id);
      return undefined;
    });
  };
}
