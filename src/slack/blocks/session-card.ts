import { formatLabel } from '../../services/formats.js';
import { SessionActions } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { AGENDA_MAX, LINK_MAX, REASON_MAX, TITLE_MAX, TOPIC_MAX } from '../../services/session-model.js';
import { escapeMrkdwn, escapeTruncated, fillMrkdwn, mrkdwn, plainText, truncate } from './text.js';
import { slackDateTime } from './time.js';

/** What the announcement card shows; plain data so the builder stays pure. */
export interface SessionCardInput {
  number: number;
  title: string;
  format: string;
  topic: string;
  hostId: string;
  startsAt: number;
  durationMin: number;
  capacity: number | null;
  agenda: string;
  link: string | null;
  status: 'scheduled' | 'cancelled';
  cancelReason: string | null;
  attendeeCount: number;
  waitlistCount: number;
  /** Part of a weekly series: shown so people know the next ones are separate cards. */
  seriesPosition?: { index: number; of: number } | undefined;
  /** The session's .ics when PUBLIC_URL is set. */
  calendarUrl?: string | undefined;
  /** Whether the session has ended (no Join then). */
  finished: boolean;
  /** Zone for the fallback text of the date token (the workspace zone). */
  fallbackZone: string;
}

export interface SessionCardMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** "3 of 10 seats left", "Full: 2 on the waitlist", "5 going" (no limit). */
export function seatsLine(input: Pick<SessionCardInput, 'capacity' | 'attendeeCount' | 'waitlistCount'>): string {
  if (input.capacity === null) return `${input.attendeeCount} going`;
  const left = Math.max(0, input.capacity - input.attendeeCount);
  if (left > 0) return `${left} of ${input.capacity} seats left`;
  return input.waitlistCount > 0 ? `Full: ${input.waitlistCount} on the waitlist` : `Full (${input.capacity} seats): joining puts you on the waitlist`;
}

/** The announcement card in the channel, updated in place as people join and as it changes. */
export function buildSessionCardMessage(input: SessionCardInput): SessionCardMessage {
  // The whole title as the form allows it (escaped it is at most 5 x 150 characters, well inside a section).
  const title = escapeTruncated(input.title, TITLE_MAX);
  const cancelled = input.status === 'cancelled';
  const when = slackDateTime(input.startsAt, input.fallbackZone);
  const headline = cancelled ? `~${title}~ (cancelled)` : title;
  const fields = [
    `*Format*\n${escapeMrkdwn(formatLabel(input.format))}`,
    `*Host*\n<@${input.hostId}>`,
    `*When*\n${when}`,
    `*Length*\n${input.durationMin} min`,
  ];
  if (input.topic.trim() !== '') fields.push(fillMrkdwn(BlockKitLimits.fieldText, (t) => `*Topic*\n${t}`, input.topic, TOPIC_MAX));
  // Seats left or a waitlist mean nothing once it is over: the card says how many came along.
  if (!cancelled) fields.push(`*Seats*\n${input.finished ? `${input.attendeeCount} joined` : seatsLine(input)}`);

  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(`*#${input.number} ${headline}*`) },
    { type: 'section', fields: fields.slice(0, BlockKitLimits.sectionFields).map((f) => mrkdwn(f, BlockKitLimits.fieldText)) },
  ];
  if (input.agenda.trim() !== '') {
    blocks.push({ type: 'section', text: mrkdwn(fillMrkdwn(BlockKitLimits.sectionText, (a) => `*Agenda*\n${a}`, input.agenda, AGENDA_MAX)) });
  }
  if (input.link !== null) {
    // A link people typed is shown as text (escaped), and Slack links it itself; never as a <url|label> we build.
    blocks.push({ type: 'section', text: mrkdwn(fillMrkdwn(BlockKitLimits.sectionText, (l) => `*Link* ${l}`, input.link, LINK_MAX)) });
  }

  const context: string[] = [];
  if (cancelled) {
    const reason = input.cancelReason?.trim() ? input.cancelReason : undefined;
    context.push(
      reason === undefined
        ? ':no_entry_sign: This session was cancelled.'
        : fillMrkdwn(BlockKitLimits.sectionText, (r) => `:no_entry_sign: This session was cancelled: ${r}`, reason, REASON_MAX),
    );
  } else if (input.finished) {
    context.push('This session has ended.');
  }
  if (input.seriesPosition !== undefined) context.push(`Weekly series: session ${input.seriesPosition.index} of ${input.seriesPosition.of}.`);
  if (context.length > 0) blocks.push({ type: 'context', elements: context.map((c) => mrkdwn(c)) });

  if (!cancelled) {
    const value = String(input.number);
    const elements: Record<string, unknown>[] = [];
    if (!input.finished) {
      elements.push({ type: 'button', action_id: SessionActions.join, text: plainText('Join', BlockKitLimits.buttonText), style: 'primary', value });
      elements.push({ type: 'button', action_id: SessionActions.leave, text: plainText('Leave', BlockKitLimits.buttonText), value });
    }
    if (input.calendarUrl !== undefined && input.calendarUrl.length <= BlockKitLimits.buttonUrl) {
      elements.push({ type: 'button', action_id: SessionActions.calendarLink, text: plainText('Add to calendar', BlockKitLimits.buttonText), url: input.calendarUrl });
    }
    if (elements.length > 0) blocks.push({ type: 'actions', block_id: `session_card_${input.number}`, elements });
  }

  const text = cancelled
    ? `Cancelled: peer session #${input.number} ${title}`
    : input.finished
      ? `Ended: peer session #${input.number} ${title}, ${when}`
      : `Peer session #${input.number}: ${title}, ${when}`;
  return { text: truncate(text, BlockKitLimits.messageText), blocks };
}
