import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { SlackUserId } from '../../../services/match-people.js';
import { introduceSuggested } from '../../flows/matching.js';
import { runClick } from './click-reply.js';
import { buttonValue, FORGED_TEXT } from './match-values.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Introduce us (a `/peer match` suggestion). */
export function createMatchOpenDmListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: Args) => {
    await ack();
    const actor = requireActor(context);
    await runClick(
      deps,
      actor.teamId,
      body,
      async () => {
        const parsed = SlackUserId.safeParse(buttonValue(action));
        if (!parsed.success) return { refused: FORGED_TEXT };
        return introduceSuggested(deps, actor, parsed.data);
      },
      { queued: true },
    );
  };
}
