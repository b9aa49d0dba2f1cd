import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openLearnedModal } from '../../flows/skills.js';
import { runClick } from './click-reply.js';

/** A member_skills row id, as the skills buttons carry it; anything else is refused before any lookup. */
export const SkillRowValue = z
  .string()
  .regex(/^\d{1,12}$/)
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n) && n > 0);

export const INVALID_SKILL_BUTTON_TEXT = "That button didn't come from Peerloop, so nothing changed.";

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
