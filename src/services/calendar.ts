import { randomBytes, timingSafeEqual } from 'node:crypto';
import { and, asc, eq, gte, isNull, lte, sql } from 'drizzle-orm';
import { createRequire } from 'node:module';
import type { EventAttributes } from 'ics';
import { preparedPerDb } from '../db/prepared.js';
import { members, sessions, workspaces } from '../db/schema.js';
import type { ServiceDeps } from './context.js';

/**
 * Calendar files for sessions: one .ics per session (sent as an attachment on join, linked from
 * the card) and one secret per-workspace feed that Google Calendar or Outlook can subscribe to.
 * Everything is written in UTC (`...Z`), so no VTIMEZONE is needed and every client shows the
 * instant in its own zone.
 */

export type CalendarMethod = 'REQUEST' | 'CANCEL';

/** What one VEVENT needs; a session row plus the host's display name. */
export interface CalendarSession {
  teamId: string;
  number: number;
  title: string;
  format: string;
  topic: string;
  hostId: string;
  hostName: string | null;
  startsAt: number;
  durationMin: number;
  channelId: string;
  agenda: string;
  link: string | null;
  status: 'scheduled' | 'cancelled';
  cancelReason: string | null;
  sequence: number;
  createdAt: number;
  updatedAt: number;
}

export const CALENDAR_PRODUCT_ID = '-//Peerloop//Peer sessions//EN';
/** The feed shows a week back (so a session just held stays visible) and 90 days ahead. */
export const FEED_PAST_MS = 7 * 24 * 60 * 60 * 1000;
export const FEED_AHEAD_MS = 90 * 24 * 60 * 60 * 1000;
/** A feed bigger than this keeps the soonest sessions and drops the furthest ones; calendars poll it hourly. */
export const FEED_MAX_EVENTS = 2000;

/** 32 random bytes, base64url: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Stable across edits and replicas, so calendars update the event in place instead of duplicating it. */
export function sessionUid(teamId: string, number: number): string {
  return `session-${teamId.toLowerCase()}-${number}@peerloop`;
}

/**
 * iCalendar wants ORGANIZER to be a mailto; we do not read people's emails, so this is a
 * reserved, non-routable address (RFC 2606 `.invalid`) that no client can ever mail.
 */
export function organizerEmail(userId: string): string {
  return `${userId.toLowerCase()}@users.peerloop.invalid`;
}

/** Opens the session's channel in Slack (works from a browser or a calendar client). */
export function slackChannelUrl(teamId: string, channelId: string): string {
  return `https://slack.com/app_redirect?team=${encodeURIComponent(teamId)}&channel=${encodeURIComponent(channelId)}`;
}

export function sessionCalendarUrl(publicUrl: string, token: string, number: number): string {
  return `${publicUrl.replace(/\/+$/, '')}/calendar/${token}/session-${number}.ics`;
}

export function feedUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/calendar/${token}.ics`;
}

/**
 * The calendar file's name. A changed session's file (sequence above 0) is named after its
 * revision too, so each revision sent to a person is a file of its own name: after a crash, the
 * check for an upload already made (matched by name and title) can never take an earlier
 * revision's file for this one.
 */
export function sessionIcsFilename(number: number, sequence = 0): string {
  return sequence === 0 ? `peerloop-session-${number}.ics` : `peerloop-session-${number}-v${sequence + 1}.ics`;
}

function describeSession(session: CalendarSession): string {
  const host = session.hostName ?? session.hostId;
  const lines = [`Peerloop session #${session.number} (${session.format}) hosted by ${host}.`];
  if (session.topic.trim() !== '') lines.push(`Topic: ${session.topic}`);
  if (session.status === 'cancelled') {
    lines.push(session.cancelReason ? `Cancelled: ${session.cancelReason}` : 'This session was cancelled.');
  }
  if (session.agenda.trim() !== '') lines.push('', 'Agenda:', session.agenda.trim());
  if (session.link) lines.push('', `Link: ${session.link}`);
  lines.push('', `Slack channel: ${slackChannelUrl(session.teamId, session.channelId)}`);
  return lines.join('\n');
}

/** ics rejects a URL its regex does not like; a bad link must not break the whole file. */
function isIcsUrl(link: string | null): link is string {
  return link !== null && /^https?:\/\/\S+$/i.test(link);
}

/**
 * A display name fit for a quoted parameter value (CN="..."). RFC 5545 allows neither a double
 * quote nor a control character there, and has no escape for them: `ics` writes `"` as `\"`,
 * which parsers read as the end of the value (ical.js gives `Robert \` for `Robert "Bob" Smith`)
 * and so lose the rest of the line. Quotes become apostrophes, control characters spaces.
 */
function paramSafeName(name: string): string {
  return name.replace(/"/g, "'").replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** The ics package accepts DTSTAMP (`timestamp`) but its types omit it; we set it from the clock. */
type SessionEvent = EventAttributes & { timestamp: number };

export function buildSessionEvent(session: CalendarSession, now: number): SessionEvent {
  const cancelled = session.status === 'cancelled';
  const event: SessionEvent = {
    uid: sessionUid(session.teamId, session.number),
    sequence: session.sequence,
    timestamp: now,
    start: session.startsAt,
    startInputType: 'utc',
    startOutputType: 'utc',
    end: session.startsAt + session.durationMin * 60_000,
    endInputType: 'utc',
    endOutputType: 'utc',
    title: cancelled ? `Cancelled: ${session.title}` : session.title,
    description: describeSession(session),
    location: session.link ?? 'Slack',
    status: cancelled ? 'CANCELLED' : 'CONFIRMED',
    // A name that is nothing but quotes and control characters falls back to the Slack id.
    organizer: { name: paramSafeName(session.hostName ?? '') || session.hostId, email: organizerEmail(session.hostId) },
    categories: ['Peerloop', session.format],
    created: session.createdAt,
    lastModified: session.updatedAt,
  };
  if (isIcsUrl(session.link)) event.url = session.link;
  return event;
}

// `ics` (and the yup validator it pulls in) is loaded on the first calendar file, not at start-up:
// most requests never need it, and it is ~8 MB of resident memory (bench/ack-latency measures RSS).
let icsModule: typeof import('ics') | undefined;
function loadIcs(): typeof import('ics') {
  icsModule ??= createRequire(import.meta.url)('ics') as typeof import('ics');
  return icsModule;
}

function render(events: EventAttributes[], header: { method: string; calName?: string }): string {
  const { error, value } = loadIcs().createEvents(events, { productId: CALENDAR_PRODUCT_ID, ...header });
  if (error || value === null) throw error ?? new Error('ics produced no output');
  return value;
}

/**
 * One session as an invitation (METHOD:REQUEST) or, for a cancelled session, a cancellation
 * (METHOD:CANCEL, STATUS:CANCELLED) with the same UID and SEQUENCE so the calendar removes it.
 */
export function buildSessionIcs(session: CalendarSession, now: number, method?: CalendarMethod): string {
  const resolved: CalendarMethod = method ?? (session.status === 'cancelled' ? 'CANCEL' : 'REQUEST');
  const event = buildSessionEvent(resolved === 'CANCEL' ? { ...session, status: 'cancelled' } : session, now);
  return render([event], { method: resolved });
}

/** A subscription feed is METHOD:PUBLISH (RFC 5546): clients show it, nobody is invited. */
export function buildFeedIcs(list: readonly CalendarSession[], now: number, calName = 'Peerloop sessions'): string {
  return render(
    list.map((s) => buildSessionEvent(s, now)),
    { method: 'PUBLISH', calName },
  );
}

// --- tokens and queries -------------------------------------------------------------------

/** Returns the workspace's feed token, creating it on first use (safe if two requests race). */
export function ensureCalendarToken(deps: ServiceDeps, teamId: string): string {
  const existing = deps.db.select({ token: workspaces.calendarToken }).from(workspaces).where(eq(workspaces.teamId, teamId)).get();
  if (existing === undefined) throw new Error(`workspace ${teamId} not found`);
  if (existing.token !== null) return existing.token;
  const token = randomBytes(32).toString('base64url');
  deps.db
    .update(workspaces)
    .set({ calendarToken: token, updatedAt: deps.clock.now() })
    .where(and(eq(workspaces.teamId, teamId), isNull(workspaces.calendarToken)))
    .run();
  const stored = deps.db.select({ token: workspaces.calendarToken }).from(workspaces).where(eq(workspaces.teamId, teamId)).get();
  return stored!.token!;
}

/** The workspace a feed token belongs to, or undefined. Malformed tokens never reach the database. */
export function findTeamByCalendarToken(deps: ServiceDeps, token: string): string | undefined {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const row = deps.db
    .select({ teamId: workspaces.teamId, token: workspaces.calendarToken })
    .from(workspaces)
    .where(eq(workspaces.calendarToken, token))
    .get();
  // The equality above already matched; comparing again in constant time keeps the final
  // decision free of early-exit timing on the secret.
  if (row?.token == null) return undefined;
  const a = Buffer.from(row.token);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b) ? row.teamId : undefined;
}

const calendarColumns = {
  teamId: sessions.teamId,
  number: sessions.number,
  title: sessions.title,
  format: sessions.format,
  topic: sessions.topic,
  hostId: sessions.hostId,
  hostName: members.name,
  startsAt: sessions.startsAt,
  durationMin: sessions.durationMin,
  channelId: sessions.channelId,
  agenda: sessions.agenda,
  link: sessions.link,
  status: sessions.status,
  cancelReason: sessions.cancelReason,
  sequence: sessions.sequence,
  createdAt: sessions.createdAt,
  updatedAt: sessions.updatedAt,
};

// Read for every calendar file sent after a join: prepared once per database.
const selectCalendarSession = preparedPerDb((db) =>
  db
    .select(calendarColumns)
    .from(sessions)
    .leftJoin(members, and(eq(members.teamId, sessions.teamId), eq(members.userId, sessions.hostId)))
    .where(and(eq(sessions.teamId, sql.placeholder('teamId')), eq(sessions.number, sql.placeholder('number'))))
    .prepare(),
);

export function getCalendarSession(deps: ServiceDeps, teamId: string, number: number): CalendarSession | undefined {
  return selectCalendarSession(deps.db).get({ teamId, number });
}

/** Sessions the feed shows: from a week ago to 90 days ahead, cancelled ones included (as cancelled). */
export function listFeedSessions(deps: ServiceDeps, teamId: string): CalendarSession[] {
  const now = deps.clock.now();
  return deps.db
    .select(calendarColumns)
    .from(sessions)
    .leftJoin(members, and(eq(members.teamId, sessions.teamId), eq(members.userId, sessions.hostId)))
    .where(and(eq(sessions.teamId, teamId), gte(sessions.startsAt, now - FEED_PAST_MS), lte(sessions.startsAt, now + FEED_AHEAD_MS)))
    .orderBy(asc(sessions.startsAt), asc(sessions.number))
    .limit(FEED_MAX_EVENTS)
    .all();
}

/** The feed for a token, or undefined for an unknown token. */
export function buildFeedForToken(deps: ServiceDeps, token: string): string | undefined {
  const teamId = findTeamByCalendarToken(deps, token);
  if (teamId === undefined) return undefined;
  const name = deps.db.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.teamId, teamId)).get()?.name;
  return buildFeedIcs(listFeedSessions(deps, teamId), deps.clock.now(), name ? `Peerloop sessions (${name})` : 'Peerloop sessions');
}

/** One session's file for a token, or undefined when the token or the session is unknown. */
export function buildSessionIcsForToken(deps: ServiceDeps, token: string, number: number): string | undefined {
  const teamId = findTeamByCalendarToken(deps, token);
  if (teamId === undefined) return undefined;
  const session = getCalendarSession(deps, teamId, number);
  if (session === undefined) return undefined;
  return buildSessionIcs(session, deps.clock.now());
}
