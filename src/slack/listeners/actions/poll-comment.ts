import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { checkCanAnswer, POLL_COMMENT_MAX } from '../../../services/polls.js';
import { getSession } from '../../../services/session-queries.js';
import { buildPollCommentModal } from '../../blocks/poll.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { requireActor } from '../../actor.js';
import { runClick } from './click-reply.js';

const SessionNumberValue = z.string().regex(/^\d{1,9}$/).transform(Number);

/** "Add a comment" on a poll: the same checks as a vote, then the comment modal. */
export function createPollCommentListener(deps: AppDeps) {
  return async ({ ack, body, action, context }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs) => {
    await ack();
    const actor = requireActor(context);
    // Not queued: the trigger_id that opens the modal expires within 3 seconds.
    await runClick(deps, actor.teamId, body, async () => {
      const parsed = SessionNumberValue.safeParse('value' in action ? action.value : undefined);
      if (!parsed.success) return { refused: "That button didn't come from a Peerloop poll, so nothing was opened." };
      const services = serviceDeps(deps);
      const sessionNumber = parsed.data;
      const { poll, current, comment, shared } = checkCanAnswer(services, actor.teamId, actor.userId, sessionNumber);
      const title = getSession(services, actor.teamId, sessionNumber)?.title ?? `Session #${sessionNumber}`;
      await deps.messenger.openView(actor.teamId, {
        trigger_id: body.trigger_id,
        view: buildPollCommentModal({ sessionNumber, sessionTitle: title, question: poll.question, currentValue: current, currentComment: comment, currentShared: shared, commentMax: POLL_COMMENT_MAX }),
      });
      return undefined;
    });
  };
}
