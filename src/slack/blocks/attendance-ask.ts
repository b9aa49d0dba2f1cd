import type { AttendanceSummary } from '../../services/attendance-ask.js';
import { TITLE_MAX } from '../../services/session-model.js';
import { formatInZone } from '../../services/time.js';
import { AttendanceActions } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { escapeTruncated, mrkdwn, plainText, truncate } from './text.js';
import type { MessageJson } from './types.js';

/**
 * The "Who came?" DM a host gets when a session ends, and what it turns into once attendance
 * is saved (by its Everyone came button, its checklist, or `/peer attended`).
 */

export interface AttendanceAskInput {
  number: number;
  title: string;
  startsAt: number;
  durationMin: number;
  /** Seated attendees when it is sent (not the host). */
  joined: number;
  /** The host's zone: the time is shown in it, zone named. */
  timeZone: string;
}

function people(n: number): string {
  return n === 1 ? '1 person' : `${n} people`;
}

/** "Who came to #42 <title>?" with Everyone came and Mark who came; both buttons carry the session number only. */
export function buildAttendanceAskDm(input: AttendanceAskInput): MessageJson {
  const title = `#${input.number} ${escapeTruncated(input.title, TITLE_MAX)}`;
  const when = `${formatInZone(input.startsAt, input.timeZone)} · ${input.durationMin} min`;
  const value = String(input.number);
  return {
    text: truncate(`Who came to ${title}? ${people(input.joined)} joined.`, BlockKitLimits.messageText),
    blocks: [
      { type: 'section', text: mrkdwn(`:wave: Who came to *${title}*?\n${when} · ${people(input.joined)} joined`) },
      {
        type: 'actions',
        block_id: AttendanceActions.block,
        elements: [
          { type: 'button', action_id: AttendanceActions.everyoneCame, value, style: 'primary', text: plainText('Everyone came', BlockKitLimits.buttonText) },
          { type: 'button', action_id: AttendanceActions.markWhoCame, value, text: plainText('Mark who came', BlockKitLimits.buttonText) },
        ],
      },
      { type: 'context', elements: [mrkdwn(`It keeps your team's participation numbers true. Later: \`/peer attended ${input.number}\`.`)] },
    ],
  };
}

export interface AttendanceSavedInput {
  number: number;
  title: string;
  summary: AttendanceSummary;
  /** everyone: Everyone came just marked them all; saved: the checklist was saved; already: a click found it saved before. */
  how: 'everyone' | 'saved' | 'already';
}

/** "5 of 6 came", and who is still unmarked (joined after the checklist was shown). */
export function describeAttendance(summary: AttendanceSummary): string {
  const unmarked = summary.unknown > 0 ? ` (${summary.unknown} not marked)` : '';
  return `${summary.yes} of ${summary.seated} came${unmarked}`;
}

/** What the DM turns into: what is recorded now, and how to change it. No buttons. */
export function buildAttendanceSavedDm({ number, title: rawTitle, summary, how }: AttendanceSavedInput): MessageJson {
  const title = `#${number} ${escapeTruncated(rawTitle, TITLE_MAX)}`;
  const change = `Changed your mind? \`/peer attended ${number}\``;
  // `bold` is * in the message and nothing in the notification text.
  const line = (bold: string) =>
    how === 'everyone'
      ? `:white_check_mark: Thanks! Marked ${summary.seated === 1 ? 'the 1 person who joined' : `all ${summary.seated}`} as attended for ${bold}${title}${bold}. ${change}`
      : how === 'saved'
        ? `:white_check_mark: Saved: ${describeAttendance(summary)} to ${bold}${title}${bold}. ${change}`
        : `:white_check_mark: Attendance for ${bold}${title}${bold} was already saved: ${describeAttendance(summary)}. Nothing changed. ${change}`;
  return { text: truncate(line(''), BlockKitLimits.messageText), blocks: [{ type: 'section', text: mrkdwn(line('*')) }] };
}
