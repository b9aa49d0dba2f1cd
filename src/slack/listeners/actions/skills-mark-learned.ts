import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openLearnedModal } from '../../flows/skills.js';
import { runClick } from './click-reply.js';
import { INVALID_SKILL_BUTTON_TEXT, SkillRowValue } from './skills-values.js';

/** App Home "Mark learned" on a skill to learn: the "I learned it" modal (it must still be on their list). */
export function createMarkLearnedListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      const value = SkillRowValue.safeParse('value' in action ? action.value : undefined);
      if (!value.success) return { refused: INVALID_SKILL_BUTTON_TEXT };
      await openLearnedModal(deps, actor, body.trigger_id, value.data);
      return undefined;
    });
  };
}
