import { z } from 'zod';
import { AppError } from '../errors.js';
import type { participants, sessions } from '../db/schema.js';
import { FORMAT_IDS } from './formats.js';
import { localDateYmd, localTimeHm, parseLocalDateTime } from './time.js';
import type { ServiceDeps } from './context.js';

/**
 * What a session is and the rules that need no database: its limits, the schedule form's input
 * schema, who may manage it, and when it ends.
 */

export type Session = typeof sessions.$inferSelect;

/** What a list of sessions shows about each one (App Home, /peer list, the weekly DM). */
export type SessionSummary = Pick<Session, 'number' | 'title' | 'format' | 'hostId' | 'startsAt' | 'durationMin'>;
export type Participant = typeof participants.$inferSelect;

export const TITLE_MAX = 150;
export const TOPIC_MAX = 150;
export const AGENDA_MAX = 2_900;
export const LINK_MAX = 2_000;
export const REASON_MAX = 500;
export const DURATION_MIN = 5;
export const DURATION_MAX = 240;
export const CAPACITY_MAX = 500;
export const REPEAT_MAX = 12;

const HttpUrl = z
  .string()
  .trim()
  .max(LINK_MAX, `Keep the link under ${LINK_MAX} characters.`)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.');
    } catch {
      return false;
    }
  }, 'Enter a full web link starting with https:// (or http://).');

/**
 * What the schedule / edit modal produces once its fields are read. Keys match the modal's
 * field names (src/slack/blocks/schedule-modal.ts), so an issue's path says which field to flag.
 * `startsAt` is checked against the clock separately (validateScheduleInput).
 */
export const ScheduleInput = z.object({
  format: z.enum(FORMAT_IDS, { error: 'Pick a format.' }),
  title: z
    .string({ error: 'Give the session a title.' })
    .trim()
    .min(1, 'Give the session a title.')
    .max(TITLE_MAX, `Keep the title to ${TITLE_MAX} characters or fewer.`),
  topic: z.string().trim().max(TOPIC_MAX, `Keep the topic to ${TOPIC_MAX} characters or fewer.`).default(''),
  startsAt: z.number({ error: 'Pick a date and a time.' }).int(),
  durationMin: z
    .number({ error: `Enter the length in minutes (${DURATION_MIN} to ${DURATION_MAX}).` })
    .int(`Enter a whole number of minutes (${DURATION_MIN} to ${DURATION_MAX}).`)
    .min(DURATION_MIN, `A session lasts at least ${DURATION_MIN} minutes.`)
    .max(DURATION_MAX, `A session lasts at most ${DURATION_MAX} minutes (4 hours).`),
  hostId: z.string({ error: 'Pick the host.' }).regex(/^[UW][A-Z0-9]+$/, 'Pick the host.'),
  capacity: z
    .number({ error: `Enter a number of seats from 1 to ${CAPACITY_MAX}, or leave it empty for no limit.` })
    .int(`Enter a whole number of seats from 1 to ${CAPACITY_MAX}.`)
    .min(1, 'Capacity must be at least 1 seat (leave it empty for no limit).')
    .max(CAPACITY_MAX, `Capacity can be at most ${CAPACITY_MAX} seats.`)
    .nullable()
    .default(null),
  channelId: z
    .string({ error: 'Pick the channel to announce the session in.' })
    .regex(/^[CG][A-Z0-9]+$/, 'Pick a channel to announce the session in (not a direct message).'),
  link: HttpUrl.nullable().default(null),
  agenda: z.string().max(AGENDA_MAX, `Keep the agenda under ${AGENDA_MAX} characters.`).default(''),
  repeatWeeks: z
    .number({ error: `Enter how many weeks, from 1 to ${REPEAT_MAX}.` })
    .int(`Enter a whole number of weeks from 1 to ${REPEAT_MAX}.`)
    .min(1, 'Repeat for at least 1 week (1 means just this session).')
    .max(REPEAT_MAX, `Weekly repeats go up to ${REPEAT_MAX} weeks.`)
    .default(1),
});
export type ScheduleInput = z.infer<typeof ScheduleInput>;

export type ScheduleField = keyof ScheduleInput;

/** Field -> message for every problem the input has; empty when it can be saved. */
export function validateScheduleInput(
  deps: ServiceDeps,
  raw: unknown,
  options: { unchangedStart?: number } = {},
): { ok: true; input: ScheduleInput } | { ok: false; errors: Partial<Record<ScheduleField, string>> } {
  const parsed = ScheduleInput.safeParse(raw);
  const errors: Partial<Record<ScheduleField, string>> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as ScheduleField | undefined;
      if (field !== undefined && errors[field] === undefined) errors[field] = issue.message;
    }
  }
  const startsAt = (raw as { startsAt?: unknown } | null)?.startsAt;
  // Editing a session that is under way keeps its (past) start; only a new start must be ahead.
  if (typeof startsAt === 'number' && startsAt !== options.unchangedStart && startsAt <= deps.clock.now() && errors.startsAt === undefined) {
    errors.startsAt = 'That time is in the past. Pick a start time in the future.';
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, input: parsed.data };
}

/** Who may change a session: its host, its creator, or a workspace admin. */
export interface SessionActor {
  userId: string;
  isAdmin: boolean;
}

function canManageSession(session: Pick<Session, 'hostId' | 'creatorId'>, actor: SessionActor): boolean {
  return actor.isAdmin || session.hostId === actor.userId || session.creatorId === actor.userId;
}

/** The one refusal for someone who may not manage a session (see canManageSession). */
export function assertMayManage(session: Pick<Session, 'hostId' | 'creatorId' | 'number'>, actor: SessionActor, verb: 'edit' | 'cancel' | 'mark attendance for'): void {
  if (!canManageSession(session, actor)) {
    throw new AppError('forbidden', `Only the host, the person who scheduled it, or a workspace admin can ${verb} session #${session.number}.`);
  }
}

export function sessionEndsAt(session: Pick<Session, 'startsAt' | 'durationMin'>): number {
  return session.startsAt + session.durationMin * 60_000;
}

export function isFinished(session: Pick<Session, 'startsAt' | 'durationMin'>, now: number): boolean {
  return now >= sessionEndsAt(session);
}

/**
 * The start a schedule form means. Date and time as the edit form prefilled them (`editing`, in
 * the same zone) mean the start was not touched, so it keeps its instant: parsing the text again
 * would not, because in the repeated hour of a fall-back night (01:30 happens twice in New York)
 * the text names two instants and reads back as the first, moving a session set at the second
 * one an hour earlier and telling everyone its time changed. Throws AppError for a time that does
 * not exist in the zone.
 */
export function startFromForm(dateYmd: string, timeHm: string, zone: string, editing?: Pick<Session, 'startsAt'>): number {
  if (editing !== undefined && dateYmd === localDateYmd(editing.startsAt, zone) && timeHm === localTimeHm(editing.startsAt, zone)) return editing.startsAt;
  return parseLocalDateTime(dateYmd, timeHm, zone);
}
