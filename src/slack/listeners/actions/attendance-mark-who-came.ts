import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openAttendanceModal } from '../../flows/session-modals.js';
import { runClick } from './click-reply.js';
import { INVALID_BUTTON_TEXT, SessionButtonValue } from './session-reply.js';

/**
 * Mark who came, in the host's "Who came?" DM: the attendance checklist, after the same checks
 * as `/peer attended`. Not queued: the trigger_id expires within 3 seconds.
 */
export function createMarkWhoCameListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      const number = SessionButtonValue.safeParse('value' in action ? action.value : undefined);
      if (!number.success) return { refused: INVALID_BUTTON_TEXT };
      await openAttendanceModal(deps, actor, body.trigger_id, number.data);
      return undefined;
    });
  };
}
