import { formatLabel } from '../../services/formats.js';
import { formatInZone } from '../../services/time.js';
import type { EphemeralMessage } from './help.js';
import { SessionActions } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { escapeMrkdwn, escapeTruncated, mrkdwn, plainText } from './text.js';
import { TITLE_MAX, type SessionSummary } from '../../services/session-model.js';

export interface SessionListItem extends SessionSummary {
  seats: string;
  /** The reader's relation to it: decides which button shows. */
  mine: 'host' | 'attendee' | 'waitlisted' | null;
}

export interface SessionListInput {
  items: SessionListItem[];
  /** How many matched in total (more than `items` when the list was cut). */
  total: number;
  mineOnly: boolean;
  days: number;
  /** The reader's zone: an ephemeral list is read by one person, so times are shown in it. */
  timeZone: string;
}

/** One session per section block, so the list fits a message's 50 blocks with room for the header and footer. */
export const LIST_MAX_ITEMS = BlockKitLimits.blocksPerMessage - 3;

/** `/peer list` and `/peer list mine`: upcoming sessions with a Join (or Leave) button each. */
export function buildSessionListMessage(input: SessionListInput): EphemeralMessage {
  const scope = input.mineOnly ? 'Your sessions' : 'Upcoming sessions';
  if (input.items.length === 0) {
    const text = input.mineOnly
      ? `You have no sessions in the next ${input.days} days. \`/peer list\` shows what's on, \`/peer schedule\` starts one.`
      : `No sessions in the next ${input.days} days. Be the first: \`/peer schedule\`.`;
    return { response_type: 'ephemeral', text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const items = input.items.slice(0, LIST_MAX_ITEMS);
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(`*${scope} in the next ${input.days} days* (times in ${escapeMrkdwn(input.timeZone)})`) },
  ];
  for (const item of items) {
    const role = item.mine === 'host' ? ' · _you host_' : item.mine === 'attendee' ? ' · _you joined_' : item.mine === 'waitlisted' ? ' · _you are on the waitlist_' : '';
    const line =
      `*#${item.number} ${escapeTruncated(item.title, TITLE_MAX)}*\n` +
      `${formatInZone(item.startsAt, input.timeZone)} · ${item.durationMin} min · ${escapeMrkdwn(formatLabel(item.format))} · host <@${item.hostId}>\n` +
      `${escapeMrkdwn(item.seats)}${role}`;
    const section: Record<string, unknown> = { type: 'section', block_id: `list_${item.number}`, text: mrkdwn(line) };
    if (item.mine === null) {
      section.accessory = { type: 'button', action_id: SessionActions.join, text: plainText('Join', BlockKitLimits.buttonText), style: 'primary', value: String(item.number) };
    } else if (item.mine !== 'host') {
      section.accessory = { type: 'button', action_id: SessionActions.leave, text: plainText('Leave', BlockKitLimits.buttonText), value: String(item.number) };
    }
    blocks.push(section);
  }
  const more = input.total - items.length;
  if (more > 0) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${more} more. \`/peer list mine\` shows only yours.`)] });
  const text = `${scope} in the next ${input.days} days: ${input.total}`;
  return { response_type: 'ephemeral', text, blocks };
}
