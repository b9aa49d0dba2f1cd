import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../../../deps.js';
import { SlackUserId } from '../../../services/match-people.js';
import { MatchOutcome } from '../../../services/match-rounds.js';
import { requireActor } from '../../actor.js';
import { answerCheckin, introduceSuggested, openScheduleForGroup, resumeMatchingFlow, setRoundSkip } from '../../flows/matching.js';
import { MatchActions } from '../../ids.js';
import { runClick } from './click-reply.js';

/**
 * The buttons of matching: Schedule a skill-swap (intro), Did you meet? (three answers), Skip /
 * Join this round and Resume (App Home, the pause DM), Introduce us (`/peer match`). Every value
 * is checked with zod before any lookup; a value from another workspace finds nothing, because
 * lookups are by the payload's workspace.
 */

type Args = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const GroupValue = z.string().regex(/^\d{1,12}$/, 'not a group').transform(Number);
const RoundValue = z
  .string()
  .regex(/^[CG][A-Z0-9]{2,30}:\d{4}-\d{2}-\d{2}$/, 'not a round')
  .transform((v) => {
    const [channelId, roundDate] = v.split(':') as [string, string];
    return { channelId, roundDate };
  });

const FORGED_TEXT = "That button didn't come from a Peerloop message, so nothing was changed.";

function valueOf(action: Args['action']): string | undefined {
  return 'value' in action && typeof action.value === 'string' ? action.value : undefined;
}

export const MATCH_CHECKIN_ACTION = new RegExp(`^${MatchActions.checkinPrefix}(met|scheduled|not_this_time)$`);

/** "Schedule a skill-swap": opens the schedule form at once (the trigger expires in 3 s). */
export function createMatchScheduleListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: Args) => {
    await ack();
    const actor = requireActor(context);
    await runClick(deps, actor.teamId, body, async () => {
      const parsed = GroupValue.safeParse(valueOf(action));
      if (!parsed.success) return { refused: FORGED_TEXT };
      await openScheduleForGroup(deps, actor, body.trigger_id, parsed.data, body.channel?.id);
      return undefined;
    });
  };
}

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
        const group = GroupValue.safeParse(valueOf(action));
        const outcome = MatchOutcome.safeParse(MATCH_CHECKIN_ACTION.exec(action.action_id)?.[1]);
        if (!group.success || !outcome.success) return { refused: FORGED_TEXT };
        await answerCheckin(deps, actor, group.data, outcome.data, body.response_url);
        return undefined;
      },
      { queued: true },
    );
  };
}

/** Skip this round / Join this round (App Home). */
export function createMatchSkipListener(deps: AppDeps, skip: boolean) {
  return async ({ ack, body, action, context }: Args) => {
    await ack();
    const actor = requireActor(context);
    await runClick(
      deps,
      actor.teamId,
      body,
      async () => {
        const parsed = RoundValue.safeParse(valueOf(action));
        if (!parsed.success) return { refused: FORGED_TEXT };
        return setRoundSkip(deps, actor, parsed.data.channelId, parsed.data.roundDate, skip);
      },
      { queued: true },
    );
  };
}

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
        if (valueOf(action) !== 'resume') return { refused: FORGED_TEXT };
        return resumeMatchingFlow(deps, actor);
      },
      { queued: true },
    );
  };
}

/** Introduce us (a `/peer match` suggestion). */
export function createMatchOpenDmListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: Args) => {
    await ack();
    const actor = requireActor(context);
    await runClick(
      deps,
      actor.teamId,
      body,
      async () => {
        const parsed = SlackUserId.safeParse(valueOf(action));
        if (!parsed.success) return { refused: FORGED_TEXT };
        return introduceSuggested(deps, actor, parsed.data);
      },
      { queued: true },
    );
  };
}
