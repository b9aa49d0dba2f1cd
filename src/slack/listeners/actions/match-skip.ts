import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { setRoundSkip } from '../../flows/matching.js';
import { runClick } from './click-reply.js';
import { buttonValue, FORGED_TEXT, RoundValue } from './match-values.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Skip this round / Join this round (App Home). */
export function createMatchSkipListener(deps: AppDeps, skip: boolean) {
  return async ({ ack, body, action, context }: Args) => {
    await ack();
    const actor = requireActor(context);
    await runClick(
      deps,
      actor.teamId,
      body,
      async () => {
        const parsed = RoundValue.safeParse(buttonValue(action));
        if (!parsed.success) return { refused: FORGED_TEXT };
        return setRoundSkip(deps, actor, parsed.data.channelId, parsed.data.roundDate, skip);
      },
      { queued: true },
    );
  };
}
