import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { requireActor } from '../../middleware/actor.js';
import { leaveFlow } from '../../session-flow.js';
import { INVALID_BUTTON_TEXT, runClick, SessionButtonValue } from './session-reply.js';

/** Leave button (card, /peer list, App Home). */
export function createSessionLeaveListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    let followUp: (() => Promise<void>) | undefined;
    await runClick(deps, actor.teamId, body, async () => {
      const value = SessionButtonValue.safeParse(action.value ?? '');
      if (!value.success) return INVALID_BUTTON_TEXT;
      const outcome = leaveFlow(deps, actor, value.data);
      followUp = outcome.followUp;
      return outcome.text;
    }, { queued: true });
    // The person hears back first; the card, DMs and calendar files follow.
    await followUp?.();
  };
}
