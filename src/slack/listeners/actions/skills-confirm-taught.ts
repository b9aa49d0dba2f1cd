import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { confirmTaughtClick } from '../../flows/skills.js';
import { runClick } from './click-reply.js';
import { INVALID_SKILL_BUTTON_TEXT, SkillRowValue } from './skills-values.js';

/**
 * Confirm, in the DM to a named teacher: records the confirmation once and turns the DM into
 * "Confirmed". Someone else, another workspace, or a forged value is refused privately.
 */
export function createConfirmTaughtListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      const value = SkillRowValue.safeParse('value' in action ? action.value : undefined);
      if (!value.success) return { refused: INVALID_SKILL_BUTTON_TEXT };
      // The DM itself becomes the answer (replaced through response_url), so nothing more is said.
      await confirmTaughtClick(deps, actor, value.data, body.response_url);
      return undefined;
    });
  };
}
