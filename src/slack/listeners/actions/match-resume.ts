import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { resumeMatchingFlow } from '../../flows/matching.js';
import { runClick } from './click-reply.js';
import { buttonValue, FORGED_TEXT } from './match-values.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** Resume matching (the pause DM, App Home). */
export function createMatchResumeListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: Args) => {
    await ack();
    const actor = requireActor(context);
    await runClick(
      deps,
      actor.teamId,
      body,
      async () => {
        if (buttonValue(action) !== 'resume') return { refused: FORGED_TEXT };
        return resumeMatchingFlow(deps, actor);
      },
      { queued: true },
    );
  };
}
