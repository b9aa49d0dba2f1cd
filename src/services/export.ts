import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { members, memberSkills, participants, pollVotes, sessions, skills } from '../db/schema.js';
import type { ServiceDeps } from './context.js';
import { CSV_BOM, csvLines, type CsvValue } from './csv.js';
import type { ExportRange } from './export-range.js';
import { formatLabel } from './formats.js';
import { MIN_VOTES_FOR_AVERAGE } from './polls.js';
import { sessionEndsAt } from './session-model.js';
import { createLocalStamps, type LocalStamps } from './time.js';

/**
 * `/peer export`: a workspace's sessions, attendance, poll votes and learned skills in a date
 * range, as four CSV files (one table each, so every file opens as a plain sheet with its own
 * columns, ready to filter or pivot). Every query names the workspace.
 *
 * Votes: the poll tells voters "votes are anonymous", so a vote carries its author's id, name,
 * time and comment only when they ticked "include my comment and rating, with my name, in admin
 * exports" (poll_votes.comment_shared). Other votes are rows with the rating alone, and only for
 * sessions with at least MIN_VOTES_FOR_AVERAGE votes: the channel's own rule, so no single
 * answer of a small session can be read off the file.
 *
 * Size: the work goes in chunks of sessions (and of learned skills) with a turn of the event
 * loop between chunks, so a two-year export of a large workspace never holds the app for long;
 * only the CSV bytes are kept, never every row object at once.
 */

export const EXPORT_TABLES = ['sessions', 'attendance', 'votes', 'competencies'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

/** Each file's columns, in order. Local times are in the workspace's zone (sessions.csv's time_zone column names it). */
export const EXPORT_COLUMNS: Record<ExportTable, readonly string[]> = {
  sessions: [
    'session',
    'title',
    'format',
    'topic',
    'agenda',
    'link',
    'host_id',
    'host_name',
    'start_local',
    'start_utc',
    'time_zone',
    'duration_min',
    'channel_id',
    'status',
    'cancel_reason',
    'capacity',
    'seated',
    'waitlisted',
  ],
  attendance: ['session', 'session_title', 'user_id', 'name', 'role', 'joined_local', 'left_local', 'waitlisted', 'attended'],
  votes: ['session', 'session_title', 'user_id', 'name', 'rating', 'voted_local', 'comment'],
  competencies: ['user_id', 'name', 'skill', 'started_local', 'completed_local', 'days', 'taught_by_id', 'taught_by_name', 'teacher_confirmed'],
};

export interface ExportFile {
  table: ExportTable;
  filename: string;
  /** UTF-8 with a byte order mark, header first. */
  content: Buffer;
  /** Data rows (the header not counted). */
  rows: number;
}

export interface ExportResult {
  range: ExportRange;
  files: ExportFile[];
  counts: Record<ExportTable, number>;
  /** True when the range holds no session and no learned skill (the files would be headers only). */
  empty: boolean;
}

export interface ExportOptions {
  /** Sessions read and written per turn of the event loop (learned skills: five times as many). */
  chunkSize?: number;
}

// 100 sessions are about 1,000 attendance rows: tens of milliseconds of work between two turns
// of the event loop (bench/export.ts measures it).
const DEFAULT_CHUNK = 100;
const DAY_MS = 86_400_000;

/** Lets other requests run between chunks: better-sqlite3 and csv-stringify's sync API never yield on their own. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One file being written: its UTF-8 bytes chunk by chunk (off the JS heap, joined once at the end), and how many rows. */
class FileBuilder {
  private readonly parts: Buffer[];
  rows = 0;
  constructor(readonly table: ExportTable) {
    this.parts = [Buffer.from(CSV_BOM + csvLines([EXPORT_COLUMNS[table]]), 'utf8')];
  }
  add(rows: CsvValue[][]): void {
    if (rows.length === 0) return;
    this.parts.push(Buffer.from(csvLines(rows), 'utf8'));
    this.rows += rows.length;
  }
  finish(range: ExportRange): ExportFile {
    return { table: this.table, filename: `peerloop-${this.table}-${range.fromYmd}-to-${range.toYmd}.csv`, content: Buffer.concat(this.parts), rows: this.rows };
  }
}

/** Sessions starting in the range, oldest first: numbers only (cheap), read in full chunk by chunk. */
function sessionNumbersInRange(deps: ServiceDeps, teamId: string, range: ExportRange): number[] {
  return deps.db
    .select({ number: sessions.number })
    .from(sessions)
    // Naming both statuses lets SQLite use sessions_team_start_idx (team, status, start) for the range.
    .where(and(eq(sessions.teamId, teamId), inArray(sessions.status, ['scheduled', 'cancelled']), gte(sessions.startsAt, range.startMs), lt(sessions.startsAt, range.endMs)))
    .orderBy(asc(sessions.startsAt), asc(sessions.number))
    .all()
    .map((r) => r.number);
}

function readSessionChunk(deps: ServiceDeps, teamId: string, numbers: number[]) {
  const sessionRows = deps.db
    .select({ session: sessions, hostName: members.name })
    .from(sessions)
    .leftJoin(members, and(eq(members.teamId, sessions.teamId), eq(members.userId, sessions.hostId)))
    .where(and(eq(sessions.teamId, teamId), inArray(sessions.number, numbers)))
    .all();
  // Flat columns, not whole rows: attendance is most of an export, and drizzle maps each field.
  const people = deps.db
    .select({
      sessionNumber: participants.sessionNumber,
      userId: participants.userId,
      role: participants.role,
      joinedAt: participants.joinedAt,
      leftAt: participants.leftAt,
      waitlisted: participants.waitlisted,
      attended: participants.attended,
      name: members.name,
    })
    .from(participants)
    .leftJoin(members, and(eq(members.teamId, participants.teamId), eq(members.userId, participants.userId)))
    .where(and(eq(participants.teamId, teamId), inArray(participants.sessionNumber, numbers)))
    // The primary key's order (no sort in SQL); each session's few rows are put in join order below.
    .orderBy(asc(participants.sessionNumber), asc(participants.userId))
    .all();
  const votes = deps.db
    .select({
      sessionNumber: pollVotes.sessionNumber,
      userId: pollVotes.userId,
      value: pollVotes.value,
      comment: pollVotes.comment,
      commentShared: pollVotes.commentShared,
      votedAt: pollVotes.votedAt,
      name: members.name,
    })
    .from(pollVotes)
    .leftJoin(members, and(eq(members.teamId, pollVotes.teamId), eq(members.userId, pollVotes.userId)))
    .where(and(eq(pollVotes.teamId, teamId), inArray(pollVotes.sessionNumber, numbers)))
    .orderBy(asc(pollVotes.sessionNumber), asc(pollVotes.value), asc(pollVotes.userId))
    .all();
  return { sessionRows, people, votes };
}

function groupBy<T>(rows: T[], key: (row: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list === undefined) map.set(k, [row]);
    else list.push(row);
  }
  return map;
}

type SessionChunk = ReturnType<typeof readSessionChunk>;

function sessionStatus(session: SessionChunk['sessionRows'][number]['session'], now: number): string {
  if (session.status === 'cancelled') return 'cancelled';
  return sessionEndsAt(session) <= now ? 'ended' : 'upcoming';
}

/** One chunk's rows of the three session files, in the order of `numbers` (start time). */
function sessionChunkRows(chunk: SessionChunk, numbers: number[], stamps: LocalStamps, zone: string, now: number) {
  const byNumber = new Map(chunk.sessionRows.map((r) => [r.session.number, r]));
  const peopleBySession = groupBy(chunk.people, (r) => r.sessionNumber);
  const votesBySession = groupBy(chunk.votes, (r) => r.sessionNumber);
  const sessionRows: CsvValue[][] = [];
  const attendanceRows: CsvValue[][] = [];
  const voteRows: CsvValue[][] = [];
  for (const number of numbers) {
    const row = byNumber.get(number);
    if (row === undefined) continue; // deleted between the two reads
    const s = row.session;
    const people = peopleBySession.get(number) ?? [];
    const present = people.filter((p) => p.leftAt === null && p.role === 'attendee');
    sessionRows.push([
      s.number,
      s.title,
      formatLabel(s.format),
      s.topic,
      s.agenda,
      s.link,
      s.hostId,
      row.hostName,
      stamps.dateTime(s.startsAt),
      new Date(s.startsAt).toISOString().replace('.000Z', 'Z'),
      zone,
      s.durationMin,
      s.channelId,
      sessionStatus(s, now),
      s.cancelReason,
      s.capacity,
      present.filter((p) => !p.waitlisted).length,
      present.filter((p) => p.waitlisted).length,
    ]);
    // The host first, then people in the order they joined.
    const ordered = [...people].sort((a, b) => (a.role === 'host' ? 0 : 1) - (b.role === 'host' ? 0 : 1) || a.joinedAt - b.joinedAt || (a.userId < b.userId ? -1 : 1));
    for (const p of ordered) {
      attendanceRows.push([
        number,
        s.title,
        p.userId,
        p.name,
        p.role,
        stamps.dateTime(p.joinedAt),
        p.leftAt === null ? null : stamps.dateTime(p.leftAt),
        p.waitlisted,
        p.attended,
      ]);
    }
    const votes = votesBySession.get(number) ?? [];
    const ratingsShown = votes.length >= MIN_VOTES_FOR_AVERAGE;
    // Named (shared) votes first; anonymous ones after, by rating, so their order says nothing about who.
    for (const v of [...votes.filter((x) => x.commentShared), ...votes.filter((x) => !x.commentShared)]) {
      voteRows.push(
        v.commentShared
          ? [number, s.title, v.userId, v.name, v.value, stamps.dateTime(v.votedAt), v.comment]
          : [number, s.title, null, null, ratingsShown ? v.value : null, null, null],
      );
    }
  }
  return { sessionRows, attendanceRows, voteRows };
}

const teachers = alias(members, 'teachers');

/** Skills marked learned in the range, oldest first (ids; read in full chunk by chunk). */
function competencyIdsInRange(deps: ServiceDeps, teamId: string, range: ExportRange): number[] {
  return deps.db
    .select({ id: memberSkills.id })
    .from(memberSkills)
    .where(and(eq(memberSkills.teamId, teamId), eq(memberSkills.kind, 'learn'), gte(memberSkills.completedAt, range.startMs), lt(memberSkills.completedAt, range.endMs)))
    .orderBy(asc(memberSkills.completedAt), asc(memberSkills.id))
    .all()
    .map((r) => r.id);
}

function competencyRows(deps: ServiceDeps, teamId: string, ids: number[], stamps: LocalStamps): CsvValue[][] {
  const rows = deps.db
    .select({ row: memberSkills, skill: skills.name, name: members.name, teacherName: teachers.name })
    .from(memberSkills)
    .innerJoin(skills, and(eq(skills.teamId, memberSkills.teamId), eq(skills.key, memberSkills.skillKey)))
    .leftJoin(members, and(eq(members.teamId, memberSkills.teamId), eq(members.userId, memberSkills.userId)))
    .leftJoin(teachers, and(eq(teachers.teamId, memberSkills.teamId), eq(teachers.userId, memberSkills.taughtBy)))
    .where(and(eq(memberSkills.teamId, teamId), inArray(memberSkills.id, ids)))
    .orderBy(asc(memberSkills.completedAt), asc(memberSkills.id))
    .all();
  return rows.map(({ row, skill, name, teacherName }) => {
    const started = stamps.date(row.startedAt);
    const completed = stamps.date(row.completedAt!);
    // Calendar days in the workspace's zone, as App Home counts them.
    const days = Math.max(0, Math.round((Date.parse(`${completed}T00:00:00Z`) - Date.parse(`${started}T00:00:00Z`)) / DAY_MS));
    return [
      row.userId,
      name,
      skill,
      started,
      completed,
      days,
      row.taughtBy,
      row.taughtBy === null ? null : teacherName,
      row.taughtBy === null ? null : row.taughtConfirmedAt !== null,
    ];
  });
}

/**
 * The four CSV files of a workspace's range. Async only to give the event loop a turn between
 * chunks; the reads are better-sqlite3's, so a chunk sees one consistent state (a session joined
 * between two chunks shows in whichever chunk reads it).
 */
export async function buildExport(deps: ServiceDeps, teamId: string, range: ExportRange, options: ExportOptions = {}): Promise<ExportResult> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const now = deps.clock.now();
  const stamps = createLocalStamps(range.zone);
  const files = { sessions: new FileBuilder('sessions'), attendance: new FileBuilder('attendance'), votes: new FileBuilder('votes'), competencies: new FileBuilder('competencies') };

  for (const numbers of chunks(sessionNumbersInRange(deps, teamId, range), chunkSize)) {
    const rows = sessionChunkRows(readSessionChunk(deps, teamId, numbers), numbers, stamps, range.zone, now);
    files.sessions.add(rows.sessionRows);
    files.attendance.add(rows.attendanceRows);
    files.votes.add(rows.voteRows);
    await nextTurn();
  }
  for (const ids of chunks(competencyIdsInRange(deps, teamId, range), chunkSize * 5)) {
    files.competencies.add(competencyRows(deps, teamId, ids, stamps));
    await nextTurn();
  }

  const counts = { sessions: files.sessions.rows, attendance: files.attendance.rows, votes: files.votes.rows, competencies: files.competencies.rows };
  return {
    range,
    files: EXPORT_TABLES.map((table) => files[table].finish(range)),
    counts,
    empty: counts.sessions === 0 && counts.competencies === 0,
  };
}
