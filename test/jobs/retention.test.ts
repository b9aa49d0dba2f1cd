import { beforeEach, describe, expect, it } from 'vitest';
import { countJobs, JOB_RETENTION_MS, pruneFinishedJobs, PRUNE_BATCH_MAX } from '../../src/services/jobs.js';
import { serviceDeps } from '../../src/deps.js';
import { useTestApp } from '../support/use-test-app.js';
import { createSession, createWorkspace } from '../support/factories.js';
import { HOUR, jobByKey, jobRows, TEAM } from './support.js';

/**
 * The jobs table keeps a row per message ever planned; finished rows are deleted 30 days after
 * they last changed, a bounded batch per tick, except those a later check may still read.
 */
const NOW = Date.UTC(2026, 10, 20, 9, 0);
const DAY = 24 * HOUR;
const OLD = NOW - JOB_RETENTION_MS - 1;

const t = useTestApp({ planners: [], now: NOW, clearData: true });
beforeEach(() => {
  createWorkspace(t.database.db, TEAM);
});

const insert = (key: string, status: string, at: { runAt: number; updatedAt: number }, kind = 'test-kind', payload: Record<string, unknown> = {}) =>
  t.database.sqlite
    .prepare(`INSERT INTO jobs (team_id, kind, key, payload, run_at, status, attempts, lease_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`)
    .run(TEAM, kind, key, JSON.stringify(payload), at.runAt, status, status === 'running' ? NOW + HOUR : null, at.runAt, at.updatedAt);

describe('pruneFinishedJobs', () => {
  it('deletes done, skipped, cancelled and failed jobs untouched for 30 days, and nothing else', () => {
    for (const status of ['done', 'skipped', 'cancelled', 'failed', 'pending', 'running']) insert(`old:${status}`, status, { runAt: OLD - DAY, updatedAt: OLD });
    insert('recent:done', 'done', { runAt: NOW - 29 * DAY, updatedAt: NOW - 29 * DAY });
    // Due long ago but only sent after a long outage: kept until 30 days after it was sent.
    insert('late:done', 'done', { runAt: OLD - DAY, updatedAt: NOW - DAY });
    expect(pruneFinishedJobs(serviceDeps(t.deps))).toBe(4);
    expect(jobRows(t).map((j) => j.key).sort()).toEqual(['late:done', 'old:pending', 'old:running', 'recent:done']);
  });

  it("keeps a session's finished jobs until the session has ended: notice checks still read them", () => {
    const ahead = createSession(t.database.db, { teamId: TEAM, startsAt: NOW + 10 * DAY });
    const over = createSession(t.database.db, { teamId: TEAM, startsAt: NOW - 2 * DAY });
    // The newer change notice of a session still ahead: an older one left waiting would otherwise no longer be superseded.
    insert(`notice:${ahead.number}:U1:changed:2`, 'done', { runAt: OLD, updatedAt: OLD }, 'session_notice', { sessionNumber: ahead.number, userId: 'U1' });
    insert(`invite:${ahead.number}:U1:REQUEST:2`, 'done', { runAt: OLD, updatedAt: OLD }, 'session_invite', { sessionNumber: ahead.number, userId: 'U1' });
    insert(`notice:${over.number}:U1:changed:2`, 'done', { runAt: OLD, updatedAt: OLD }, 'session_notice', { sessionNumber: over.number, userId: 'U1' });
    insert('notice:999:U1:changed:1', 'done', { runAt: OLD, updatedAt: OLD }, 'session_notice', { sessionNumber: 999, userId: 'U1' });
    insert('weekly:U1:2026-W40', 'done', { runAt: OLD, updatedAt: OLD }, 'weekly', { userId: 'U1' });
    expect(pruneFinishedJobs(serviceDeps(t.deps))).toBe(3);
    expect(jobRows(t).map((j) => j.key).sort()).toEqual([`invite:${ahead.number}:U1:REQUEST:2`, `notice:${ahead.number}:U1:changed:2`]);
    // Once that session is over, they go too.
    t.clock.set(NOW + 11 * DAY);
    expect(pruneFinishedJobs(serviceDeps(t.deps))).toBe(2);
    expect(jobRows(t)).toHaveLength(0);
  });
});

describe('the scheduler tick', () => {
  it(`prunes at most ${PRUNE_BATCH_MAX} rows per pass, and the rest on the next`, async () => {
    const total = PRUNE_BATCH_MAX + 700;
    t.database.sqlite.transaction(() => {
      for (let i = 0; i < total; i += 1) insert(`old:${i}`, i % 2 === 0 ? 'done' : 'skipped', { runAt: OLD - i, updatedAt: OLD });
    })();
    insert('fresh:done', 'done', { runAt: NOW - HOUR, updatedAt: NOW - HOUR });
    const first = await t.tick();
    expect(first.pruned).toBe(PRUNE_BATCH_MAX);
    expect(countJobs(serviceDeps(t.deps), TEAM).done + countJobs(serviceDeps(t.deps), TEAM).skipped).toBe(701);
    const second = await t.tick();
    expect(second.pruned).toBe(700);
    expect(jobRows(t).map((j) => j.key)).toEqual(['fresh:done']);
    expect(jobByKey(t, 'fresh:done')?.status).toBe('done');
  });
});
