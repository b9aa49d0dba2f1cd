import { formatInZone } from '../../services/time.js';
import { escapeMrkdwn, mrkdwn, truncate } from './text.js';

/** Plain facts a session DM needs; times are shown in the reader's zone with the zone named. */
export interface SessionDmInput {
  number: number;
  title: string;
  startsAt: number;
  durationMin: number;
  channelId: string;
  link: string | null;
  /** The reader's zone. */
  timeZone: string;
}

export interface DmMessageBody {
  text: string;
  blocks: Record<string, unknown>[];
}

function titleOf(input: SessionDmInput): string {
  return `#${input.number} ${escapeMrkdwn(truncate(input.title, 140))}`;
}

function whereLine(input: SessionDmInput): string {
  const link = input.link === null ? '' : ` · ${escapeMrkdwn(truncate(input.link, 2000))}`;
  return `${formatInZone(input.startsAt, input.timeZone)} · ${input.durationMin} min · <#${input.channelId}>${link}`;
}

function message(text: string): DmMessageBody {
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** Sent when someone's waitlist place turns into a seat. */
export function buildPromotedDm(input: SessionDmInput): DmMessageBody {
  return message(`:tada: A seat opened up: you're in for *${titleOf(input)}*.\n${whereLine(input)}\nCan't make it? \`/peer leave ${input.number}\` frees the seat for the next person.`);
}

/** Sent to attendees when the time or the place (channel or link) changed. */
export function buildSessionChangedDm(input: SessionDmInput, changes: { time: boolean; place: boolean }): DmMessageBody {
  const what = changes.time && changes.place ? 'time and place' : changes.time ? 'time' : 'place';
  return message(`:pencil2: The ${what} of *${titleOf(input)}* changed. It's now:\n${whereLine(input)}`);
}

/** Sent to attendees and the waitlist when a session is cancelled. */
export function buildSessionCancelledDm(input: SessionDmInput, reason: string | null): DmMessageBody {
  const why = reason?.trim() ? `\nReason: ${escapeMrkdwn(truncate(reason, 500))}` : '';
  return message(`:no_entry_sign: *${titleOf(input)}* (${formatInZone(input.startsAt, input.timeZone)}) was cancelled.${why}`);
}
