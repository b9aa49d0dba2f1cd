import { and, eq, gt, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import { isRootDb, preparedPerDb } from '../db/prepared.js';
import { jobs, participants, sessions, workspaces } from '../db/schema.js';
import { addLocalWeeks } from './time.js';
import { assertMayManage, isFinished, ScheduleInput, type Participant, type Session, type SessionActor } from './session-model.js';
import { countParticipants, listParticipants, requireSession } from './session-queries.js';
import { inTransaction, type ServiceDeps } from './context.js';
import { planCancelNotices, planChangeNotices, planHostingNotice, planPromotionNotices, planUnhostedNotice } from './session-notices.js';
import { syncSessionJobs } from './session-jobs.js';
import { planSeatReminders } from './reminders.js';
import type { JobStatus } from './jobs.js';

/**
 * Changing sessions: the writes behind /peer schedule, edit, cancel, join, leave and attended
 * (reads are in session-queries.ts, the rules that need no database in session-model.ts).
 * Every write names the workspace (team_id) and the short per-workspace number; nothing here
 * talks to Slack. Writes are synchronous transactions; callers talk to Slack after they return.
 */

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
 * What a schedule wrote, enough to take it back completely (undoSchedule) if Slack refuses its
 * card: the numbers, the workspace row's updated_at before and after, and where the jobs table
 * stood, so the undo finds the jobs of these sessions by a primary-key range.
 */
export interface ScheduleReceipt {
  teamId: string;
  numbers: number[];
  workspaceUpdatedAt: { before: number; after: number };
  /** Every job about these sessions has a larger id (ids only grow: AUTOINCREMENT). */
  jobsAfterId: number;
}

/**
 * Writes one session (or `repeatWeeks` weekly ones sharing a series id, with consecutive
 * numbers) and the host's participant row, in one transaction. Numbers come from
 * workspaces.next_session_number, bumped in the same transaction so two people scheduling at
 * once never get the same number.
 */
export function scheduleSessions(deps: ServiceDeps, request: ScheduleRequest): { sessions: Session[]; receipt: ScheduleReceipt } {
  const { teamId, creatorId, input } = request;
  const now = deps.clock.now();
  const count = input.repeatWeeks;
  const seriesId = count > 1 ? randomUUID() : null;
  return deps.db.transaction(
    (tx) => {
      const before = tx.select({ updatedAt: workspaces.updatedAt }).from(workspaces).where(eq(workspaces.teamId, teamId)).get();
      const ws = tx
        .update(workspaces)
        .set({ nextSessionNumber: sql`${workspaces.nextSessionNumber} + ${count}`, updatedAt: now })
        .where(eq(workspaces.teamId, teamId))
        .returning({ next: workspaces.nextSessionNumber })
        .get();
      if (ws === undefined || before === undefined) throw new AppError('not_found', 'This workspace is not set up yet. Try the command again.');
      const jobsAfterId = tx.select({ max: sql<number | null>`max(${jobs.id})` }).from(jobs).get()?.max ?? 0;
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
      const receipt: ScheduleReceipt = { teamId, numbers: created.map((s) => s.number), workspaceUpdatedAt: { before: before.updatedAt, after: now }, jobsAfterId };
      return { sessions: created, receipt };
    },
    { behavior: 'immediate' },
  );
}

/** Job states after which a job of an undone session may go with it: nothing was sent, nothing is being sent. */
const UNSENT_JOB_STATUSES: JobStatus[] = ['pending', 'cancelled', 'skipped'];

/**
 * Takes back a schedule whose card Slack refused, leaving nothing behind: its sessions, their
 * participant rows (the host's, and anyone who joined by number in the meantime) and every job
 * about them (deleted, not cancelled), and hands the numbers back, so the next schedule gets the
 * number this one had. The numbers are fresh when handed out (higher than any used before, or
 * handed back together with all their jobs), so every job naming them is this schedule's.
 *
 * Two cases keep the numbers used (returns false), both needing a race within the fraction of a
 * second between the save and Slack's answer: someone else in the workspace took a later number
 * meanwhile (handing these back would make the counter go backwards), or a job of these sessions
 * was already claimed (its key stays, and a reused number would collide with it).
 */
export function undoSchedule(deps: ServiceDeps, receipt: ScheduleReceipt): boolean {
  const { teamId, numbers } = receipt;
  if (numbers.length === 0) return true;
  return deps.db.transaction(
    (tx) => {
      // The unary + keeps SQLite off the (team_id, key) index, which would walk every job the
      // workspace ever had: the id range holds only the jobs written since the save, a handful.
      const sessionJobs = and(gt(jobs.id, receipt.jobsAfterId), sql`+${jobs.teamId} = ${teamId}`, inArray(sql`json_extract(${jobs.payload}, '$.sessionNumber')`, numbers));
      const claimed = tx
        .select({ id: jobs.id })
        .from(jobs)
        .where(and(sessionJobs, notInArray(jobs.status, UNSENT_JOB_STATUSES)))
        .all();
      tx.delete(jobs)
        .where(and(sessionJobs, inArray(jobs.status, UNSENT_JOB_STATUSES)))
        .run();
      tx.delete(participants).where(and(eq(participants.teamId, teamId), inArray(participants.sessionNumber, numbers))).run();
      tx.delete(sessions).where(and(eq(sessions.teamId, teamId), inArray(sessions.number, numbers))).run();
      if (claimed.length > 0) return false;
      const first = Math.min(...numbers);
      const handedBack = tx
        .update(workspaces)
        .set({
          nextSessionNumber: first,
          // The row's updated_at goes back too, unless something else changed the row since.
          updatedAt: sql`CASE WHEN ${workspaces.updatedAt} = ${receipt.workspaceUpdatedAt.after} THEN ${receipt.workspaceUpdatedAt.before} ELSE ${workspaces.updatedAt} END`,
        })
        .where(and(eq(workspaces.teamId, teamId), eq(workspaces.nextSessionNumber, first + numbers.length)))
        .run();
      return handedBack.changes === 1;
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
      assertMayManage(before, actor, 'edit');
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
      assertMayManage(before, actor, 'cancel');
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
      // Only the joiner's reminders change (none while waitlisted); the end job follows the start, which a join leaves alone.
      if (!full) planSeatReminders(deps, teamId, session, userId);
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
  assertMayManage(session, actor, 'mark attendance for');
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

