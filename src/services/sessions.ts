import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { isRootDb, preparedPerDb } from '../db/prepared.js';
import { participants, sessions, workspaces } from '../db/schema.js';
import { AppError } from '../errors.js';
import { inTransaction, type ServiceDeps } from './context.js';
import { FORMAT_IDS } from './formats.js';
import { syncSessionJobs } from './session-jobs.js';
import { planCancelNotices, planChangeNotices, planHostingNotice, planPromotionNotices, planUnhostedNotice } from './session-notices.js';
import { addLocalWeeks } from './time.js';

/**
 * Sessions: the rules and queries behind /peer schedule, edit, cancel, join, leave, list and
 * attended. Every query names the workspace (team_id) and the short per-workspace number;
 * nothing here talks to Slack. Writes are synchronous transactions; callers talk to Slack
 * after they return.
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

export function canManageSession(session: Pick<Session, 'hostId' | 'creatorId'>, actor: SessionActor): boolean {
  return actor.isAdmin || session.hostId === actor.userId || session.creatorId === actor.userId;
}

export function sessionEndsAt(session: Pick<Session, 'startsAt' | 'durationMin'>): number {
  return session.startsAt + session.durationMin * 60_000;
}

/**
 * The condition "ends in [fromMs, toMs)", for planners that look at sessions by their end. Bounded
 * on the indexed starts_at first (no session is longer than DURATION_MAX), then exactly.
 */
export function endingBetween(fromMs: number, toMs: number) {
  const endsAt = sql`${sessions.startsAt} + ${sessions.durationMin} * 60000`;
  return and(gte(sessions.startsAt, fromMs - DURATION_MAX * 60_000), lt(sessions.startsAt, toMs), gte(endsAt, fromMs), lt(endsAt, toMs));
}

export function isFinished(session: Pick<Session, 'startsAt' | 'durationMin'>, now: number): boolean {
  return now >= sessionEndsAt(session);
}

// Read on every click, card refresh, calendar file and reminder.
const selectSession = preparedPerDb((db) =>
  db
    .select()
    .from(sessions)
    .where(and(eq(sessions.teamId, sql.placeholder('teamId')), eq(sessions.number, sql.placeholder('number'))))
    .prepare(),
);

export function getSession(deps: ServiceDeps, teamId: string, number: number): Session | undefined {
  if (isRootDb(deps.db)) return selectSession(deps.db).get({ teamId, number });
  return deps.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.teamId, teamId), eq(sessions.number, number)))
    .get();
}

/** Like getSession, but a missing session is an AppError people can read. */
export function requireSession(deps: ServiceDeps, teamId: string, number: number): Session {
  const session = getSession(deps, teamId, number);
  if (session === undefined) {
    throw new AppError('not_found', `There is no session #${number} in this workspace. \`/peer list\` shows the upcoming ones.`);
  }
  return session;
}

function requireManager(session: Session, actor: SessionActor, verb: string): void {
  if (!canManageSession(session, actor)) {
    throw new AppError('forbidden', `Only the host, the person who scheduled it, or a workspace admin can ${verb} session #${session.number}.`);
  }
}

export interface SessionRoster {
  host: Participant | undefined;
  /** Active attendees (not the host, not waitlisted), in join order. */
  attendees: Participant[];
  /** Active waitlist, first in line first. */
  waitlist: Participant[];
}

const activeRowsQuery = (db: ServiceDeps['db'], teamId: unknown, number: unknown) =>
  db
    .select()
    .from(participants)
    .where(and(eq(participants.teamId, teamId as string), eq(participants.sessionNumber, number as number), isNull(participants.leftAt)))
    .orderBy(asc(participants.joinedAt), asc(sql`rowid`));

// Read on every join, leave and reminder sync.
const selectActiveRows = preparedPerDb((db) => activeRowsQuery(db, sql.placeholder('teamId'), sql.placeholder('number')).prepare());

function activeRows(deps: ServiceDeps, teamId: string, number: number): Participant[] {
  return isRootDb(deps.db) ? selectActiveRows(deps.db).all({ teamId, number }) : activeRowsQuery(deps.db, teamId, number).all();
}

/** The host, the active attendees and the waitlist of one session. */
export function listParticipants(deps: ServiceDeps, teamId: string, number: number): SessionRoster {
  const rows = activeRows(deps, teamId, number);
  return {
    host: rows.find((r) => r.role === 'host'),
    attendees: rows.filter((r) => r.role === 'attendee' && !r.waitlisted),
    waitlist: rows.filter((r) => r.role === 'attendee' && r.waitlisted),
  };
}

const participantCounts = (db: ServiceDeps['db'], teamId: unknown, number: unknown) =>
  db
    .select({
      attendees: sql<number>`coalesce(sum(case when ${participants.waitlisted} = 0 then 1 else 0 end), 0)`,
      waitlist: sql<number>`coalesce(sum(case when ${participants.waitlisted} = 1 then 1 else 0 end), 0)`,
    })
    .from(participants)
    .where(
      and(
        eq(participants.teamId, teamId as string),
        eq(participants.sessionNumber, number as number),
        isNull(participants.leftAt),
        eq(participants.role, 'attendee'),
      ),
    );

// Read on every join and every card refresh.
const selectParticipantCounts = preparedPerDb((db) => participantCounts(db, sql.placeholder('teamId'), sql.placeholder('number')).prepare());

/** Counts for the card without loading every row. */
export function countParticipants(deps: ServiceDeps, teamId: string, number: number): { attendees: number; waitlist: number } {
  const row = isRootDb(deps.db) ? selectParticipantCounts(deps.db).get({ teamId, number }) : participantCounts(deps.db, teamId, number).get();
  return { attendees: Number(row?.attendees ?? 0), waitlist: Number(row?.waitlist ?? 0) };
}

export interface UpcomingQuery {
  from: number;
  to: number;
  /** The reader: their place in each session rides along (and, with `mineOnly`, filters). */
  readerId: string;
  /** Only sessions the reader hosts or is an active participant of (waitlist included). */
  mineOnly: boolean;
  limit: number;
}

/** One line of `/peer list`: the session, its seat counts and the reader's place in it. */
export interface UpcomingItem extends SessionSummary {
  capacity: number | null;
  attendees: number;
  waitlist: number;
  /** The reader's place in it; null when they are not in it. */
  mine: 'host' | 'attendee' | 'waitlisted' | null;
}

/**
 * The two list statements (all upcoming / only the reader's), each with its count, built and
 * prepared once per database. Seat counts and the reader's place are correlated subqueries on
 * the participants primary key, so a page of 47 sessions is one statement instead of three
 * queries with 47-item IN lists (about 2.5 ms down to well under 1 ms on the 10k-session seed).
 */
const upcomingStatements = preparedPerDb((db: ServiceDeps['db']) => {
  const p = { teamId: sql.placeholder('teamId'), readerId: sql.placeholder('readerId'), from: sql.placeholder('from'), earliest: sql.placeholder('earliest'), to: sql.placeholder('to'), limit: sql.placeholder('limit') };
  // The outer row, spelled with its table: in a single-table select drizzle writes a column as a
  // bare "team_id", which inside these subqueries would mean p.team_id (matching every workspace).
  const outerTeam = sql.raw('"sessions"."team_id"');
  const outerNumber = sql.raw('"sessions"."number"');
  const seated = (waitlisted: 0 | 1) =>
    sql<number>`(select count(*) from ${participants} p where p.team_id = ${outerTeam} and p.session_number = ${outerNumber} and p.left_at is null and p.role = 'attendee' and p.waitlisted = ${sql.raw(String(waitlisted))})`;
  const readerRole = sql<'host' | 'attendee' | 'waitlisted' | null>`(select case when p.role = 'host' then 'host' when p.waitlisted = 1 then 'waitlisted' else 'attendee' end from ${participants} p where p.team_id = ${outerTeam} and p.session_number = ${outerNumber} and p.user_id = ${p.readerId} and p.left_at is null)`;
  const readerIn = sql`exists (select 1 from ${participants} p where p.team_id = ${outerTeam} and p.session_number = ${outerNumber} and p.user_id = ${p.readerId} and p.left_at is null)`;
  const window = and(
    eq(sessions.teamId, p.teamId),
    eq(sessions.status, 'scheduled'),
    // Still running counts as upcoming: people may join a session in progress. The plain lower
    // bound on starts_at (no session is longer than DURATION_MAX) lets the index narrow the range.
    gt(sessions.startsAt, p.earliest),
    gt(sql`${sessions.startsAt} + ${sessions.durationMin} * 60000`, p.from),
    lt(sessions.startsAt, p.to),
  );
  const page = (where: ReturnType<typeof and>) =>
    db
      .select({
        number: sessions.number,
        title: sessions.title,
        format: sessions.format,
        hostId: sessions.hostId,
        startsAt: sessions.startsAt,
        durationMin: sessions.durationMin,
        capacity: sessions.capacity,
        attendees: seated(0),
        waitlist: seated(1),
        mine: readerRole,
      })
      .from(sessions)
      .where(where)
      .orderBy(asc(sessions.startsAt), asc(sessions.number))
      .limit(p.limit)
      .prepare();
  const count = (where: ReturnType<typeof and>) => db.select({ n: sql<number>`count(*)` }).from(sessions).where(where).prepare();
  const mineWhere = and(window, readerIn);
  return { all: { page: page(window), count: count(window) }, mine: { page: page(mineWhere), count: count(mineWhere) } };
});

/**
 * Scheduled sessions that have not ended and start before `to`, soonest first, with seat
 * counts and the reader's place in each, plus how many matched in total (so a list can say
 * "and N more").
 */
export function listUpcomingSessions(deps: ServiceDeps, teamId: string, query: UpcomingQuery): { sessions: UpcomingItem[]; total: number } {
  const statements = upcomingStatements(deps.db)[query.mineOnly ? 'mine' : 'all'];
  const params = { teamId, readerId: query.readerId, from: query.from, earliest: query.from - DURATION_MAX * 60_000, to: query.to };
  const rows = statements.page.all({ ...params, limit: query.limit });
  // Counted only when the page is full; a short page is the whole answer.
  const total = rows.length < query.limit ? rows.length : Number(statements.count.get(params)?.n ?? rows.length);
  return {
    sessions: rows.map((r) => ({ ...r, attendees: Number(r.attendees), waitlist: Number(r.waitlist), mine: r.mine ?? null })),
    total,
  };
}

export interface ScheduleRequest {
  teamId: string;
  creatorId: string;
  input: ScheduleInput;
  /** Used when the workspace row does not exist yet (it normally does: the actor middleware creates it). */
  defaultTimeZone?: string;
  /** The zone the start was read in: weekly repeats keep its wall-clock time across DST changes. */
  timeZone?: string;
}

/**
 * Writes one session (or `repeatWeeks` weekly ones sharing a series id, with consecutive
 * numbers) and the host's participant row, in one transaction. Numbers come from
 * workspaces.next_session_number, bumped in the same transaction so two people scheduling at
 * once never get the same number.
 */
export function scheduleSessions(deps: ServiceDeps, request: ScheduleRequest): Session[] {
  const { teamId, creatorId, input } = request;
  const now = deps.clock.now();
  const count = input.repeatWeeks;
  const seriesId = count > 1 ? randomUUID() : null;
  return deps.db.transaction(
    (tx) => {
      const ws = tx
        .update(workspaces)
        .set({ nextSessionNumber: sql`${workspaces.nextSessionNumber} + ${count}`, updatedAt: now })
        .where(eq(workspaces.teamId, teamId))
        .returning({ next: workspaces.nextSessionNumber })
        .get();
      if (ws === undefined) throw new AppError('not_found', 'This workspace is not set up yet. Try the command again.');
      const first = ws.next - count;
      const created: Session[] = [];
      for (let i = 0; i < count; i += 1) {
        const number = first + i;
        const row = tx
          .insert(sessions)
          .values({
            teamId,
            number,
            title: input.title,
            format: input.format,
            topic: input.topic,
            hostId: input.hostId,
            creatorId,
            startsAt: addLocalWeeks(input.startsAt, i, request.timeZone ?? 'UTC'),
            durationMin: input.durationMin,
            capacity: input.capacity,
            channelId: input.channelId,
            agenda: input.agenda,
            link: input.link,
            seriesId,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        tx.insert(participants).values({ teamId, sessionNumber: number, userId: input.hostId, role: 'host', joinedAt: now }).run();
        created.push(row);
      }
      for (const s of created) syncSessionJobs(inTransaction(deps, tx), teamId, s.number);
      return created;
    },
    { behavior: 'immediate' },
  );
}

/**
 * Removes sessions that were written but could not be announced, so nothing half-made stays.
 * Their numbers are not handed back: job keys (reminder:<number>:...) of the discarded
 * sessions stay in the jobs table as cancelled, and a reused number would collide with them.
 */
export function discardSessions(deps: ServiceDeps, teamId: string, numbers: number[]): void {
  if (numbers.length === 0) return;
  deps.db.transaction(
    (tx) => {
      tx.delete(participants).where(and(eq(participants.teamId, teamId), inArray(participants.sessionNumber, numbers))).run();
      tx.delete(sessions).where(and(eq(sessions.teamId, teamId), inArray(sessions.number, numbers))).run();
      for (const n of numbers) syncSessionJobs(inTransaction(deps, tx), teamId, n);
    },
    { behavior: 'immediate' },
  );
}

export function setAnnouncement(deps: ServiceDeps, teamId: string, number: number, channelId: string, ts: string): void {
  deps.db
    .update(sessions)
    .set({ channelId, announcementTs: ts })
    .where(and(eq(sessions.teamId, teamId), eq(sessions.number, number)))
    .run();
}

export interface EditResult {
  before: Session;
  after: Session;
  timeChanged: boolean;
  placeChanged: boolean;
  channelChanged: boolean;
  /** Waitlisted people who got a seat because capacity went up. */
  promoted: string[];
  /** Active attendees (not the host), to tell about a change. */
  attendeeIds: string[];
}

/**
 * Applies an edit by the host, the creator or an admin. Bumps `sequence` (iCalendar) on every
 * save. A cancelled or finished session cannot be edited. Repeats are not re-created on edit.
 */
export function editSession(deps: ServiceDeps, teamId: string, number: number, actor: SessionActor, input: ScheduleInput): EditResult {
  const now = deps.clock.now();
  return deps.db.transaction(
    (tx) => {
      const txDeps = inTransaction(deps, tx);
      const before = requireSession(txDeps, teamId, number);
      requireManager(before, actor, 'edit');
      if (before.status === 'cancelled') throw new AppError('conflict', `Session #${number} was cancelled, so it cannot be edited.`);
      if (isFinished(before, now)) throw new AppError('conflict', `Session #${number} has already finished, so it cannot be edited.`);
      const after = tx
        .update(sessions)
        .set({
          title: input.title,
          format: input.format,
          topic: input.topic,
          hostId: input.hostId,
          startsAt: input.startsAt,
          durationMin: input.durationMin,
          capacity: input.capacity,
          channelId: input.channelId,
          agenda: input.agenda,
          link: input.link,
          sequence: sql`${sessions.sequence} + 1`,
          updatedAt: now,
        })
        .where(and(eq(sessions.teamId, teamId), eq(sessions.number, number)))
        .returning()
        .get();
      const hostChanged = before.hostId !== input.hostId;
      if (hostChanged) {
        // The new host's row (a seat, a waitlist place, a row they left, or none) becomes the host
        // row; the host holds no seat, so a seat they had is free for the waitlist below.
        tx.insert(participants)
          .values({ teamId, sessionNumber: number, userId: input.hostId, role: 'host', joinedAt: now })
          .onConflictDoUpdate({
            target: [participants.teamId, participants.sessionNumber, participants.userId],
            set: { role: 'host', leftAt: null, waitlisted: false },
          })
          .run();
      }
      const promoted = promoteFromWaitlist(txDeps, after);
      if (hostChanged) {
        // The old host stays on as an attendee, by the same rule as a join made now (after the
        // waitlist has had the free seats): a seat if one is free and nobody is waiting, else the
        // back of the waitlist. Seating them regardless put a full session over its capacity.
        const counts = countParticipants(txDeps, teamId, number);
        const full = after.capacity !== null && (counts.attendees >= after.capacity || counts.waitlist > 0);
        tx.update(participants)
          .set({ role: 'attendee', waitlisted: full, joinedAt: now })
          .where(and(eq(participants.teamId, teamId), eq(participants.sessionNumber, number), eq(participants.userId, before.hostId)))
          .run();
      }
      syncSessionJobs(txDeps, teamId, number);
      const timeChanged = before.startsAt !== after.startsAt || before.durationMin !== after.durationMin;
      const channelChanged = before.channelId !== after.channelId;
      const placeChanged = channelChanged || (before.link ?? null) !== (after.link ?? null);
      const attendeeIds = listParticipants(txDeps, teamId, number).attendees.map((p) => p.userId);
      // Planned with the write, so a crash after the commit cannot lose them. The promoted hear
      // "you got a seat" instead of "changed". A replayed submission changes nothing, so it
      // plans nothing.
      // The old host hears about the handover instead (that DM shows the time and place as they are now).
      if (timeChanged || placeChanged) {
        planChangeNotices(txDeps, after, attendeeIds.filter((id) => !promoted.includes(id) && !(hostChanged && id === before.hostId)), { time: timeChanged, place: placeChanged });
      }
      planPromotionNotices(txDeps, after, promoted);
      // A handover someone else made is told to both hosts; nobody is told what they did themselves.
      if (hostChanged && after.hostId !== actor.userId) planHostingNotice(txDeps, after, after.hostId, actor.userId);
      if (hostChanged && before.hostId !== actor.userId) planUnhostedNotice(txDeps, after, before.hostId, actor.userId);
      return { before, after, timeChanged, placeChanged, channelChanged, promoted, attendeeIds };
    },
    { behavior: 'immediate' },
  );
}

/** Fills free seats from the waitlist, first in line first. Runs inside the caller's transaction. */
function promoteFromWaitlist(deps: ServiceDeps, session: Session): string[] {
  const roster = listParticipants(deps, session.teamId, session.number);
  const free = session.capacity === null ? roster.waitlist.length : Math.max(0, session.capacity - roster.attendees.length);
  const promoted = roster.waitlist.slice(0, free).map((p) => p.userId);
  if (promoted.length > 0) {
    deps.db
      .update(participants)
      .set({ waitlisted: false })
      .where(and(eq(participants.teamId, session.teamId), eq(participants.sessionNumber, session.number), inArray(participants.userId, promoted)))
      .run();
  }
  return promoted;
}

export interface CancelResult {
  session: Session;
  /** Everyone to tell: active attendees and the waitlist (not the host). */
  notifyIds: string[];
}

/**
 * Cancels a session (host, creator or admin) and, in the same transaction, plans the DM and the
 * METHOD:CANCEL file for each attendee and waitlisted person (session-notices.ts).
 */
export function cancelSession(deps: ServiceDeps, teamId: string, number: number, actor: SessionActor, reason: string | null): CancelResult {
  const now = deps.clock.now();
  return deps.db.transaction(
    (tx) => {
      const txDeps = inTransaction(deps, tx);
      const before = requireSession(txDeps, teamId, number);
      requireManager(before, actor, 'cancel');
      if (before.status === 'cancelled') throw new AppError('conflict', `Session #${number} is already cancelled.`);
      if (isFinished(before, now)) throw new AppError('conflict', `Session #${number} has already finished, so it cannot be cancelled.`);
      const session = tx
        .update(sessions)
        .set({ status: 'cancelled', cancelReason: reason, sequence: sql`${sessions.sequence} + 1`, updatedAt: now })
        .where(and(eq(sessions.teamId, teamId), eq(sessions.number, number)))
        .returning()
        .get();
      syncSessionJobs(txDeps, teamId, number);
      const roster = listParticipants(txDeps, teamId, number);
      const notifyIds = [...roster.attendees, ...roster.waitlist].map((p) => p.userId);
      planCancelNotices(txDeps, session, notifyIds);
      return { session, notifyIds };
    },
    { behavior: 'immediate' },
  );
}

export type JoinResult =
  | { status: 'joined'; session: Session }
  | { status: 'waitlisted'; session: Session; position: number }
  | { status: 'already_joined'; session: Session }
  | { status: 'already_waitlisted'; session: Session; position: number }
  | { status: 'is_host'; session: Session };

function waitlistPosition(deps: ServiceDeps, teamId: string, number: number, userId: string): number {
  const index = listParticipants(deps, teamId, number).waitlist.findIndex((p) => p.userId === userId);
  return index + 1;
}

/**
 * Joins a person, idempotently: the (team, session, user) key means a double click is one row.
 * A full session puts them on the waitlist. Cancelled and finished sessions are refused.
 */
const participantQuery = (db: ServiceDeps['db'], teamId: unknown, number: unknown, userId: unknown) =>
  db
    .select()
    .from(participants)
    .where(and(eq(participants.teamId, teamId as string), eq(participants.sessionNumber, number as number), eq(participants.userId, userId as string)));
const selectParticipant = preparedPerDb((db) => participantQuery(db, sql.placeholder('teamId'), sql.placeholder('number'), sql.placeholder('userId')).prepare());

/** One person's row in a session (including a row they left), if any. */
function getParticipant(deps: ServiceDeps, teamId: string, number: number, userId: string): Participant | undefined {
  return isRootDb(deps.db) ? selectParticipant(deps.db).get({ teamId, number, userId }) : participantQuery(deps.db, teamId, number, userId).get();
}

/** A join: a new attendee row, or the person's old row (they left before) reused. */
const upsertAttendee = preparedPerDb((db) =>
  db
    .insert(participants)
    .values({
      teamId: sql.placeholder('teamId'),
      sessionNumber: sql.placeholder('number'),
      userId: sql.placeholder('userId'),
      role: 'attendee',
      joinedAt: sql.placeholder('now'),
      waitlisted: sql.placeholder('waitlisted'),
    })
    .onConflictDoUpdate({
      target: [participants.teamId, participants.sessionNumber, participants.userId],
      set: { role: 'attendee', joinedAt: sql`excluded.joined_at`, leftAt: null, waitlisted: sql`excluded.waitlisted`, attended: 'unknown' },
    })
    .prepare(),
);

export function joinSession(deps: ServiceDeps, teamId: string, number: number, userId: string): JoinResult {
  const now = deps.clock.now();
  return deps.db.transaction(
    (tx) => {
      // Join is the hottest write: everything here goes through `deps` (the database itself), so
      // the statements are prepared once (preparedPerDb). better-sqlite3 runs them on the same
      // connection, so they are part of this transaction.
      const session = requireSession(deps, teamId, number);
      if (session.status === 'cancelled') throw new AppError('conflict', `Session #${number} was cancelled, so it cannot be joined.`);
      if (isFinished(session, now)) throw new AppError('conflict', `Session #${number} has already finished, so it cannot be joined.`);
      const existing = getParticipant(deps, teamId, number, userId);
      if (existing !== undefined && existing.leftAt === null) {
        if (existing.role === 'host') return { status: 'is_host', session };
        if (existing.waitlisted) return { status: 'already_waitlisted', session, position: waitlistPosition(deps, teamId, number, userId) };
        return { status: 'already_joined', session };
      }
      const counts = countParticipants(deps, teamId, number);
      const full = session.capacity !== null && (counts.attendees >= session.capacity || counts.waitlist > 0);
      upsertAttendee(deps.db).run({ teamId, number, userId, now, waitlisted: full });
      syncSessionJobs(deps, teamId, number);
      if (full) return { status: 'waitlisted', session, position: waitlistPosition(deps, teamId, number, userId) };
      return { status: 'joined', session };
    },
    { behavior: 'immediate' },
  );
}

export type LeaveResult =
  | { status: 'left'; session: Session; wasWaitlisted: boolean; promoted: string[] }
  | { status: 'not_joined'; session: Session };

/** Leaves a session; a freed seat goes to the first person on the waitlist. */
export function leaveSession(deps: ServiceDeps, teamId: string, number: number, userId: string): LeaveResult {
  const now = deps.clock.now();
  return deps.db.transaction(
    (tx) => {
      const txDeps = inTransaction(deps, tx);
      const session = requireSession(txDeps, teamId, number);
      const existing = tx
        .select()
        .from(participants)
        .where(and(eq(participants.teamId, teamId), eq(participants.sessionNumber, number), eq(participants.userId, userId)))
        .get();
      if (existing === undefined || existing.leftAt !== null) return { status: 'not_joined', session };
      if (existing.role === 'host') {
        throw new AppError(
          'conflict',
          `You're hosting session #${number}, so you can't leave it. Use \`/peer edit ${number}\` to hand it to another host, or \`/peer cancel ${number}\`.`,
        );
      }
      if (session.status === 'cancelled') throw new AppError('conflict', `Session #${number} was cancelled; there is nothing to leave.`);
      if (isFinished(session, now)) throw new AppError('conflict', `Session #${number} has already finished.`);
      tx.update(participants)
        .set({ leftAt: now, waitlisted: false })
        .where(and(eq(participants.teamId, teamId), eq(participants.sessionNumber, number), eq(participants.userId, userId)))
        .run();
      const promoted = existing.waitlisted ? [] : promoteFromWaitlist(txDeps, session);
      syncSessionJobs(txDeps, teamId, number);
      planPromotionNotices(txDeps, session, promoted);
      return { status: 'left', session, wasWaitlisted: existing.waitlisted, promoted };
    },
    { behavior: 'immediate' },
  );
}

/** Checks that attendance may be marked now and returns the people to list (attendees, not the host). */
export function prepareAttendance(deps: ServiceDeps, teamId: string, number: number, actor: SessionActor): { session: Session; attendees: Participant[] } {
  const session = requireSession(deps, teamId, number);
  requireManager(session, actor, 'mark attendance for');
  if (session.status === 'cancelled') throw new AppError('conflict', `Session #${number} was cancelled, so there is no attendance to mark.`);
  if (deps.clock.now() < session.startsAt) {
    throw new AppError('conflict', `Session #${number} has not started yet. You can mark attendance once it has begun.`);
  }
  return { session, attendees: listParticipants(deps, teamId, number).attendees };
}

/**
 * Records who came: the listed attendees `yes`, every other active attendee `no`, the host
 * `yes`. Ids that are not attendees of this session are ignored (a forged form changes nothing).
 */
export function markAttendance(
  deps: ServiceDeps,
  teamId: string,
  number: number,
  actor: SessionActor,
  attendedIds: readonly string[],
  options: { shownAt?: number | undefined } = {},
): { session: Session; yes: number; no: number } {
  return deps.db.transaction(
    (tx) => {
      const txDeps = inTransaction(deps, tx);
      const { session, attendees } = prepareAttendance(txDeps, teamId, number, actor);
      const present = new Set(attendedIds);
      // Someone who joined after the checklist was shown had no box to tick: not marked absent.
      const decided = options.shownAt === undefined ? attendees : attendees.filter((p) => p.joinedAt <= options.shownAt!);
      let yes = 0;
      for (const p of decided) {
        const attended = present.has(p.userId) ? 'yes' : 'no';
        if (attended === 'yes') yes += 1;
        tx.update(participants)
          .set({ attended })
          .where(and(eq(participants.teamId, teamId), eq(participants.sessionNumber, number), eq(participants.userId, p.userId)))
          .run();
      }
      tx.update(participants)
        .set({ attended: 'yes' })
        .where(and(eq(participants.teamId, teamId), eq(participants.sessionNumber, number), eq(participants.role, 'host'), isNull(participants.leftAt)))
        .run();
      syncSessionJobs(txDeps, teamId, number);
      return { session, yes, no: decided.length - yes };
    },
    { behavior: 'immediate' },
  );
}

/** Where a session sits in its weekly series ("3 of 12"), or undefined for a one-off. */
export function seriesPosition(deps: ServiceDeps, session: Pick<Session, 'teamId' | 'number' | 'seriesId'>): { index: number; of: number } | undefined {
  if (session.seriesId === null) return undefined;
  const numbers = deps.db
    .select({ number: sessions.number })
    .from(sessions)
    .where(and(eq(sessions.teamId, session.teamId), eq(sessions.seriesId, session.seriesId)))
    .orderBy(asc(sessions.startsAt), asc(sessions.number))
    .all()
    .map((r) => r.number);
  const index = numbers.indexOf(session.number);
  return index < 0 ? undefined : { index: index + 1, of: numbers.length };
}
