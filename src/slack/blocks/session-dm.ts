import { LINK_MAX, REASON_MAX, TITLE_MAX } from '../../services/session-model.js';
import { formatInZone } from '../../services/time.js';
import { BlockKitLimits } from './limits.js';
import { escapeTruncated, fillMrkdwn, mrkdwn } from './text.js';

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
  return `#${input.number} ${escapeTruncated(input.title, TITLE_MAX)}`;
}

/**
 * The DM is one section; its single long piece of user text (the link, the reason) gets the room
 * the rest leaves, so the section never has to be cut (which could split an `&amp;`).
 */
function message(template: (slot: string) => string, slot?: { text: string; max: number }): DmMessageBody {
  const text = slot === undefined ? template('') : fillMrkdwn(BlockKitLimits.sectionText, template, slot.text, slot.max);
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** The when-and-where line; `link` is the link's slot (empty, or " · <escaped link>"). */
function whereLine(input: SessionDmInput, link: string): string {
  return `${formatInZone(input.startsAt, input.timeZone)} · ${input.durationMin} min · <#${input.channelId}>${link}`;
}

/** A DM that shows the where line: the link, if any, is the slot. */
function withWhere(input: SessionDmInput, template: (where: string) => string): DmMessageBody {
  if (input.link === null) return message(() => template(whereLine(input, '')));
  return message((link) => template(whereLine(input, ` · ${link}`)), { text: input.link, max: LINK_MAX });
}

/** Sent when someone's waitlist place turns into a seat. */
export function buildPromotedDm(input: SessionDmInput): DmMessageBody {
  return withWhere(input, (where) => `:tada: A seat opened up: you're in for *${titleOf(input)}*.\n${where}\nCan't make it? \`/peer leave ${input.number}\` frees the seat for the next person.`);
}

/** Sent to attendees when the time or the place (channel or link) changed. */
export function buildSessionChangedDm(input: SessionDmInput, changes: { time: boolean; place: boolean }): DmMessageBody {
  const what = changes.time && changes.place ? 'time and place' : changes.time ? 'time' : 'place';
  return withWhere(input, (where) => `:pencil2: The ${what} of *${titleOf(input)}* changed. It's now:\n${where}`);
}

/** Sent to attendees and the waitlist when a session is cancelled. */
export function buildSessionCancelledDm(input: SessionDmInput, reason: string | null): DmMessageBody {
  const head = `:no_entry_sign: *${titleOf(input)}* (${formatInZone(input.startsAt, input.timeZone)}) was cancelled.`;
  if (!reason?.trim()) return message(() => head);
  return message((why) => `${head}\nReason: ${why}`, { text: reason, max: REASON_MAX });
}

/**
 * Sent to a host someone else chose (scheduled for them, or handed over in an edit). `following`:
 * how many weekly sessions of the same series come after this one (told once, not per week).
 */
export function buildHostingDm(input: SessionDmInput, by: string | undefined, following: number): DmMessageBody {
  const who = by === undefined ? 'You are' : `<@${by}> made you`;
  const series = following > 0 ? ` It repeats weekly: you host the ${following} after it too, each with its own card.` : '';
  return withWhere(
    input,
    (where) =>
      `:microphone: ${who} the host of *${titleOf(input)}*.\n${where}\nYour calendar file follows in its own message.${series} \`/peer edit ${input.number}\` changes it; \`/peer attended ${input.number}\` afterwards records who came.`,
  );
}

/** Sent to a host someone else replaced: who hosts now, and where the reader stands. */
export function buildUnhostedDm(input: SessionDmInput, by: string | undefined, newHostId: string, place: 'seated' | 'waitlisted'): DmMessageBody {
  const head = by === undefined ? `<@${newHostId}> now hosts *${titleOf(input)}*.` : `<@${by}> made <@${newHostId}> the host of *${titleOf(input)}*.`;
  const stand =
    place === 'seated'
      ? `You're still in it, with a seat. Can't make it? \`/peer leave ${input.number}\` frees the seat.`
      : `It is full, so you're on its waitlist and will get a DM if a seat opens up. \`/peer leave ${input.number}\` takes you off.`;
  return withWhere(input, (where) => `:arrows_counterclockwise: ${head}\n${where}\n${stand}`);
}
