import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { castVote } from '../../../services/polls.js';
import { refreshPollMessage } from '../../poll-message.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { PollActions } from '../../ids.js';
import { requireActor } from '../../middleware/actor.js';

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

/** Replies only to the person who clicked, leaving the poll message as it is. */
export async function replyEphemeral(deps: AppDeps, responseUrl: string | undefined, text: string): Promise<void> {
  if (responseUrl === undefined) return;
  await deps.messenger.respond(responseUrl, { response_type: 'ephemeral', replace_original: false, text }).catch((err: unknown) => {
    deps.logger.warn({ err }, 'could not send an ephemeral reply');
  });
}

/** A 1-5 button on a feedback poll: record (or change) the vote, update the poll in place, confirm privately. */
export function createPollVoteListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    const responseUrl = body.response_url;
    const raw = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
    const parsed = PollVoteValue.safeParse(raw);
    // The button's id says which number was clicked; a value naming another number was tampered with.
    if (!parsed.success || action.action_id !== `${PollActions.votePrefix}${parsed.data.value}`) {
      deps.logger.warn({ teamId: actor.teamId, userId: actor.userId, actionId: action.action_id }, 'refused a malformed poll vote');
      await replyEphemeral(deps, responseUrl, FORGED_TEXT);
      return;
    }
    const services = serviceDeps(deps);
    const { sessionNumber, value } = parsed.data;
    let result;
    try {
      result = castVote(services, actor.teamId, actor.userId, sessionNumber, value);
    } catch (error) {
      if (isAppError(error)) {
        await replyEphemeral(deps, responseUrl, error.message);
        return;
      }
      deps.logger.error({ err: error, teamId: actor.teamId, sessionNumber }, 'poll vote failed');
      await replyEphemeral(deps, responseUrl, UNEXPECTED_ERROR_TEXT);
      return;
    }
    const { poll, changed } = result;
    await replyEphemeral(
      deps,
      responseUrl,
      `${changed ? 'Vote changed' : 'Thanks, your vote is in'}: *${value}* of 5. You can change it (or add a comment) until the poll closes; only the count and the average are shown.`,
    );
    if (poll.messageTs === null) return;
    try {
      // Serialized per poll and rendered from the database when it runs: two votes a moment
      // apart cannot leave the older count on screen.
      await refreshPollMessage(deps, actor.teamId, sessionNumber);
    } catch (err) {
      // The vote is stored; the count catches up with the next vote or when the poll closes.
      deps.logger.warn({ err, teamId: actor.teamId, sessionNumber }, 'could not update the poll message');
    }
  };
}
