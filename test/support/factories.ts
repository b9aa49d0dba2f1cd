import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { members, participants, sessions, workspaces } from '../../src/db/schema.js';

/**
 * Rows for tests, written straight to the database so a test can set up any state (past
 * sessions, other workspaces, waitlists) without driving the modals. Defaults are plain and
 * valid; pass only what the test is about.
 */

export type SessionRow = typeof sessions.$inferSelect;
export type ParticipantRow = typeof participants.$inferSelect;

export const DEFAULT_STARTS_AT = Date.UTC(2030, 0, 7, 10, 0);

/** Creates the workspace row if missing (sessions need it) and returns it. */
export function createWorkspace(db: Db, teamId: string, fields: Partial<typeof workspaces.$inferInsert> = {}) {
  db.insert(workspaces)
    .values({ teamId, timeZone: 'UTC', createdAt: 0, updatedAt: 0, ...fields })
    .onConflictDoNothing()
    .run();
  return db.select().from(workspaces).where(eq(workspaces.teamId, teamId)).get()!;
}

export function createMember(db: Db, teamId: string, userId: string, fields: Partial<typeof members.$inferInsert> = {}) {
  createWorkspace(db, teamId);
  db.insert(members)
    .values({ teamId, userId, firstSeenAt: 0, ...fields })
    .onConflictDoUpdate({ target: [members.teamId, members.userId], set: { ...fields } })
    .run();
  return db.select().from(members).where(and(eq(members.teamId, teamId), eq(members.userId, userId))).get()!;
}

export interface CreateSessionInput extends Partial<typeof sessions.$inferInsert> {
  teamId: string;
  /** Defaults to the workspace's next number. */
  number?: number;
  /** Adds the host's participant row (role 'host'), as scheduling does. Default true. */
  withHostRow?: boolean;
}

/**
 * Inserts a session (defaults: 30 minutes, scheduled, starting 2030-01-07 10:00 UTC; pass
 * `startsAt` relative to the test clock when time matters) and keeps workspaces.next_session_number past it, so the app's own numbering
 * never collides with factory rows.
 */
export function createSession(db: Db, input: CreateSessionInput): SessionRow {
  const { withHostRow = true, ...fields } = input;
  const ws = createWorkspace(db, input.teamId);
  const number = input.number ?? ws.nextSessionNumber;
  const createdAt = input.createdAt ?? 0;
  const row = {
    title: `Session ${number}`,
    format: 'micro-lesson',
    topic: '',
    hostId: 'U0HOST',
    creatorId: input.hostId ?? 'U0HOST',
    startsAt: DEFAULT_STARTS_AT,
    durationMin: 30,
    channelId: 'C0GENERAL',
    agenda: '',
    createdAt,
    updatedAt: createdAt,
    ...fields,
    number,
  };
  db.insert(sessions).values(row).run();
  db.update(workspaces)
    .set({ nextSessionNumber: sql`max(${workspaces.nextSessionNumber}, ${number + 1})` })
    .where(eq(workspaces.teamId, input.teamId))
    .run();
  if (withHostRow) addParticipant(db, { teamId: input.teamId, sessionNumber: number, userId: row.hostId, role: 'host', joinedAt: createdAt });
  return db.select().from(sessions).where(and(eq(sessions.teamId, input.teamId), eq(sessions.number, number))).get()!;
}

export interface AddParticipantInput extends Partial<typeof participants.$inferInsert> {
  teamId: string;
  sessionNumber: number;
  userId: string;
}

export function addParticipant(db: Db, input: AddParticipantInput): ParticipantRow {
  db.insert(participants)
    .values({ role: 'attendee', joinedAt: 0, ...input })
    .run();
  return db
    .select()
    .from(participants)
    .where(and(eq(participants.teamId, input.teamId), eq(participants.sessionNumber, input.sessionNumber), eq(participants.userId, input.userId)))
    .get()!;
}
