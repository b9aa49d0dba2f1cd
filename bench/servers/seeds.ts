import type Database from 'better-sqlite3';
import { FORMAT_IDS } from '../../src/services/formats.js';
import { REMINDER_KIND, reminderKey, type ReminderPayload } from '../../src/services/reminders.js';
import { DEFAULT_SETTINGS } from '../../src/services/workspace-settings.js';

/**
 * Database fillers run in the Peerloop child before it starts listening, chosen with
 * `--seed <name>`. Plain SQL on the tables of src/db/schema.ts, in one transaction, so 100k rows
 * take about a second rather than minutes through the services.
 */
export type Seed = (sqlite: Database.Database, now: number) => void;

/** The workspace every benchmark request comes from (test/support/payloads.ts defaults). */
export const BENCH_TEAM = 'T0TEST';
export const SEEDED_SESSIONS = 10_000;
export const PARTICIPANTS_PER_SESSION = 10;
/** People in the seeded workspace; participants are drawn from them. */
export const SEEDED_PEOPLE = 2_000;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Sessions numbered above this start in the future; every 50th one is cancelled. */
export const FIRST_UPCOMING_SESSION = SEEDED_SESSIONS / 2 + 1;

/** Where every seeded session is announced, and its card's ts (the seed writes both). */
export const SEEDED_CHANNEL = 'C0GENERAL';
export function seededAnnouncementTs(n: number): string {
  return `1700000000.${String(n).padStart(6, '0')}`;
}

export function seededUserId(i: number): string {
  return `U0SEED${String(i).padStart(5, '0')}`;
}

/**
 * Issue 3's load: 10,000 sessions (half past, half in the next 180 days, so the 14-day window of
 * `/peer list` holds a few hundred) and 100,000 participant rows, in the bench workspace, with
 * the pending reminder jobs the app keeps for every seated participant of an upcoming session
 * (as it would have after people joined through it; without them the first join of each seeded
 * session would also backfill its whole session's reminders, which no real join does).
 */
function seedSessions(sqlite: Database.Database, now: number): void {
  const insertWorkspace = sqlite.prepare(
    `insert into workspaces (team_id, name, time_zone, settings, next_session_number, created_at, updated_at)
     values (?, 'bench', 'UTC', '{}', ?, ?, ?)
     on conflict (team_id) do update set next_session_number = excluded.next_session_number`,
  );
  const insertMember = sqlite.prepare(
    `insert or ignore into members (team_id, user_id, name, time_zone, first_seen_at, profile_fetched_at) values (?, ?, ?, 'UTC', ?, ?)`,
  );
  const insertSession = sqlite.prepare(
    `insert into sessions (team_id, number, title, format, topic, host_id, creator_id, starts_at, duration_min, capacity,
       channel_id, announcement_ts, agenda, status, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, 60, ?, ?, ?, 'Intro, practice, questions', ?, ?, ?)`,
  );
  const insertParticipant = sqlite.prepare(
    `insert into participants (team_id, session_number, user_id, role, joined_at) values (?, ?, ?, ?, ?)`,
  );
  const insertJob = sqlite.prepare(
    `insert into jobs (team_id, kind, key, payload, run_at, status, attempts, created_at, updated_at) values (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
  );
  const remind = (sessionNumber: number, userId: string, startsAt: number): void => {
    for (const leadMinutes of DEFAULT_SETTINGS.reminderLeadMinutes) {
      const runAt = startsAt - leadMinutes * 60_000;
      if (runAt < now) continue;
      const payload: ReminderPayload = { sessionNumber, userId, leadMinutes, startsAt };
      insertJob.run(BENCH_TEAM, REMINDER_KIND, reminderKey(payload), JSON.stringify(payload), runAt, now, now);
    }
  };
  sqlite.transaction(() => {
    insertWorkspace.run(BENCH_TEAM, SEEDED_SESSIONS + 1, now, now);
    for (let p = 0; p < SEEDED_PEOPLE; p++) insertMember.run(BENCH_TEAM, seededUserId(p), `person ${p}`, now, now);
    for (let n = 1; n <= SEEDED_SESSIONS; n++) {
      // Spread evenly over [-180, +180) days, on whole quarter hours.
      const offset = Math.round(((n / SEEDED_SESSIONS) * 360 - 180) * 96) * (DAY_MS / 96);
      const startsAt = now + offset;
      const host = (n * 7) % SEEDED_PEOPLE;
      const status = n % 50 === 0 ? 'cancelled' : 'scheduled';
      insertSession.run(BENCH_TEAM, n, `Session ${n}`, FORMAT_IDS[n % FORMAT_IDS.length], `topic ${n % 40}`, seededUserId(host), seededUserId(host), startsAt, n % 3 === 0 ? 20 : null, SEEDED_CHANNEL, seededAnnouncementTs(n), status, now, now);
      insertParticipant.run(BENCH_TEAM, n, seededUserId(host), 'host', now);
      // At most 10 people per session and capacity 20 or none: everyone has a seat.
      if (status === 'scheduled') remind(n, seededUserId(host), startsAt);
      for (let k = 1; k < PARTICIPANTS_PER_SESSION; k++) {
        const attendee = seededUserId((host + k * 131) % SEEDED_PEOPLE);
        insertParticipant.run(BENCH_TEAM, n, attendee, 'attendee', now);
        if (status === 'scheduled') remind(n, attendee, startsAt);
      }
    }
  })();
  sqlite.pragma('optimize');
}

export const SEEDS: Record<string, Seed> = {
  'sessions-10k': seedSessions,
};
