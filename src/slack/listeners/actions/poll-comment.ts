import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { checkCanAnswer, POLL_COMMENT_MAX } from '../../../services/polls.js';
import { getSession } from '../../../services/sessions.js';
import { buildPollCommentModal } from '../../blocks/poll.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { requireActor } from '../../middleware/actor.js';
import { replyEphemeral } from './poll-vote.js';

const SessionNumberValue = z.string().regex(/^\d{1,9}$/).transform(Number);

/** "Add a comment" on a poll: the same checks as a vote, then the comment modal. */
export function createPollCommentListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    const parsed = SessionNumberValue.safeParse('value' in action ? action.value : undefined);
    if (!parsed.success) {
      await replyEphemeral(deps, body.response_url, "That button didn't come from a Peerloop poll, so nothing was opened.");
      return;
    }
    const services = serviceDeps(deps);
    const sessionNumber = parsed.data;
    try {
      const { poll, current, comment } = checkCanAnswer(services, actor.teamId, actor.userId, sessionNumber);
      const title = getSession(services, actor.teamId, sessionNumber)?.title ?? `Session #${sessionNumber}`;
      await deps.messenger.openView(actor.teamId, {
        trigger_id: body.trigger_id,
        view: buildPollCommentModal({ sessionNumber, sessionTitle: title, question: poll.question, currentValue: current, currentComment: comment, commentMax: POLL_COMMENT_MAX }),
      });
    } catch (error) {
      if (isAppError(error)) {
        await replyEphemeral(deps, body.response_url, error.message);
        return;
      }
      deps.logger.error({ err: error, teamId: actor.teamId, sessionNumber }, 'could not open the poll comment modal');
      await replyEphemeral(deps, body.response_url, UNEXPECTED_ERROR_TEXT);
    }
  };
}
