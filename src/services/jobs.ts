import type Database from 'better-sqlite3';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { jobs } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { ServiceDeps } from './context.js';

/**
 * The durable half of "sending, once": every scheduled message is a row in `jobs` with an
 * idempotency key unique per workspace. The queries here are plain prepared statements on the
 * underlying SQLite handle (cached per connection) because the claim needs one atomic
 * UPDATE ... RETURNING and the tick runs them thousands of times per pass.
 */

export const JobStatus = z.enum(['pending', 'running', 'done', 'failed', 'skipped', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatus>;

export interface Job {
  id: number;
  teamId: string;
  kind: string;
  key: string;
  /** Parsed JSON; validated with its kind's schema (defineJobKind) before a registered handler runs (jobs/registry.ts). */
  payload: unknown;
  runAt: number;
  status: JobStatus;
  attempts: number;
  leaseUntil: number | null;
  lastError: string | null;
  result: string | null;
  /** The process holding it while running (or that held it last); null before its first claim. */
  owner: string | null;
  /** When the claim that holds it (or held it last) took it. */
  claimedAt: number | null;
  /**
   * Non-null when an earlier attempt may have reached Slack without its result being recorded:
   * this attempt first looks for what it would post, posted since then (slack/send-attempt.ts).
   */
  verifySince: number | null;
}

export interface ScheduleJobInput {
  teamId: string;
  kind: string;
  key: string;
  runAt: number;
  payload?: Record<string, unknown>;
  /** Skip reasons (as recorded by the handler) after which this key may be scheduled again. */
  reviveSkipped?: readonly string[];
}

/**
 * Every kind of job. A kind is defined where it is planned (defineJobKind in its service: name,
 * payload schema, key) and handled in jobs/registry.ts, whose table is typed over this list: a
 * name here without a handler there does not compile.
 */
export const JOB_KIND_NAMES = [
  'reminder',
  'weekly',
  'poll_open',
  'poll_close',
  'session_notice',
  'session_invite',
  'session_end',
  'attendance_ask',
  'session_announce',
  'teach_confirm',
  'match_round',
  'match_intro',
  'match_checkin',
  'match_summary',
  'match_notice',
  'digest',
  'digest_notice',
] as const;
export type JobKindName = (typeof JOB_KIND_NAMES)[number];

// Each kind registers its payload schema once (at import), so a bad payload fails when it is
// scheduled, where the bug is, rather than minutes later in the tick.
const payloadSchemas = new Map<string, z.ZodType>();

export interface JobKind<N extends JobKindName = JobKindName, P = unknown, K = P> {
  kind: N;
  /** The idempotency key of one job of this kind (unique per workspace: see scheduleJob). */
  key(args: K): string;
  /** Validates a stored payload; throws AppError('invalid_input') when it does not fit. */
  parse(payload: unknown): P;
}

/** A kind of job: its name, the schema of its payload and how its key is made. */
export function defineJobKind<N extends JobKindName, S extends z.ZodType, K = z.infer<S>>(spec: { kind: N; payload: S; key: (args: K) => string }): JobKind<N, z.infer<S>, K> {
  const { kind, payload: schema } = spec;
  payloadSchemas.set(kind, schema);
  return {
    kind,
    key: spec.key,
    parse(payload) {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw new AppError('invalid_input', `job payload for ${kind} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return parsed.data;
    },
  };
}

interface Statements {
  claim: Database.Statement;
  claimTeams: Database.Statement;
  complete: Database.Statement;
  fail: Database.Statement;
  skip: Database.Statement;
  retry: Database.Statement;
  release: Database.Statement;
  postpone: Database.Statement;
  byKey: Database.Statement;
  upsert: Database.Statement;
  listKeys: Database.Statement;
  existingKeys: Database.Statement;
  prune: Database.Statement;
  cancelPending: Database.Statement;
  held: Database.Statement;
  renew: Database.Statement;
  expired: Database.Statement;
}

const statementCache = new WeakMap<Database.Database, Statements>();

/**
 * The better-sqlite3 connection behind a drizzle database or transaction (drizzle keeps it on
 * `$client`, and a transaction only on its session; its types say neither). Statements run on
 * it inside a drizzle transaction take part in that transaction: better-sqlite3 transactions
 * belong to the connection.
 */
export function sqliteOf(deps: ServiceDeps): Database.Database {
  const db = deps.db as typeof deps.db & { $client?: Database.Database; session?: { client?: Database.Database } };
  const client = db.$client ?? db.session?.client;
  if (client === undefined) throw new Error('no better-sqlite3 connection behind this database');
  return client;
}

function statements(deps: ServiceDeps): Statements {
  const sqlite = sqliteOf(deps);
  const cached = statementCache.get(sqlite);
  if (cached !== undefined) return cached;
  const made: Statements = {
    // One statement: SQLite takes the write lock for the whole UPDATE, so two processes on one
    // file can never both flip the same row to running. A running row whose lease has run out
    // belonged to a process that died (a live one's heartbeat keeps moving its leases on); it is
    // taken over first, and marked for verification (SET reads the row as it was: a row that was
    // running may have reached Slack). Two ordered halves (not one OR) so each walks
    // jobs_due_idx (status, run_at) in order and stops at the limit, instead of sorting every due row.
    claim: sqlite.prepare(
      `UPDATE jobs SET status = 'running', lease_until = ?, attempts = attempts + 1, updated_at = ?,
         verify_since = CASE WHEN status = 'running' THEN coalesce(verify_since, claimed_at, updated_at) ELSE verify_since END,
         owner = ?, claimed_at = ?
       WHERE id IN (
         SELECT id FROM (
           SELECT id FROM jobs WHERE status = 'running' AND lease_until < ? AND team_id NOT IN (SELECT value FROM json_each(?))
           ORDER BY lease_until LIMIT ?
         )
         UNION ALL
         SELECT id FROM (
           SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ? AND team_id NOT IN (SELECT value FROM json_each(?))
           ORDER BY run_at LIMIT ?
         )
         LIMIT ?
       ) RETURNING *`,
    ),
    // The same single-UPDATE claim, limited to some workspaces' pending due rows: a kick after a
    // write (scheduler.kick) sends what that write planned without draining everyone's backlog.
    // Taking over expired leases stays the tick's job.
    claimTeams: sqlite.prepare(
      `UPDATE jobs SET status = 'running', lease_until = ?, attempts = attempts + 1, updated_at = ?, owner = ?, claimed_at = ?
       WHERE id IN (
         SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ?
           AND team_id IN (SELECT value FROM json_each(?)) AND team_id NOT IN (SELECT value FROM json_each(?))
         ORDER BY run_at LIMIT ?
       ) RETURNING *`,
    ),
    complete: sqlite.prepare(`UPDATE jobs SET status = 'done', result = ?, last_error = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'running' AND owner IS ? AND claimed_at IS ?`),
    fail: sqlite.prepare(`UPDATE jobs SET status = 'failed', last_error = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'running' AND owner IS ? AND claimed_at IS ?`),
    skip: sqlite.prepare(`UPDATE jobs SET status = 'skipped', result = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'running' AND owner IS ? AND claimed_at IS ?`),
    retry: sqlite.prepare(
      `UPDATE jobs SET status = 'pending', run_at = ?, last_error = ?, lease_until = NULL, attempts = attempts - ?, updated_at = ?,
         verify_since = CASE WHEN ? THEN coalesce(verify_since, claimed_at, updated_at) ELSE verify_since END
       WHERE id = ? AND status = 'running' AND owner IS ? AND claimed_at IS ?`,
    ),
    release: sqlite.prepare(`UPDATE jobs SET status = 'pending', lease_until = NULL, attempts = attempts - 1, updated_at = ? WHERE id = ? AND status = 'running' AND owner IS ? AND claimed_at IS ?`),
    postpone: sqlite.prepare(
      `UPDATE jobs SET status = 'pending', run_at = ?, result = ?, lease_until = NULL, attempts = attempts - 1, updated_at = ? WHERE id = ? AND status = 'running' AND owner IS ? AND claimed_at IS ?`,
    ),
    // Run on every join, leave and edit (syncSessionReminders): prepared once, not built each time.
    listKeys: sqlite.prepare(LIST_KEYS_SQL),
    // Every tick, per workspace (the weekly planner).
    existingKeys: sqlite.prepare(EXISTING_KEYS_SQL),
    prune: sqlite.prepare(PRUNE_SQL),
    cancelPending: sqlite.prepare(CANCEL_PENDING_SQL),
    byKey: sqlite.prepare(`SELECT * FROM jobs WHERE team_id = ? AND key = ?`),
    // Before a post of a job late in its lease: the claim still holds it and the lease has not run
    // out (so no other process can have taken it), and then the lease is renewed, in one statement.
    held: sqlite.prepare(`UPDATE jobs SET lease_until = ? WHERE id = ? AND status = 'running' AND owner IS ? AND claimed_at IS ? AND lease_until > ?`),
    // The heartbeat: a live process moves the leases of everything it holds on.
    renew: sqlite.prepare(`UPDATE jobs SET lease_until = ? WHERE status = 'running' AND owner = ? AND id IN (SELECT value FROM json_each(?))`),
    // Whether a dead process left running jobs behind (the heartbeat's check).
    expired: sqlite.prepare(`SELECT 1 FROM jobs WHERE status = 'running' AND lease_until < ? LIMIT 1`).pluck(),
    // Insert, or revive a row that was cancelled (or skipped for one of the reasons given as a
    // JSON array); any other existing row is left alone and the statement reports no change.
    upsert: sqlite.prepare(
      `INSERT INTO jobs (team_id, kind, key, payload, run_at, status, attempts, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)
       ON CONFLICT (team_id, key) DO UPDATE SET kind = excluded.kind, payload = excluded.payload, run_at = excluded.run_at,
         status = 'pending', attempts = 0, lease_until = NULL, last_error = NULL, result = NULL, updated_at = excluded.updated_at,
         owner = NULL, claimed_at = NULL, verify_since = NULL
       WHERE jobs.status = 'cancelled'
          OR (jobs.status = 'skipped' AND json_extract(jobs.result, '$.reason') IN (SELECT value FROM json_each(?)))`,
    ),
  };
  statementCache.set(sqlite, made);
  return made;
}

interface JobRow {
  id: number;
  team_id: string;
  kind: string;
  key: string;
  payload: string;
  run_at: number;
  status: JobStatus;
  attempts: number;
  lease_until: number | null;
  last_error: string | null;
  result: string | null;
  owner: string | null;
  claimed_at: number | null;
  verify_since: number | null;
}

function toJob(row: JobRow): Job {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    payload = undefined;
  }
  return {
    id: row.id,
    teamId: row.team_id,
    kind: row.kind,
    key: row.key,
    payload,
    runAt: row.run_at,
    status: row.status,
    attempts: row.attempts,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    result: row.result,
    owner: row.owner,
    claimedAt: row.claimed_at,
    verifySince: row.verify_since,
  };
}

/**
 * Creates a pending job, or revives one that never sent anything. A known key is otherwise a
 * no-op (pending, running, done and failed rows are left exactly as they are: a done or failed
 * job may have reached Slack, so it is never run twice). Revived, with the new run_at, payload
 * and a fresh attempt count:
 * - a `cancelled` job: someone left and joined again, or a session moved away and back;
 * - a `skipped` job whose recorded reason is in `reviveSkipped` (the caller says which of its
 *   kind's skip reasons mean "not sent, may be due again", e.g. a reminder skipped because the
 *   person had left). Other skips stay skipped, so a planner that schedules the same key on
 *   every tick cannot loop a job through skip -> pending -> skip.
 * Returns whether a row was added or revived. Runs the cached upsert statement on the
 * connection behind deps.db (sqliteOf), so it also works on the transaction handle that
 * sessions.ts passes in: better-sqlite3 transactions are on the connection, not the handle.
 */
export function scheduleJob(deps: ServiceDeps, input: ScheduleJobInput): boolean {
  const payload = input.payload ?? {};
  const schema = payloadSchemas.get(input.kind);
  if (schema !== undefined) {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new AppError('invalid_input', `job payload for ${input.kind} is invalid: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  const now = deps.clock.now();
  // Prepared once per database: joins call this inside their transaction, often several times.
  const res = statements(deps).upsert.run(input.teamId, input.kind, input.key, JSON.stringify(payload), input.runAt, now, now, JSON.stringify(input.reviveSkipped ?? []));
  return res.changes === 1;
}

/** Moves a still-pending job to a new time. Returns whether it was pending. */
export function rescheduleJob(deps: ServiceDeps, teamId: string, key: string, runAt: number): boolean {
  const res = deps.db
    .update(jobs)
    .set({ runAt, updatedAt: deps.clock.now() })
    .where(and(eq(jobs.teamId, teamId), eq(jobs.key, key), eq(jobs.status, 'pending')))
    .run();
  return res.changes === 1;
}

/**
 * Cancels every pending job whose key starts with `keyPrefix` (e.g. `reminder:42:`), except
 * the keys in `keep`. Jobs already running, done or failed are left alone. Returns how many.
 */
export function cancelPendingJobs(deps: ServiceDeps, teamId: string, keyPrefix: string, options: { keep?: readonly string[]; reason?: string } = {}): number {
  const { params } = cancelPendingJobsStatement(teamId, keyPrefix, JSON.stringify({ reason: options.reason ?? 'cancelled' }), deps.clock.now(), options.keep ?? []);
  return statements(deps).cancelPending.run(...params).changes;
}

/**
 * Cancels by key range (see keyBounds), keeping the listed keys. `status = 'pending'` is written
 * so SQLite cannot use it for an index (the unary +): next to a key prefix it only filters the
 * rows found through (team_id, key), a handful per session. SQLite picks that index today anyway;
 * the + keeps it so whatever ANALYZE later says about how rare 'pending' is, so the query never
 * walks jobs_due_idx (every workspace's pending jobs).
 */
const CANCEL_PENDING_SQL = `UPDATE jobs SET status = 'cancelled', result = ?, updated_at = ?
  WHERE team_id = ? AND +status = 'pending' AND key >= ? AND key < ? AND key NOT IN (SELECT value FROM json_each(?))`;
const LIST_KEYS_SQL = `SELECT key, status FROM jobs WHERE team_id = ? AND key >= ? AND key < ?`;

/** What cancelPendingJobs runs, with its parameters; exported so a test can EXPLAIN the plan SQLite picks. */
export function cancelPendingJobsStatement(teamId: string, keyPrefix: string, result: string, now: number, keep: readonly string[]) {
  const [lower, upper] = keyBounds(keyPrefix);
  return { sql: CANCEL_PENDING_SQL, params: [result, now, teamId, lower, upper, JSON.stringify(keep)] as const };
}

/** What listJobKeys runs, with its parameters; exported so a test can EXPLAIN it. */
export function listJobKeysStatement(teamId: string, keyPrefix: string) {
  const [lower, upper] = keyBounds(keyPrefix);
  return { sql: LIST_KEYS_SQL, params: [teamId, lower, upper] as const };
}

/**
 * Keys starting with `prefix` as a range on the (team_id, key) unique index, so a join reads
 * one session's few rows instead of scanning the workspace (not substr() or LIKE, which the
 * index cannot serve; with LIKE `_` and `%` in a key would also be wildcards). The upper bound
 * is the prefix with its last character bumped; SQLite compares text as UTF-8 bytes, which for
 * characters below the surrogates is code point order. A prefix ending in any other character
 * gets `prefix || U+10FFFF` (the largest code point) as the bound instead.
 */
function keyBounds(prefix: string): [lower: string, upper: string] {
  if (prefix === '') throw new AppError('invalid_input', 'a job key prefix cannot be empty');
  const last = prefix.charCodeAt(prefix.length - 1);
  const upper = last < 0xd7ff ? prefix.slice(0, -1) + String.fromCharCode(last + 1) : `${prefix}\u{10FFFF}`;
  return [prefix, upper];
}

const EXISTING_KEYS_SQL = `SELECT key FROM jobs WHERE team_id = ? AND key IN (SELECT value FROM json_each(?))`;

/** What existingJobKeys runs, with its parameters; exported so a test can EXPLAIN it. */
export function existingJobKeysStatement(teamId: string, keys: readonly string[]) {
  return { sql: EXISTING_KEYS_SQL, params: [teamId, JSON.stringify(keys)] as const };
}

/**
 * Which of `keys` already exist (any status). One seek per key on the (team_id, key) index, so
 * a planner that runs every tick reads as many rows as it has candidates, never the workspace's
 * whole job history.
 */
export function existingJobKeys(deps: ServiceDeps, teamId: string, keys: readonly string[]): Set<string> {
  if (keys.length === 0) return new Set();
  const rows = statements(deps).existingKeys.all(...existingJobKeysStatement(teamId, keys).params) as { key: string }[];
  return new Set(rows.map((r) => r.key));
}

/** Keys (any status) that start with `keyPrefix`, with their status. */
export function listJobKeys(deps: ServiceDeps, teamId: string, keyPrefix: string): { key: string; status: JobStatus }[] {
  return statements(deps).listKeys.all(...listJobKeysStatement(teamId, keyPrefix).params) as { key: string; status: JobStatus }[];
}

export function getJob(deps: ServiceDeps, teamId: string, key: string): Job | undefined {
  const row = statements(deps).byKey.get(teamId, key) as JobRow | undefined;
  return row === undefined ? undefined : toJob(row);
}

/**
 * Atomically takes up to `limit` due jobs (pending with run_at <= now, or running with an
 * expired lease: its process died) for `owner`, leased until now + leaseMs; the owner's
 * heartbeat moves the lease on while it runs (renewLeases). `owner` and the claim time name the
 * claim (see the finishing verbs). `skipTeams`: workspaces the current pass already found paced
 * out, so their jobs are not claimed only to be put back. `onlyTeams`: claim only these
 * workspaces' pending due jobs (a kick; see scheduler.kick).
 */
export function claimDueJobs(
  deps: ServiceDeps,
  limit: number,
  leaseMs: number,
  owner: string,
  skipTeams: readonly string[] = [],
  onlyTeams?: readonly string[],
): Job[] {
  const now = deps.clock.now();
  const skip = JSON.stringify(skipTeams);
  const rows = (
    onlyTeams === undefined
      ? statements(deps).claim.all(now + leaseMs, now, owner, now, now, skip, limit, now, skip, limit, limit)
      : statements(deps).claimTeams.all(now + leaseMs, now, owner, now, now, JSON.stringify(onlyTeams), skip, limit)
  ) as JobRow[];
  if (rows.length > 0) deps.logger.debug({ owner, count: rows.length }, 'claimed due jobs');
  // RETURNING gives rows in no promised order; run the oldest first.
  return rows.map(toJob).sort((a, b) => a.runAt - b.runAt || a.id - b.id);
}

/**
 * The finishing verbs below take the claimed job and only touch the row while this claim still
 * holds it (same owner, same claim time): if the lease ran out and another process took the job
 * over, a late finish from the first one changes nothing. Each returns whether it did.
 */
export type ClaimedJob = Pick<Job, 'id' | 'owner' | 'claimedAt'>;

export function completeJob(deps: ServiceDeps, job: ClaimedJob, result: Record<string, unknown> = {}): boolean {
  return statements(deps).complete.run(JSON.stringify(result), deps.clock.now(), job.id, job.owner, job.claimedAt).changes === 1;
}

/**
 * completeJob for many jobs in one transaction (one commit instead of one per job: the commit is
 * most of a completion's cost). Returns, per job, whether its claim still held it.
 */
export function completeJobs(deps: ServiceDeps, done: readonly { job: ClaimedJob; result?: Record<string, unknown> }[]): boolean[] {
  const sqlite = sqliteOf(deps);
  const { complete } = statements(deps);
  const now = deps.clock.now();
  return sqlite.transaction(() => done.map(({ job, result }) => complete.run(JSON.stringify(result ?? {}), now, job.id, job.owner, job.claimedAt).changes === 1))();
}

export function failJob(deps: ServiceDeps, job: ClaimedJob, error: string): boolean {
  return statements(deps).fail.run(error, deps.clock.now(), job.id, job.owner, job.claimedAt).changes === 1;
}

export function skipJob(deps: ServiceDeps, job: ClaimedJob, reason: string): boolean {
  return statements(deps).skip.run(JSON.stringify({ reason }), deps.clock.now(), job.id, job.owner, job.claimedAt).changes === 1;
}

/**
 * Puts a running job back to pending for `runAt`. `countAttempt: false` (429s, pacing) gives
 * the attempt back, so waiting for Slack never uses up the failure budget. `mayHaveSent`: this
 * attempt's post may have reached Slack (it timed out, or Slack answered 5xx), so the next
 * attempt verifies before posting.
 */
export function retryJobLater(deps: ServiceDeps, job: ClaimedJob, runAt: number, error: string, options: { countAttempt: boolean; mayHaveSent?: boolean }): boolean {
  const verify = options.mayHaveSent === true ? 1 : 0;
  return statements(deps).retry.run(runAt, error, options.countAttempt ? 0 : 1, deps.clock.now(), verify, job.id, job.owner, job.claimedAt).changes === 1;
}

/**
 * A post (or a file's share) of a job starts only with at least this much of its lease left. A
 * Slack call gives up after 10 s (messenger SLACK_CALL_TIMEOUT_MS), so a post that started is
 * over before the lease can run out and another process can take the job over and look for it.
 */
export const POST_FENCE_MS = 12_000;

/**
 * Before a post: if this claim still holds the job and its lease has not run out, renews the
 * lease (to now + leaseMs, more than POST_FENCE_MS) and returns true. False: the lease ran out
 * (this process missed its heartbeats) and another process may take the job over or has: nothing
 * may be posted.
 */
export function keepHeldJob(deps: ServiceDeps, job: ClaimedJob, leaseMs: number): boolean {
  const now = deps.clock.now();
  return statements(deps).held.run(now + leaseMs, job.id, job.owner, job.claimedAt, now).changes === 1;
}

/**
 * The heartbeat: the jobs `owner` is running (`ids`: only those it is really working on, so a row
 * it has lost track of lapses and is taken over) stay its own for another `leaseMs`. Returns how many.
 */
export function renewLeases(deps: ServiceDeps, owner: string, ids: readonly number[], leaseMs: number): number {
  if (ids.length === 0) return 0;
  return statements(deps).renew.run(deps.clock.now() + leaseMs, owner, JSON.stringify(ids)).changes;
}

/** Whether a running job's lease has run out (its process stopped beating: it died). */
export function hasExpiredLeases(deps: ServiceDeps): boolean {
  return statements(deps).expired.get(deps.clock.now()) !== undefined;
}

/**
 * Puts a running job back to pending for a later `runAt` because its handler found it is not due
 * yet. Not a failure, so the attempt is given back; why, and the run_at it had, are recorded in
 * `result` (overwritten when it finishes), so a moved job can be told from one never tried.
 */
export function postponeJob(deps: ServiceDeps, job: ClaimedJob & Pick<Job, 'runAt'>, runAt: number, reason: string): boolean {
  const result = JSON.stringify({ rescheduled: reason, from: job.runAt });
  return statements(deps).postpone.run(runAt, result, deps.clock.now(), job.id, job.owner, job.claimedAt).changes === 1;
}

/** Hands a claimed job that was never started back (shutdown between claim and run). */
export function releaseJob(deps: ServiceDeps, job: ClaimedJob): boolean {
  return statements(deps).release.run(deps.clock.now(), job.id, job.owner, job.claimedAt).changes === 1;
}

/** Finished jobs are kept this long after they last changed, then deleted by the tick. */
export const JOB_RETENTION_MS = 30 * 24 * 60 * 60_000;
/** Rows one retention pass deletes at most: one short write transaction per tick, however large the backlog. */
export const PRUNE_BATCH_MAX = 5_000;

/**
 * Finished (done, skipped, cancelled, failed) and untouched for the retention period. `run_at`
 * is bounded too, so the walk is a range on the old end of jobs_due_idx (status, run_at) instead
 * of every finished row: a claimed job finishes after its run_at, so this only holds back
 * cancelled rows that were due further ahead (until that time is past the cutoff as well).
 * A job about a session (payload.sessionNumber) is kept while the session has not ended: the
 * notice checks read those rows (hasNewer: a newer notice that went out supersedes an older one;
 * a promotion numbers its round after the earlier ones), and nothing can change a session once
 * it has ended. INDEXED BY: once ANALYZE has seen that nearly every row is finished, SQLite
 * would rather scan the table, which with nothing old left to delete (the usual case) reads every
 * row on every tick. Every other re-planning path was checked to need no finished row 30 days old:
 * reminders and polls are never planned for a time already past, and the weekly planner plans
 * only the coming week (the week in progress, planned after downtime, has rows days old at most).
 */
const PRUNE_SQL = `DELETE FROM jobs WHERE id IN (
  SELECT j.id FROM jobs j INDEXED BY jobs_due_idx
  WHERE j.status IN ('done', 'skipped', 'cancelled', 'failed') AND j.run_at < ? AND j.updated_at < ?
    AND NOT EXISTS (
      SELECT 1 FROM sessions s WHERE s.team_id = j.team_id AND s.number = json_extract(j.payload, '$.sessionNumber')
        AND s.starts_at + s.duration_min * 60000 > ?)
  LIMIT ?)`;

/** What pruneFinishedJobs runs, with its parameters; exported so a test can EXPLAIN it. */
export function pruneFinishedJobsStatement(now: number, retentionMs: number, limit: number) {
  const cutoff = now - retentionMs;
  return { sql: PRUNE_SQL, params: [cutoff, cutoff, now, limit] as const };
}

/**
 * The retention pass: deletes up to `limit` finished jobs older than `retentionMs` (see PRUNE_SQL
 * for what is kept). Returns how many; the tick calls it once per pass, so a large backlog is
 * worked off a batch a minute without holding the write lock for long.
 */
export function pruneFinishedJobs(deps: ServiceDeps, options: { retentionMs?: number; limit?: number } = {}): number {
  const { params } = pruneFinishedJobsStatement(deps.clock.now(), options.retentionMs ?? JOB_RETENTION_MS, options.limit ?? PRUNE_BATCH_MAX);
  return statements(deps).prune.run(...params).changes;
}

/** Counts by status, for logs, tests and the benchmark. */
export function countJobs(deps: ServiceDeps, teamId?: string): Record<JobStatus, number> {
  const sqlite = sqliteOf(deps);
  const rows = (
    teamId === undefined
      ? sqlite.prepare(`SELECT status, count(*) AS n FROM jobs GROUP BY status`).all()
      : sqlite.prepare(`SELECT status, count(*) AS n FROM jobs WHERE team_id = ? GROUP BY status`).all(teamId)
  ) as { status: JobStatus; n: number }[];
  const counts: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, failed: 0, skipped: 0, cancelled: 0 };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
