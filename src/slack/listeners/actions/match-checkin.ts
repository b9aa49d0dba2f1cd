import type { AppDeps } from '../../../deps.js';
import { MatchOutcome } from '../../../services/match-rounds.js';
import { answerCheckin } from '../../flows/matching.js';
import { MatchActions } from '../../ids.js';
import { createClickListener } from './click-reply.js';
import { FORGED_TEXT, GroupValue } from './match-values.js';

export const MATCH_CHECKIN_ACTION = new RegExp(`^${MatchActions.checkinPrefix}(met|scheduled|not_this_time)$`);

/** We met / Scheduled / Not this time. */
export function createMatchCheckinListener(deps: AppDeps) {
  return createClickListener(
    deps,
    async ({ actor, value, action, body }) => {
      const group = GroupValue.safeParse(value);
      const outcome = MatchOutcome.safeParse(MATCH_CHECKIN_ACTION.exec(action.action_id)?.[1]);
      if (!group.success || !outcome.success) return { refused: FORGED_TEXT };
      await answerCheckin(deps, actor, group.data, outcome.data, body.response_url);
      return undefined;
    },
    { queued: true },
  );
}
