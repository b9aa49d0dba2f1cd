import { PollActions, PollViews } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { escapeMrkdwn, mrkdwn, plainText, truncate } from './text.js';

export interface PollMessageInput {
  sessionNumber: number;
  sessionTitle: string;
  question: string;
  status: 'open' | 'closed';
  votes: number;
  /** Null below the anonymity threshold; the builder then says how many votes it takes. */
  average: number | null;
  minVotesForAverage: number;
  /** Slack date token or text for when the poll closes (open polls only). */
  closesText?: string;
}

const RATING_LABELS: Record<number, string> = { 1: 'Not useful', 2: 'A little', 3: 'Somewhat', 4: 'Useful', 5: 'Very useful' };

function resultLine(input: PollMessageInput): string {
  const votes = `${input.votes} ${input.votes === 1 ? 'vote' : 'votes'}`;
  if (input.average !== null) return `${votes} · average *${input.average.toFixed(1)}* / 5`;
  if (input.votes === 0) return `No votes yet · the average shows from ${input.minVotesForAverage} votes`;
  return `${votes} · the average shows from ${input.minVotesForAverage} votes, so no single answer stands out`;
}

/** The poll in the session's thread: question, 1-5 buttons and "Add a comment" while open; the final result once closed. */
export function buildPollMessage(input: PollMessageInput): { text: string; blocks: Record<string, unknown>[] } {
  const title = escapeMrkdwn(truncate(input.sessionTitle, 150));
  const question = escapeMrkdwn(truncate(input.question, 150));
  const head = input.status === 'open' ? `*${question}*\nFeedback on session #${input.sessionNumber}, _${title}_ (1 = not useful, 5 = very useful). Only attendees can vote; votes are anonymous.` : `*${question}*\nFeedback on session #${input.sessionNumber}, _${title}_: *this poll is closed.*`;
  const blocks: Record<string, unknown>[] = [{ type: 'section', block_id: 'poll_question', text: mrkdwn(head) }];
  if (input.status === 'open') {
    blocks.push({
      type: 'actions',
      block_id: 'poll_votes',
      elements: [1, 2, 3, 4, 5].map((value) => ({
        type: 'button',
        action_id: `${PollActions.votePrefix}${value}`,
        text: plainText(String(value), BlockKitLimits.buttonText),
        value: `${input.sessionNumber}:${value}`,
        accessibility_label: `${value}: ${RATING_LABELS[value]}`,
      })),
    });
    blocks.push({
      type: 'actions',
      block_id: 'poll_comment',
      elements: [
        { type: 'button', action_id: PollActions.comment, text: plainText('Add a comment', BlockKitLimits.buttonText), value: String(input.sessionNumber) },
      ],
    });
  }
  const final = input.status === 'closed' ? 'Final result: ' : '';
  const closes = input.status === 'open' && input.closesText !== undefined ? ` · closes ${input.closesText}` : '';
  blocks.push({ type: 'context', block_id: 'poll_result', elements: [mrkdwn(`${final}${resultLine(input)}${closes}`, BlockKitLimits.sectionText)] });
  const plainResult = resultLine(input).replace(/\*/g, '');
  const text = input.status === 'open' ? `${question} (session #${input.sessionNumber}) · ${plainResult}` : `Poll closed (session #${input.sessionNumber}) · ${plainResult}`;
  return { text: truncate(text, BlockKitLimits.messageText), blocks };
}

export interface PollCommentModalInput {
  sessionNumber: number;
  sessionTitle: string;
  question: string;
  currentValue: number | undefined;
  currentComment: string | null;
  /** Whether the person allowed their comment (with their name) in admins' exports: the box starts as they left it. */
  currentShared: boolean;
  commentMax: number;
}

/** The one option of the sharing checkbox; its value is what the listener accepts. */
export const POLL_SHARE_VALUE = 'share';

function shareOption() {
  return {
    text: plainText('Include my comment and rating, with my name, in admin exports', BlockKitLimits.optionText),
    description: plainText('Unticked, exports never show your name or comment.', BlockKitLimits.optionText),
    value: POLL_SHARE_VALUE,
  };
}

function ratingOption(value: number) {
  return { text: plainText(`${value} · ${RATING_LABELS[value]}`, BlockKitLimits.optionText), value: String(value) };
}

/** "Add a comment": the rating (pre-filled with the person's vote) and an optional comment. */
export function buildPollCommentModal(input: PollCommentModalInput): Record<string, unknown> {
  const ratingSelect: Record<string, unknown> = {
    type: 'static_select',
    action_id: PollViews.ratingInput,
    placeholder: plainText('Pick 1 to 5', BlockKitLimits.placeholder),
    options: [1, 2, 3, 4, 5].map(ratingOption),
  };
  if (input.currentValue !== undefined) ratingSelect.initial_option = ratingOption(input.currentValue);
  const comment: Record<string, unknown> = {
    type: 'plain_text_input',
    action_id: PollViews.commentInput,
    multiline: true,
    // Slack's own cap is one more than ours so an over-long paste reaches us and gets a clear inline error.
    max_length: Math.min(input.commentMax + 1, BlockKitLimits.plainTextInputMaxLength),
    placeholder: plainText('What worked, what would make it better?', BlockKitLimits.placeholder),
  };
  if (input.currentComment !== null) comment.initial_value = truncate(input.currentComment, input.commentMax);
  const share: Record<string, unknown> = { type: 'checkboxes', action_id: PollViews.shareInput, options: [shareOption()] };
  // Unticked by default: sharing is a choice the person makes, never one made for them.
  if (input.currentShared) share.initial_options = [shareOption()];
  return {
    type: 'modal',
    callback_id: PollViews.comment,
    private_metadata: JSON.stringify({ session: input.sessionNumber }),
    title: plainText('Session feedback', BlockKitLimits.viewTitle),
    submit: plainText('Save', BlockKitLimits.viewSubmit),
    close: plainText('Cancel', BlockKitLimits.viewClose),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(`*${escapeMrkdwn(truncate(input.question, 150))}*\nSession #${input.sessionNumber}, _${escapeMrkdwn(truncate(input.sessionTitle, 150))}_. Only the count and the average (from 3 votes) are shown in the channel.`),
      },
      { type: 'input', block_id: PollViews.ratingBlock, label: plainText('Your rating', BlockKitLimits.inputLabel), element: ratingSelect },
      {
        type: 'input',
        block_id: PollViews.commentBlock,
        optional: true,
        label: plainText('Comment', BlockKitLimits.inputLabel),
        hint: plainText(`Up to ${input.commentMax} characters. Saved with your rating; never shown in the channel.`, BlockKitLimits.inputHint),
        element: comment,
      },
      {
        type: 'input',
        block_id: PollViews.shareBlock,
        optional: true,
        label: plainText('Sharing', BlockKitLimits.inputLabel),
        hint: plainText('You can change this until the poll closes.', BlockKitLimits.inputHint),
        element: share,
      },
    ],
  };
}

/** What replaces the comment modal once saved, so the person sees it worked. */
export function buildPollCommentSavedModal(sessionNumber: number): Record<string, unknown> {
  return {
    type: 'modal',
    title: plainText('Session feedback', BlockKitLimits.viewTitle),
    close: plainText('Done', BlockKitLimits.viewClose),
    blocks: [{ type: 'section', text: mrkdwn(`Thanks! Your feedback on session #${sessionNumber} is saved. You can change it until the poll closes.`) }],
  };
}
