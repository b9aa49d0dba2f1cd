import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openScheduleForGroup } from '../../flows/matching.js';
import { runClick } from './click-reply.js';
import { buttonValue, FORGED_TEXT, GroupValue } from './match-values.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** "Schedule a skill-swap": opens the schedule form at once (the trigger expires in 3 s). */
export function createMatchScheduleListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: Args) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      const parsed = GroupValue.safeParse(buttonValue(action));
      if (!parsed.success) return { refused: FORGED_TEXT };
      await openScheduleForGroup(deps, actor, body.trigger_id, parsed.data, body.channel?.id);
      return undefined;
    });
  };
}
