import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openEditModal } from '../../flows/session-modals.js';
import { runClick } from './click-reply.js';
import { INVALID_BUTTON_TEXT, SessionButtonValue } from './session-reply.js';

/** Edit button: opens the prefilled modal for the host, creator or an admin. */
export function createSessionEditListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      const value = SessionButtonValue.safeParse(action.value ?? '');
      if (!value.success) return { refused: INVALID_BUTTON_TEXT };
      await openEditModal(deps, actor, body.trigger_id, value.data, undefined, body.channel?.id);
      return undefined;
    });
  };
}
