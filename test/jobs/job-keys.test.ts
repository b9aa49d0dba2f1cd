import { beforeEach, describe, expect, it } from 'vitest';
import { workspaces } from '../../src/db/schema.js';
import { cancelPendingJobs, cancelPendingJobsStatement, existingJobKeys, existingJobKeysStatement, listJobKeys, listJobKeysStatement, pruneFinishedJobsStatement, scheduleJob } from '../../src/services/jobs.js';
import { serviceDeps } from '../../src/deps.js';
import { useTestApp } from '../support/use-test-app.js';
import { HOUR, jobByKey, jobRows, reasonOf, TEAM } from './support.js';

/**
 * The job-key rules the reminders rely on: a key can come back after it was cancelled (or
 * skipped unsent) but a key that may have reached Slack never runs again; and key-prefix
 * queries read one session's rows through the (team_id, key) index, not the whole workspace.
 */
const NOW = Date.UTC(2026, 10, 20, 9, 0);
const t = useTestApp({ planners: [], now: NOW, clearData: true });
const sdeps = () => serviceDeps(t.deps);
const job = (key: string, runAt: number, payload: Record<string, unknown> = {}) => ({ teamId: TEAM, kind: 'test-kind', key, runAt, payload });

beforeEach(() => {
  t.database.db.insert(workspaces).values({ teamId: TEAM, timeZone: 'UTC', createdAt: 0, updatedAt: 0 }).run();
});

function setStatus(key: string, status: string, result: Record<string, unknown> | null = null): void {
  t.database.sqlite.prepare(`UPDATE jobs SET status = ?, result = ?, attempts = 2, last_error = 'boom' WHERE key = ?`).run(status, result === null ? null : JSON.stringify(result), key);
}

describe('scheduleJob on a key it has seen', () => {
  it('revives a cancelled job: pending again with the new run_at and payload and a fresh attempt count', () => {
    expect(scheduleJob(sdeps(), job('k:1', NOW + HOUR, { v: 1 }))).toBe(true);
    expect(cancelPendingJobs(sdeps(), TEAM, 'k:')).toBe(1);
    t.database.sqlite.prepare(`UPDATE jobs SET attempts = 2 WHERE key = 'k:1'`).run();
    expect(scheduleJob(sdeps(), job('k:1', NOW + 2 * HOUR, { v: 2 }))).toBe(true);
    const row = jobByKey(t, 'k:1')!;
    expect(row).toMatchObject({ status: 'pending', runAt: NOW + 2 * HOUR, attempts: 0, result: null, lastError: null, leaseUntil: null });
    expect(JSON.parse(row.payload)).toEqual({ v: 2 });
    expect(jobRows(t)).toHaveLength(1);
  });

  it('revives a skipped job only when its recorded reason is one the caller names', () => {
    scheduleJob(sdeps(), job('k:left', NOW));
    scheduleJob(sdeps(), job('k:optout', NOW));
    setStatus('k:left', 'skipped', { reason: 'not_a_participant' });
    setStatus('k:optout', 'skipped', { reason: 'opted_out' });
    // Without reviveSkipped (what planners do every tick) a skipped job stays skipped.
    expect(scheduleJob(sdeps(), job('k:left', NOW + HOUR))).toBe(false);
    expect(jobByKey(t, 'k:left')!.status).toBe('skipped');

    expect(scheduleJob(sdeps(), { ...job('k:left', NOW + HOUR), reviveSkipped: ['not_a_participant'] })).toBe(true);
    expect(scheduleJob(sdeps(), { ...job('k:optout', NOW + HOUR), reviveSkipped: ['not_a_participant'] })).toBe(false);
    expect(jobByKey(t, 'k:left')).toMatchObject({ status: 'pending', runAt: NOW + HOUR, attempts: 0 });
    expect(jobByKey(t, 'k:optout')!.status).toBe('skipped');
    expect(reasonOf(jobByKey(t, 'k:optout'))).toBe('opted_out');
  });

  it.each(['done', 'running', 'failed'])('never revives a %s job (it may have reached Slack)', (status) => {
    scheduleJob(sdeps(), job('k:1', NOW));
    setStatus('k:1', status, { reason: 'not_a_participant' });
    const before = jobByKey(t, 'k:1')!;
    expect(scheduleJob(sdeps(), { ...job('k:1', NOW + HOUR), reviveSkipped: ['not_a_participant'] })).toBe(false);
    expect(jobByKey(t, 'k:1')).toEqual(before);
  });

  it('keeps "same key twice = no-op" for a pending job: run_at and payload stay', () => {
    scheduleJob(sdeps(), job('k:1', NOW + HOUR, { v: 1 }));
    expect(scheduleJob(sdeps(), job('k:1', NOW + 3 * HOUR, { v: 2 }))).toBe(false);
    const row = jobByKey(t, 'k:1')!;
    expect(row.runAt).toBe(NOW + HOUR);
    expect(JSON.parse(row.payload)).toEqual({ v: 1 });
  });
});

describe('key prefixes', () => {
  it('match exactly the keys that start with the prefix: no neighbours, no LIKE wildcards', () => {
    for (const key of ['reminder:4:a', 'reminder:4:b', 'reminder:42:a', 'reminder:4;', 'reminder:4', 'reminder_4:a', 'reminder:4:\u{10FFFE}', 'x%:1', 'xy:1']) scheduleJob(sdeps(), job(key, NOW));
    expect(listJobKeys(sdeps(), TEAM, 'reminder:4:').map((r) => r.key).sort()).toEqual(['reminder:4:a', 'reminder:4:b', 'reminder:4:\u{10FFFE}']);
    expect(listJobKeys(sdeps(), TEAM, 'x%:').map((r) => r.key)).toEqual(['x%:1']);
    // A prefix ending in a character outside the plain BMP range still matches (upper bound U+10FFFF).
    expect(listJobKeys(sdeps(), TEAM, 'reminder:4:\u{10FFFE}').map((r) => r.key)).toEqual(['reminder:4:\u{10FFFE}']);
    expect(cancelPendingJobs(sdeps(), TEAM, 'reminder:4:', { keep: ['reminder:4:b'] })).toBe(2);
    expect(jobByKey(t, 'reminder:4:b')!.status).toBe('pending');
    expect(jobByKey(t, 'reminder:42:a')!.status).toBe('pending');
    expect(jobByKey(t, 'reminder:4;')!.status).toBe('pending');
  });

  it('are a range on the (team_id, key) index, even when statistics say pending jobs are rare', () => {
    // Many workspaces' jobs, almost all done: the shape where a status-first plan would look cheap.
    const insert = t.database.sqlite.prepare(`INSERT INTO jobs (team_id, kind, key, payload, run_at, status, attempts, created_at, updated_at) VALUES (?, 'test-kind', ?, '{}', ?, ?, 0, 0, 0)`);
    t.database.sqlite.transaction(() => {
      for (let i = 0; i < 3000; i += 1) insert.run(TEAM, `reminder:${i}:U${i}:15:0`, NOW + i, i % 100 === 0 ? 'pending' : 'done');
    })();
    t.database.sqlite.exec('ANALYZE');
    const plans = [cancelPendingJobsStatement(TEAM, 'reminder:7:', '{}', NOW, ['reminder:7:U7:15:0']), listJobKeysStatement(TEAM, 'reminder:7:')].map(({ sql, params }) => {
      return (t.database.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
    });
    for (const plan of plans) {
      expect(plan).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_team_key_idx \(team_id=\? AND key>\? AND key<\?\)/);
      expect(plan).not.toContain('jobs_due_idx');
      expect(plan).not.toMatch(/SCAN jobs/);
    }
    t.database.sqlite.exec('DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4;');
  });
});

describe('the weekly planner\'s known-key lookup and the retention pass', () => {
  /** A workspace with a long job history: what the planner used to read in full on every tick. */
  function seedHistory(): void {
    const insert = t.database.sqlite.prepare(`INSERT INTO jobs (team_id, kind, key, payload, run_at, status, attempts, created_at, updated_at) VALUES (?, ?, ?, '{}', ?, ?, 0, 0, 0)`);
    t.database.sqlite.transaction(() => {
      for (let i = 0; i < 3000; i += 1) {
        insert.run(TEAM, 'weekly', `weekly:U${i % 300}:2026-W${String(1 + Math.floor(i / 300)).padStart(2, '0')}`, NOW - i * HOUR, 'done');
        insert.run(TEAM, 'reminder', `reminder:${i}:U${i}:15:0`, NOW - i * HOUR, i % 100 === 0 ? 'pending' : 'done');
      }
    })();
    t.database.sqlite.exec('ANALYZE');
  }
  const planOf = ({ sql, params }: { sql: string; params: readonly unknown[] }) =>
    (t.database.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');

  it('looks up exactly the candidate keys through (team_id, key), whatever the history', () => {
    seedHistory();
    const keys = ['weekly:U1:2026-W05', 'weekly:U2:2026-W48', 'weekly:U3:2026-W11'];
    expect(existingJobKeys(sdeps(), TEAM, keys)).toEqual(new Set(['weekly:U1:2026-W05']));
    expect(existingJobKeys(sdeps(), TEAM, [])).toEqual(new Set());
    const plan = planOf(existingJobKeysStatement(TEAM, keys));
    expect(plan).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_team_key_idx \(team_id=\? AND key=\?\)/);
    expect(plan).not.toMatch(/SCAN jobs/);
    t.database.sqlite.exec('DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4;');
  });

  it('prunes by walking the old end of jobs_due_idx, not the whole table', () => {
    seedHistory();
    const plan = planOf(pruneFinishedJobsStatement(NOW, 30 * 24 * HOUR, 5000));
    expect(plan).toMatch(/SEARCH j USING INDEX jobs_due_idx \(status=\? AND run_at<\?\)/);
    expect(plan).not.toMatch(/SCAN j\b|SCAN jobs/);
    t.database.sqlite.exec('DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4;');
  });
});
