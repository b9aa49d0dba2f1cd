import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { createScheduler, DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS } from '../../src/jobs/scheduler.js';
import type { JobHandler } from '../../src/jobs/types.js';
import { claimDueJobs, renewLeases, scheduleJob } from '../../src/services/jobs.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { serviceDeps } from '../../src/deps.js';
import { useTestApp } from '../support/use-test-app.js';

const t = useTestApp({ planners: [] });

describe('a live process whose sends are slow', () => {
  it('keeps its claimed jobs past their lease: another live process never takes them, and each runs once', async () => {
    const svc = serviceDeps(t.deps);
    ensureWorkspace(svc, 'T0LEASE', { timeZone: 'UTC' });
    const now = t.clock.now();
    scheduleJob(svc, { teamId: 'T0LEASE', kind: 'slow', key: 'slow:1', runAt: now - 2 });
    scheduleJob(svc, { teamId: 'T0LEASE', kind: 'slow', key: 'slow:2', runAt: now - 1 });
    const runs: string[] = [];
    const other = createScheduler(t.deps, { handlers: { slow: async () => ({ status: 'done' }) }, planners: [], tick: '* * * * *', owner: 'other' });
    let otherReport: Awaited<ReturnType<typeof other.tick>> | undefined;
    // The first send outlasts the lease twice over; meanwhile another process ticks.
    const slow: JobHandler = async ({ job }) => {
      runs.push(job.key);
      if (job.key === 'slow:1') {
        // Its heartbeat (a started scheduler's timer) moves the leases of the jobs it holds on meanwhile.
        const held = t.database.db.select().from(jobs).where(and(eq(jobs.teamId, 'T0LEASE'), eq(jobs.owner, 'mine'))).all().map((j) => j.id);
        t.clock.advance(DEFAULT_LEASE_MS - 1_000);
        renewLeases(svc, 'mine', held, DEFAULT_LEASE_MS);
        t.clock.advance(DEFAULT_LEASE_MS - 1_000);
        renewLeases(svc, 'mine', held, DEFAULT_LEASE_MS);
        otherReport = await other.tick();
      }
      return { status: 'done' };
    };
    const scheduler = createScheduler(t.deps, { handlers: { slow }, planners: [], tick: '* * * * *', concurrency: 1, batchSize: 2, owner: 'mine' });
    await scheduler.tick();
    expect(runs).toEqual(['slow:1', 'slow:2']);
    expect(otherReport).toMatchObject({ done: 0, failed: 0 });
    const row = (key: string) => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, 'T0LEASE'), eq(jobs.key, key))).get();
    expect(row('slow:1')).toMatchObject({ status: 'done', attempts: 1, owner: 'mine' });
    expect(row('slow:2')).toMatchObject({ status: 'done', attempts: 1, owner: 'mine' });
  });
});

describe('a job whose lease keeps running out', () => {
  const TEAM = 'T0CRASH';
  const row = (key: string) => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, TEAM), eq(jobs.key, key))).get();

  /** A process claims the job and dies before finishing it (a send that crashes the process, an OOM): the lease runs out. */
  function claimAndDie(times: number): void {
    for (let i = 0; i < times; i += 1) {
      expect(claimDueJobs(serviceDeps(t.deps), 10, DEFAULT_LEASE_MS, 'doomed', [], undefined).map((j) => j.teamId)).toContain(TEAM);
      t.clock.advance(DEFAULT_LEASE_MS + 1);
    }
  }

  it('is still run on its last allowed attempt', async () => {
    const svc = serviceDeps(t.deps);
    ensureWorkspace(svc, TEAM, { timeZone: 'UTC' });
    scheduleJob(svc, { teamId: TEAM, kind: 'crashy', key: 'crashy:last', runAt: t.clock.now() - 1 });
    claimAndDie(DEFAULT_MAX_ATTEMPTS - 1);
    const runs: string[] = [];
    const crashy: JobHandler = async ({ job }) => {
      runs.push(job.key);
      return { status: 'done' };
    };
    const scheduler = createScheduler(t.deps, { handlers: { crashy }, planners: [], tick: '* * * * *' });
    await scheduler.tick();
    expect(runs).toEqual(['crashy:last']);
    expect(row('crashy:last')).toMatchObject({ status: 'done', attempts: DEFAULT_MAX_ATTEMPTS });
  });

  it('is recorded as failed (lease_expired_repeatedly) once its attempts are used up, without running it again', async () => {
    const svc = serviceDeps(t.deps);
    ensureWorkspace(svc, TEAM, { timeZone: 'UTC' });
    scheduleJob(svc, { teamId: TEAM, kind: 'crashy', key: 'crashy:1', runAt: t.clock.now() - 1 });
    claimAndDie(DEFAULT_MAX_ATTEMPTS);
    const runs: string[] = [];
    const crashy: JobHandler = async ({ job }) => {
      runs.push(job.key);
      return { status: 'done' };
    };
    const scheduler = createScheduler(t.deps, { handlers: { crashy }, planners: [], tick: '* * * * *' });
    const report = await scheduler.tick();
    expect(runs).toEqual([]);
    expect(report.failed).toBe(1);
    expect(row('crashy:1')).toMatchObject({ status: 'failed', lastError: 'lease_expired_repeatedly', leaseUntil: null });
    // Nothing left to claim: the next tick does not pick it up again.
    t.clock.advance(DEFAULT_LEASE_MS + 1);
    await scheduler.tick();
    expect(runs).toEqual([]);
  });
});
