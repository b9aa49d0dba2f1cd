import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { isAppError, UNEXPECTED_ERROR_TEXT } from '../../../errors.js';
import { POLL_COMMENT_MAX, saveComment } from '../../../services/polls.js';
import { refreshPollMessage } from '../../flows/polls.js';
import { buildPollCommentSavedModal, POLL_SHARE_VALUE } from '../../blocks/poll.js';
import { serviceDeps, type AppDeps } from '../../../deps.js';
import { PollViews } from '../../ids.js';
import { requireActor } from '../../actor.js';
import { parsePrivateMetadata } from '../../private-metadata.js';
import { noticeView, toBoltView } from '../../bolt-view.js';

const CommentMetadata = z.object({ session: z.number().int().positive() });

const FORGED_SHARE = "That choice didn't come from this form. Tick or untick the box again.";

/** The modal's state, validated field by field so each problem shows on its own input. */
const CommentForm = z.object({
  rating: z.enum(['1', '2', '3', '4', '5'], { error: 'Pick a rating from 1 to 5.' }).transform(Number),
  comment: z
    .string()
    .nullish()
    .transform((v) => (v ?? '').trim())
    .superRefine((v, ctx) => {
      const length = Array.from(v).length;
      if (length > POLL_COMMENT_MAX) ctx.addIssue({ code: 'custom', message: `Comments can be up to ${POLL_COMMENT_MAX} characters; this one has ${length}.` });
    }),
  // The box's one option, or nothing (unticked; older modals without the box also land here).
  shared: z
    .array(z.object({ value: z.literal(POLL_SHARE_VALUE, { error: FORGED_SHARE }) }), { error: FORGED_SHARE })
    .max(1, FORGED_SHARE)
    .nullish()
    .transform((v) => (v ?? []).length > 0),
});

const FIELD_BLOCKS: Record<string, string> = { rating: PollViews.ratingBlock, comment: PollViews.commentBlock, shared: PollViews.shareBlock };

function stateValue(values: ViewSubmitAction['view']['state']['values'], block: string, action: string): Record<string, unknown> | undefined {
  return values[block]?.[action] as Record<string, unknown> | undefined;
}

function notice(text: string) {
  return noticeView(text, 'Session feedback');
}

/** Saves the rating and comment; inline errors for bad fields, a short notice when the poll refuses. */
export function createPollCommentSubmitListener(deps: AppDeps) {
  return async ({ ack, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const actor = requireActor(context);
    const meta = parsePrivateMetadata(CommentMetadata, view.private_metadata);
    if (meta === undefined) {
      await ack({ response_action: 'update', view: notice("This form didn't come from a Peerloop poll, so nothing was saved.") });
      return;
    }
    const values = view.state.values;
    const rating = stateValue(values, PollViews.ratingBlock, PollViews.ratingInput);
    const comment = stateValue(values, PollViews.commentBlock, PollViews.commentInput);
    const share = stateValue(values, PollViews.shareBlock, PollViews.shareInput);
    const form = CommentForm.safeParse({
      rating: (rating?.selected_option as { value?: unknown } | null | undefined)?.value,
      comment: comment?.value,
      shared: share?.selected_options,
    });
    if (!form.success) {
      const errors: Record<string, string> = {};
      for (const issue of form.error.issues) {
        const block = FIELD_BLOCKS[String(issue.path[0])] ?? PollViews.commentBlock;
        errors[block] ??= issue.message;
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    const sessionNumber = meta.session;
    const services = serviceDeps(deps);
    let result;
    try {
      result = saveComment(services, actor.teamId, actor.userId, sessionNumber, form.data.rating, form.data.comment, form.data.shared);
    } catch (error) {
      if (isAppError(error)) {
        if (error.field === 'comment') await ack({ response_action: 'errors', errors: { [PollViews.commentBlock]: error.message } });
        else if (error.field === 'rating') await ack({ response_action: 'errors', errors: { [PollViews.ratingBlock]: error.message } });
        else await ack({ response_action: 'update', view: notice(error.message) });
        return;
      }
      deps.logger.error({ err: error, teamId: actor.teamId, sessionNumber }, 'saving a poll comment failed');
      await ack({ response_action: 'update', view: notice(UNEXPECTED_ERROR_TEXT) });
      return;
    }
    // The confirmation is the modal itself (no DM): it reaches people who opted out of DMs too.
    await ack({ response_action: 'update', view: toBoltView(buildPollCommentSavedModal(sessionNumber)) });
    if (result.poll.messageTs === null) return;
    try {
      // In turn with votes on the same poll, rendered from the database (see refreshPollMessage).
      await refreshPollMessage(deps, actor.teamId, sessionNumber);
    } catch (err) {
      deps.logger.warn({ err, teamId: actor.teamId, sessionNumber }, 'could not update the poll message');
    }
  };
}
