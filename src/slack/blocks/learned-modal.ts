import { z } from 'zod';
import { formatYmd, SKILL_NAME_MAX } from '../../services/skills.js';
import { localDateYmd } from '../../services/time.js';
import { SkillsActions, SkillsInputs, SkillsViews } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { escapeTruncated, mrkdwn, plainText, truncate } from './text.js';
import type { MessageJson, ViewJson } from './types.js';

/**
 * "I learned it": the modal `/peer learned <skill>` and App Home's "Mark learned" open, what it
 * turns into, and the DM that asks the named teacher to confirm (with what it turns into).
 */

/** What the learned modal carries to its submission: the member_skills row. */
export const LearnedMetadata = z.object({ row: z.number().int().positive() });
export type LearnedMetadata = z.infer<typeof LearnedMetadata>;

export interface LearnedModalInput {
  rowId: number;
  name: string;
  /** Already on their teach list: no "I can teach it now" box. */
  alreadyTeaching: boolean;
}

export function buildLearnedModal({ rowId, name, alreadyTeaching }: LearnedModalInput): ViewJson {
  const skill = `*${escapeTruncated(name, SKILL_NAME_MAX)}*`;
  return {
    type: 'modal',
    callback_id: SkillsViews.learned,
    private_metadata: JSON.stringify({ row: rowId } satisfies LearnedMetadata),
    title: plainText('Mark as learned', BlockKitLimits.viewTitle),
    submit: plainText('Mark learned', BlockKitLimits.viewSubmit),
    close: plainText('Cancel', BlockKitLimits.viewClose),
    blocks: [
      { type: 'section', text: mrkdwn(`You can do ${skill} on your own now? Nice work.`) },
      {
        type: 'input',
        block_id: SkillsViews.taughtByBlock,
        optional: true,
        label: plainText('Who taught you?', BlockKitLimits.inputLabel),
        element: { type: 'users_select', action_id: SkillsInputs.taughtBy, placeholder: plainText('A peer (optional)', BlockKitLimits.placeholder) },
        hint: plainText('They get a DM asking them to confirm, and are counted as having taught it.', BlockKitLimits.inputHint),
      },
      alreadyTeaching
        ? { type: 'context', elements: [mrkdwn(`${skill} is already on your "I can teach" list.`)] }
        : {
            type: 'input',
            block_id: SkillsViews.canTeachBlock,
            optional: true,
            label: plainText('Teach it?', BlockKitLimits.inputLabel),
            element: {
              type: 'checkboxes',
              action_id: SkillsInputs.canTeach,
              // The name is cut, not the sentence: "now" is what the box means.
              options: [{ text: plainText(`I can teach ${truncate(name, BlockKitLimits.optionText - 'I can teach  now'.length)} now`, BlockKitLimits.optionText), value: 'yes' }],
            },
            hint: plainText('Moves it to "I can teach", so peers who want to learn it can be paired with you.', BlockKitLimits.inputHint),
          },
    ],
  };
}

export interface LearnedDoneInput {
  name: string;
  teacherId: string | null;
  teachAdded: boolean;
  /** False when the teacher turned Peerloop's DMs off: they will not be asked. */
  teacherReachable?: boolean;
  /** Set when this was already marked learned (a second submit): nothing new happened. */
  alreadyAt?: number;
  timeZone: string;
}

export function buildLearnedDoneModal({ name, teacherId, teachAdded, teacherReachable = true, alreadyAt, timeZone }: LearnedDoneInput): ViewJson {
  const skill = `*${escapeTruncated(name, SKILL_NAME_MAX)}*`;
  const lines =
    alreadyAt !== undefined
      ? [`You already marked ${skill} as learned on ${formatYmd(localDateYmd(alreadyAt, timeZone))}. Nothing changed.`]
      : [
          `Marked ${skill} as learned. Well done!`,
          ...(teacherId === null
            ? []
            : [teacherReachable ? `<@${teacherId}> gets a DM to confirm they taught you.` : `<@${teacherId}> turned Peerloop's DMs off, so they won't be asked to confirm. You're still recorded as taught by them.`]),
          ...(teachAdded ? [`It's on your "I can teach" list now.`] : []),
        ];
  return {
    type: 'modal',
    title: plainText('Mark as learned', BlockKitLimits.viewTitle),
    close: plainText('Done', BlockKitLimits.viewClose),
    blocks: [{ type: 'section', text: mrkdwn(lines.join('\n')) }],
  };
}

export interface TeachConfirmDmInput {
  rowId: number;
  learnerId: string;
  name: string;
}

/** To the named teacher: "<@learner> says you taught them <skill>. Confirm?" with one button. */
export function buildTeachConfirmDm({ rowId, learnerId, name }: TeachConfirmDmInput): MessageJson {
  const skill = `*${escapeTruncated(name, SKILL_NAME_MAX)}*`;
  const text = `<@${learnerId}> says you taught them ${skill}. Confirm?`;
  return {
    text: truncate(`<@${learnerId}> says you taught them ${escapeTruncated(name, SKILL_NAME_MAX)}. Confirm?`, BlockKitLimits.messageText),
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      {
        type: 'actions',
        block_id: 'teach_confirm',
        elements: [{ type: 'button', action_id: SkillsActions.confirmTaught, value: String(rowId), style: 'primary', text: plainText('Confirm', BlockKitLimits.buttonText) }],
      },
      { type: 'context', elements: [mrkdwn("It counts toward your team's peer-learning stats. Not you? Just leave it.")] },
    ],
  };
}

/** What the DM turns into once confirmed (or when confirmed already). */
export function buildTeachConfirmedMessage(input: { learnerId: string; name: string; confirmedAt: number; timeZone: string; already: boolean }): MessageJson {
  const skill = `*${escapeTruncated(input.name, SKILL_NAME_MAX)}*`;
  const when = formatYmd(localDateYmd(input.confirmedAt, input.timeZone));
  const text = input.already
    ? `:white_check_mark: Already confirmed on ${when}: you taught <@${input.learnerId}> ${skill}.`
    : `:white_check_mark: Confirmed: you taught <@${input.learnerId}> ${skill}. Thank you!`;
  return { text: truncate(text, BlockKitLimits.messageText), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
