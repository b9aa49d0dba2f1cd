import { AGENDA_MAX, LINK_MAX, TITLE_MAX } from '../../services/session-model.js';
import { formatInZone } from '../../services/time.js';
import { SessionActions } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { escapeTruncated, fillMrkdwn, mrkdwn, plainText, truncate } from './text.js';

export interface ReminderMessageInput {
  number: number;
  title: string;
  startsAt: number;
  durationMin: number;
  channelId: string;
  agenda: string;
  link: string | null;
  /** The lead time this reminder was planned for, in minutes (1440, 15...). */
  leadMinutes: number;
  /** The reader's zone; the time is shown in it, zone named. */
  timeZone: string;
  /** Whether the reader hosts the session (hosts get no Leave button: they cancel instead). */
  isHost: boolean;
}

/** "24 hours", "15 minutes", "1 hour 30 minutes", "2 days". */
export function describeLead(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (minutes % 1440 === 0 && days > 1) return `${days} days`;
  if (minutes === 1440) return '24 hours';
  const parts: string[] = [];
  const totalHours = days * 24 + hours;
  if (totalHours > 0) parts.push(`${totalHours} hour${totalHours === 1 ? '' : 's'}`);
  if (mins > 0) parts.push(`${mins} minute${mins === 1 ? '' : 's'}`);
  return parts.join(' ');
}

/** The reminder DM: when (reader's zone, zone shown), where, the agenda, the link, and Leave. */
export function buildReminderMessage(input: ReminderMessageInput): { text: string; blocks: Record<string, unknown>[] } {
  const escapedTitle = escapeTruncated(input.title, TITLE_MAX);
  const title = `#${input.number} ${escapedTitle}`;
  const when = formatInZone(input.startsAt, input.timeZone);
  const headline = `:alarm_clock: *${title}* starts in ${describeLead(input.leadMinutes)}: ${when}`;
  const facts = `*When:* ${when} · ${input.durationMin} min\n*Where:* <#${input.channelId}>`;
  const factsText =
    input.link !== null && input.link.trim() !== '' ? fillMrkdwn(BlockKitLimits.sectionText, (l) => `${facts}\n*Link:* ${l}`, input.link, LINK_MAX) : facts;
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(headline) },
    { type: 'section', text: mrkdwn(factsText) },
  ];
  if (input.agenda.trim() !== '') {
    blocks.push({ type: 'section', text: mrkdwn(fillMrkdwn(BlockKitLimits.sectionText, (a) => `*Agenda*\n${a}`, input.agenda, AGENDA_MAX)) });
  }
  if (input.isHost) {
    blocks.push({ type: 'context', elements: [mrkdwn(`You're hosting. Can't make it? \`/peer cancel ${input.number}\` lets everyone know.`)] });
  } else {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: SessionActions.leave,
          text: plainText("Can't make it: leave", BlockKitLimits.buttonText),
          value: String(input.number),
        },
      ],
    });
  }
  // The notification text (and what screen readers get) carries the essentials on its own.
  return { text: truncate(`Reminder: #${input.number} ${escapedTitle} starts in ${describeLead(input.leadMinutes)}, ${when}`, BlockKitLimits.messageText), blocks };
}
