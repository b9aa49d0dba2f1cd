import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { openSkillsModal } from '../../flows/skills.js';
import { runClick } from './click-reply.js';

/** App Home "Edit profile" / "Set up profile": the skills profile modal. */
export function createOpenSkillsProfileListener(deps: AppDeps) {
  return async ({ ack, body, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      await openSkillsModal(deps, actor, body.trigger_id);
      return undefined;
    });
  };
}
