import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import type { JobHandler } from '../../src/jobs/types.js';
import { scheduleJob } from '../../src/services/jobs.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { serviceDeps } from '../../src/deps.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * A handler may find at send time that its job is not due yet (what it depends on moved) and
 * say when it is: the job goes back to pending for that time, with the attempt given back and
 * the reason recorded, and runs again then.
 */
const t = useTestApp({ planners: [] });
const TEAM = 'T0LATER';
const row = (key: string) => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, TEAM), eq(jobs.key, key))).get();

beforeAll(() => {
  ensureWorkspace(serviceDeps(t.deps), TEAM, { timeZone: 'UTC' });
});

describe('a handler that reports "rescheduled"', () => {
  it('puts the job back to pending at the new time, records why, and runs it then', async () => {
    const start = t.clock.now();
    scheduleJob(serviceDeps(t.deps), { teamId: TEAM, kind: 'movable', key: 'movable:1', runAt: start - 1 });
    const runs: number[] = [];
    const movable: JobHandler = async () => {
      runs.push(t.clock.now());
      return runs.length === 1 ? { status: 'rescheduled', runAt: start + 60_000, reason: 'not_due_yet' } : { status: 'done' };
    };
    const scheduler = createScheduler(t.deps, { handlers: { movable }, planners: [], tick: '* * * * *' });
    const report = await scheduler.tick();
    expect(report).toMatchObject({ rescheduled: 1, done: 0, failed: 0 });
    expect(row('movable:1')).toMatchObject({ status: 'pending', runAt: start + 60_000, attempts: 0, leaseUntil: null });
    expect(JSON.parse(row('movable:1')!.result!)).toEqual({ rescheduled: 'not_due_yet', from: start - 1 });

    t.clock.set(start + 59_999);
    await scheduler.tick();
    expect(runs).toHaveLength(1);
    t.clock.set(start + 60_000);
    await scheduler.tick();
    expect(runs).toEqual([start, start + 60_000]);
    expect(row('movable:1')).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('fails a job rescheduled to a time that is not in the future, instead of running it again in a loop', async () => {
    scheduleJob(serviceDeps(t.deps), { teamId: TEAM, kind: 'stuck', key: 'stuck:1', runAt: t.clock.now() - 1 });
    let runs = 0;
    const stuck: JobHandler = async () => {
      runs += 1;
      return { status: 'rescheduled', runAt: t.clock.now(), reason: 'not_due_yet' };
    };
    const scheduler = createScheduler(t.deps, { handlers: { stuck }, planners: [], tick: '* * * * *' });
    await scheduler.tick();
    expect(runs).toBe(1);
    expect(row('stuck:1')).toMatchObject({ status: 'failed', lastError: 'rescheduled_to_the_past' });
  });
});
