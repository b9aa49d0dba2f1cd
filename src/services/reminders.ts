import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ServiceDeps } from './context.js';
import { cancelPendingJobs, defineJobKind, listJobKeys, scheduleJob, sqliteOf, type JobStatus } from './jobs.js';
import { chooseZone } from './members.js';
import { getSession, listParticipants } from './session-queries.js';
import { type Session } from './session-model.js';
import { getSettings, parseStoredSettings } from './workspace-settings.js';

/**
 * Reminder rules. A reminder is one job per (session, person, lead time, start time):
 * the start time is in the key so a moved session gets new keys (new reminders) while the
 * old ones are cancelled, and a reminder already sent for the old time is never confused with
 * one for the new time.
 */

export const REMINDER_KIND = 'reminder';

export const ReminderPayload = z.object({
  sessionNumber: z.number().int().positive(),
  userId: z.string().min(1),
  leadMinutes: z.number().int().positive(),
  /** The start the reminder was planned for; a different start at send time means it moved. */
  startsAt: z.number().int(),
});
export type ReminderPayload = z.infer<typeof ReminderPayload>;

export const ReminderJob = defineJobKind({ kind: REMINDER_KIND, payload: ReminderPayload, key: reminderKey });

export function reminderKeyPrefix(sessionNumber: number): string {
  return `reminder:${sessionNumber}:`;
}

export function reminderKey(p: ReminderPayload): string {
  return `${reminderKeyPrefix(p.sessionNumber)}${p.userId}:${p.leadMinutes}:${p.startsAt}`;
}

/**
 * Skip reasons after which the same reminder may be due again: the person had left (and has
 * now re-joined) or the session had moved (and is back at this time). Nothing was sent.
 */
const REVIVABLE_SKIPS: readonly ReminderSkipReason[] = ['not_a_participant', 'session_moved'];

/** Saves a write (and the upsert) for the keys that are certainly a no-op. */
function mayNeedScheduling(status: JobStatus | undefined): boolean {
  return status === undefined || status === 'cancelled' || status === 'skipped';
}

/** The people who get reminders: the host and the attendees with a seat (not the waitlist). */
function recipients(deps: ServiceDeps, teamId: string, sessionNumber: number): string[] {
  const roster = listParticipants(deps, teamId, sessionNumber);
  const ids = roster.attendees.map((p) => p.userId);
  if (roster.host !== undefined) ids.unshift(roster.host.userId);
  return [...new Set(ids)];
}

/**
 * Makes the session's pending reminders match its current start, status, participants and the
 * workspace's lead times: cancels those that no longer fit, schedules the missing ones.
 * Reminders whose send time has already passed are not newly scheduled (someone who joins
 * ten minutes before the start does not need a "starts in 24 hours" DM), but an overdue one
 * that already exists is kept: the handler decides at send time whether it still makes sense.
 * Synchronous, so sessions.ts can call it inside its transaction.
 */
export function syncSessionReminders(deps: ServiceDeps, teamId: string, sessionNumber: number): void {
  const prefix = reminderKeyPrefix(sessionNumber);
  const session = getSession(deps, teamId, sessionNumber);
  if (session === undefined || session.status === 'cancelled') {
    cancelPendingJobs(deps, teamId, prefix, { reason: 'session_cancelled' });
    return;
  }
  const now = deps.clock.now();
  const { reminderLeadMinutes } = getSettings(deps, teamId);
  // One read of the keys this session already has (any status), so a join in a 500-person
  // session inserts two rows instead of re-trying a thousand.
  const existing = new Map(listJobKeys(deps, teamId, prefix).map((row) => [row.key, row.status]));
  const wanted: string[] = [];
  for (const userId of recipients(deps, teamId, sessionNumber)) {
    wanted.push(...planPersonReminders(deps, teamId, session, userId, reminderLeadMinutes, existing, now));
  }
  cancelPendingJobs(deps, teamId, prefix, { keep: wanted, reason: 'no_longer_needed' });
}

/**
 * A join's share of syncSessionReminders: a new seat changes nobody's reminders but the
 * joiner's (the start, the status and everyone else's seat are as they were), so only their
 * keys are read and planned, by the same rules. A join is the hottest write; re-syncing the
 * whole session read every participant and every reminder key of it (bench/open-loop.ts: about
 * a millisecond of the event loop per Join on the 10,000-session seed). Synchronous, for the
 * join's transaction.
 */
export function planSeatReminders(deps: ServiceDeps, teamId: string, session: Pick<Session, 'number' | 'startsAt'>, userId: string): void {
  const now = deps.clock.now();
  const { reminderLeadMinutes } = getSettings(deps, teamId);
  // The colon after the id keeps U1's range clear of U12's.
  const existing = new Map(listJobKeys(deps, teamId, `${reminderKeyPrefix(session.number)}${userId}:`).map((row) => [row.key, row.status]));
  planPersonReminders(deps, teamId, session, userId, reminderLeadMinutes, existing, now);
}

/**
 * One person's reminders of a session, given the keys it already has (any status). Returns every
 * key the person should have, sent or not. Reminders whose time has passed are not scheduled.
 */
function planPersonReminders(
  deps: ServiceDeps,
  teamId: string,
  session: Pick<Session, 'number' | 'startsAt'>,
  userId: string,
  leads: readonly number[],
  existing: ReadonlyMap<string, JobStatus>,
  now: number,
): string[] {
  const keys: string[] = [];
  for (const leadMinutes of leads) {
    const payload: ReminderPayload = { sessionNumber: session.number, userId, leadMinutes, startsAt: session.startsAt };
    const key = reminderKey(payload);
    keys.push(key);
    const runAt = session.startsAt - leadMinutes * 60_000;
    if (runAt < now) continue;
    // New, or cancelled/skipped-unsent and due again (left and came back, or the session moved
    // back to this time): scheduleJob adds or revives it. Pending, running, done and failed
    // rows are not touched, so nobody gets the same reminder twice.
    if (mayNeedScheduling(existing.get(key))) scheduleJob(deps, { teamId, kind: REMINDER_KIND, key, runAt, payload, reviveSkipped: REVIVABLE_SKIPS });
  }
  return keys;
}

/** What a reminder shows about its session. */
export type ReminderSession = Pick<Session, 'number' | 'title' | 'startsAt' | 'durationMin' | 'channelId' | 'agenda' | 'link' | 'hostId'>;

export type ReminderCheck =
  | { send: true; session: ReminderSession; timeZone: string }
  | { send: false; reason: ReminderSkipReason };

export type ReminderSkipReason = 'session_deleted' | 'session_cancelled' | 'session_moved' | 'not_a_participant' | 'session_started' | 'superseded';

/**
 * The safety net at send time: the rows can be stale (the app was down, or a sync was missed),
 * so a reminder goes out only while it still makes sense:
 * - the session still exists, is not cancelled and still starts when the reminder was planned for;
 * - the person is still the host or has a seat;
 * - it is before the start. A late reminder is still sent before the start (after three hours of
 *   downtime a "starts in 24 hours" DM arriving 21 hours ahead still tells people when to come),
 *   unless a shorter reminder for the same session is also already due: then only that one goes,
 *   so nobody gets two reminders in the same minute.
 */
export function checkReminder(deps: ServiceDeps, teamId: string, payload: ReminderPayload, fallbackZone: string): ReminderCheck {
  // Everything the check needs in one indexed read: it runs once per reminder, thousands of
  // times in a busy minute.
  const row = checkStatement(deps).get(payload.userId, payload.userId, teamId, payload.sessionNumber) as CheckRow | undefined;
  if (row === undefined) return { send: false, reason: 'session_deleted' };
  if (row.status === 'cancelled') return { send: false, reason: 'session_cancelled' };
  if (row.starts_at !== payload.startsAt) return { send: false, reason: 'session_moved' };
  const seated = row.role !== null && (row.role === 'host' || row.waitlisted === 0);
  if (!seated) return { send: false, reason: 'not_a_participant' };
  const now = deps.clock.now();
  if (now >= row.starts_at) return { send: false, reason: 'session_started' };
  // Parsed once per distinct stored text (this runs for every reminder sent).
  const { reminderLeadMinutes } = parseStoredSettings(deps, teamId, row.settings);
  const shorterDue = reminderLeadMinutes.some((lead) => lead < payload.leadMinutes && row.starts_at - lead * 60_000 <= now);
  if (shorterDue) return { send: false, reason: 'superseded' };
  const session: ReminderSession = {
    number: payload.sessionNumber,
    title: row.title,
    startsAt: row.starts_at,
    durationMin: row.duration_min,
    channelId: row.channel_id,
    agenda: row.agenda,
    link: row.link,
    hostId: row.host_id,
  };
  return { send: true, session, timeZone: chooseZone(row.member_zone, row.workspace_zone, fallbackZone) };
}

interface CheckRow {
  status: string;
  starts_at: number;
  title: string;
  duration_min: number;
  channel_id: string;
  agenda: string;
  link: string | null;
  host_id: string;
  role: 'host' | 'attendee' | null;
  waitlisted: number | null;
  member_zone: string | null;
  workspace_zone: string;
  settings: string;
}

const checkStatements = new WeakMap<object, Database.Statement>();

function checkStatement(deps: ServiceDeps): Database.Statement {
  const sqlite = sqliteOf(deps);
  let statement = checkStatements.get(sqlite);
  if (statement === undefined) {
    statement = sqlite.prepare(
      `SELECT s.status, s.starts_at, s.title, s.duration_min, s.channel_id, s.agenda, s.link, s.host_id, p.role, p.waitlisted, m.time_zone AS member_zone, w.time_zone AS workspace_zone, w.settings
       FROM sessions s
       JOIN workspaces w ON w.team_id = s.team_id
       LEFT JOIN participants p ON p.team_id = s.team_id AND p.session_number = s.number AND p.user_id = ? AND p.left_at IS NULL
       LEFT JOIN members m ON m.team_id = s.team_id AND m.user_id = ?
       WHERE s.team_id = ? AND s.number = ?`,
    );
    checkStatements.set(sqlite, statement);
  }
  return statement;
}
