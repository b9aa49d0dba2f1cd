import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { MatchOutcome } from '../../../services/match-rounds.js';
import { answerCheckin } from '../../flows/matching.js';
import { MatchActions } from '../../ids.js';
import { runClick } from './click-reply.js';
import { buttonValue, FORGED_TEXT, GroupValue } from './match-values.js';

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

export const MATCH_CHECKIN_ACTION = new RegExp(`^${MatchActions.checkinPrefix}(met|scheduled|not_this_time)$`);

/** We met / Scheduled / Not this time. */
export function createMatchCheckinListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: Args) => {
    await ack();
    const actor = requireActor(context);
    await runClick(
      deps,
      actor.teamId,
      body,
      async () => {
        const group = GroupValue.safeParse(buttonValue(action));
        const outcome = MatchOutcome.safeParse(MATCH_CHECKIN_ACTION.exec(action.action_id)?.[1]);
        if (!group.success || !outcome.success) return { refused: FORGED_TEXT };
        await answerCheckin(deps, actor, group.data, outcome.data, body.response_url);
        return undefined;
      },
      { queued: true },
    );
  };
}
