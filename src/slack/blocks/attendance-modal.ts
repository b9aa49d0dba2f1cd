import { z } from 'zod';
import { readChoices } from './input-state.js';
import { AttendanceFields, SessionViews } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { TITLE_MAX } from '../../services/session-model.js';
import { escapeTruncated, mrkdwn, plainText } from './text.js';
import { parsePrivateMetadata } from '../private-metadata.js';

/** Slack allows 10 options per checkboxes element, so people are split into groups of 10. */
export const CHECKBOXES_PER_GROUP = 10;
/** Input blocks left after the intro, within a modal's 100 blocks. */
export const ATTENDANCE_MAX_GROUPS = BlockKitLimits.blocksPerView - 2;

// openedAt: who joined after the checklist was shown had no box, so the save leaves them alone.
export const AttendanceMetadata = z.object({ number: z.number().int().positive(), openedAt: z.number().int().optional() });
export type AttendanceMetadata = z.infer<typeof AttendanceMetadata>;

export function parseAttendanceMetadata(raw: string): AttendanceMetadata | undefined {
  return parsePrivateMetadata(AttendanceMetadata, raw);
}

export interface AttendanceModalInput {
  number: number;
  title: string;
  /** People who joined (not the host), in join order. */
  attendees: { userId: string; attended: 'yes' | 'no' | 'unknown' }[];
  /** When the checklist is shown (epoch ms). */
  openedAt: number;
}

/**
 * The host's checklist of who joined. Everyone is ticked unless already marked "no", so the
 * common case (everybody came) is one click.
 */
export function buildAttendanceModal(input: AttendanceModalInput): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(`Who came to *#${input.number} ${escapeTruncated(input.title, TITLE_MAX)}*? Untick anyone who didn't.`) },
  ];
  const shown = input.attendees.slice(0, ATTENDANCE_MAX_GROUPS * CHECKBOXES_PER_GROUP);
  if (shown.length === 0) {
    blocks.push({ type: 'section', text: mrkdwn('Nobody else joined this session. Saving records that you hosted it.') });
  }
  for (let i = 0; i < shown.length; i += CHECKBOXES_PER_GROUP) {
    const group = shown.slice(i, i + CHECKBOXES_PER_GROUP);
    const options = group.map((p) => ({
      value: p.userId,
      // A mention renders the person's current name; nothing in a modal notifies anyone.
      text: mrkdwn(`<@${p.userId}>`, BlockKitLimits.optionText),
    }));
    const initial = options.filter((_, k) => group[k]!.attended !== 'no');
    blocks.push({
      type: 'input',
      block_id: `${AttendanceFields.blockPrefix}${i / CHECKBOXES_PER_GROUP}`,
      optional: true,
      label: plainText(i === 0 ? 'Attended' : `Attended (continued, ${i + 1}-${i + group.length})`, BlockKitLimits.inputLabel),
      element: {
        type: 'checkboxes',
        action_id: AttendanceFields.action,
        options,
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    });
  }
  if (input.attendees.length > shown.length) {
    blocks.push({ type: 'context', elements: [mrkdwn(`${input.attendees.length - shown.length} more people joined than fit here; they are recorded as attended.`)] });
  }
  return {
    type: 'modal',
    callback_id: SessionViews.attendance,
    private_metadata: JSON.stringify({ number: input.number, openedAt: input.openedAt } satisfies AttendanceMetadata),
    title: plainText(`Attendance #${input.number}`, BlockKitLimits.viewTitle),
    submit: plainText('Save', BlockKitLimits.viewSubmit),
    close: plainText('Cancel', BlockKitLimits.viewClose),
    blocks,
  };
}

/** view.state.values: block_id -> action_id -> the element's value object (shape varies by element). */
export type StateValues = Record<string, Record<string, object>>;

/**
 * The ticked user ids across every checkbox group. A group whose state is not a checkboxes
 * element's shape is named in `unreadable` (block id -> message) rather than read as nobody
 * ticked, which would mark everyone in it absent.
 */
export function readAttendanceState(state: StateValues): { ticked: string[]; unreadable: Record<string, string> } {
  const ticked: string[] = [];
  const unreadable: Record<string, string> = {};
  for (const [blockId, block] of Object.entries(state)) {
    if (!blockId.startsWith(AttendanceFields.blockPrefix)) continue;
    const read = readChoices((block as Record<string, unknown>)[AttendanceFields.action]);
    if (read.ok) ticked.push(...(read.value ?? []));
    else unreadable[blockId] = read.message;
  }
  return { ticked, unreadable };
}
