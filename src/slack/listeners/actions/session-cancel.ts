import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { requireActor } from '../../middleware/actor.js';
import { cancelFlow } from '../../session-flow.js';
import { INVALID_BUTTON_TEXT, runClick, SessionButtonValue } from './session-reply.js';

/** Cancel button (App Home). Rights are re-checked here: host, creator or admin only. */
export function createSessionCancelListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    let followUp: (() => Promise<void>) | undefined;
    await runClick(deps, actor.teamId, body, async () => {
      const value = SessionButtonValue.safeParse(action.value ?? '');
      if (!value.success) return INVALID_BUTTON_TEXT;
      const outcome = cancelFlow(deps, actor, value.data, null);
      followUp = outcome.followUp;
      return outcome.text;
    }, { queued: true });
    // The person hears back first; the card, DMs and calendar files follow.
    await followUp?.();
  };
}
