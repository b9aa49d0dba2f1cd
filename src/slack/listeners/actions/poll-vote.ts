import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { castVote } from '../../../services/polls.js';
import { refreshPollMessage } from '../../flows/polls.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { PollActions } from '../../ids.js';
import { requireActor } from '../../actor.js';
import { runClick } from './click-reply.js';

/** `<session>:<1-5>`; anything else (a forged "7", "abc", JSON) is refused before any lookup. */
export const PollVoteValue = z
  .string()
  .regex(/^\d{1,9}:[1-5]$/, 'not a poll vote')
  .transform((value) => {
    const [session, vote] = value.split(':').map(Number) as [number, number];
    return { sessionNumber: session, value: vote };
  });
export type PollVoteValue = z.infer<typeof PollVoteValue>;

export const POLL_VOTE_ACTION = new RegExp(`^${PollActions.votePrefix}\\d+$`);

const FORGED_TEXT = "That vote didn't come from a Peerloop poll button, so it wasn't counted. Please use the 1-5 buttons on the poll.";

/** A 1-5 button on a feedback poll: record (or change) the vote, confirm privately, update the poll in place. */
export function createPollVoteListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    let counted: { sessionNumber: number; posted: boolean } | undefined;
    await runClick(deps, actor.teamId, body, async () => {
      const raw = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
      const parsed = PollVoteValue.safeParse(raw);
      // The button's id says which number was clicked; a value naming another number was tampered with.
      if (!parsed.success || action.action_id !== `${PollActions.votePrefix}${parsed.data.value}`) {
        deps.logger.warn({ teamId: actor.teamId, userId: actor.userId, actionId: action.action_id }, 'refused a malformed poll vote');
        return { refused: FORGED_TEXT };
      }
      const { sessionNumber, value } = parsed.data;
      const { poll, changed } = castVote(serviceDeps(deps), actor.teamId, actor.userId, sessionNumber, value);
      counted = { sessionNumber, posted: poll.messageTs !== null };
      return `${changed ? 'Vote changed' : 'Thanks, your vote is in'}: *${value}* of 5. You can change it (or add a comment) until the poll closes; only the count and the average are shown.`;
    });
    if (counted?.posted !== true) return;
    try {
      // Serialized per poll and rendered from the database when it runs: two votes a moment
      // apart cannot leave the older count on screen.
      await refreshPollMessage(deps, actor.teamId, counted.sessionNumber);
    } catch (err) {
      // The vote is stored; the count catches up with the next vote or when the poll closes.
      deps.logger.warn({ err, teamId: actor.teamId, sessionNumber: counted.sessionNumber }, 'could not update the poll message');
    }
  };
}
