import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { createScheduler, DEFAULT_LEASE_MS } from '../../src/jobs/scheduler.js';
import type { JobHandler } from '../../src/jobs/types.js';
import { scheduleJob } from '../../src/services/jobs.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { serviceDeps } from '../../src/slack/deps.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ planners: [] });
});
afterAll(async () => {
  await t.stop();
});

describe('a job whose lease ran low while it waited in its batch', () => {
  it('is not started (another process may take it over), and runs exactly once after the lease', async () => {
    const svc = serviceDeps(t.deps);
    ensureWorkspace(svc, 'T0LEASE', { timeZone: 'UTC' });
    const now = t.clock.now();
    scheduleJob(svc, { teamId: 'T0LEASE', kind: 'slow', key: 'slow:1', runAt: now - 2 });
    scheduleJob(svc, { teamId: 'T0LEASE', kind: 'slow', key: 'slow:2', runAt: now - 1 });
    const runs: string[] = [];
    // The first send is so slow that only 30 s of the shared lease are left for the second.
    const slow: JobHandler = async ({ job }) => {
      runs.push(job.key);
      if (job.key === 'slow:1') t.clock.advance(DEFAULT_LEASE_MS - 30_000);
      return { status: 'done' };
    };
    const scheduler = createScheduler(t.deps, { handlers: { slow }, planners: [], tick: '* * * * *', concurrency: 1 });
    await scheduler.tick();
    expect(runs).toEqual(['slow:1']);
    const row = () => t.database.db.select().from(jobs).where(and(eq(jobs.teamId, 'T0LEASE'), eq(jobs.key, 'slow:2'))).get();
    expect(row()?.status).toBe('running');
    t.clock.advance(60_000);
    await scheduler.tick();
    expect(runs).toEqual(['slow:1', 'slow:2']);
    expect(row()?.status).toBe('done');
  });
});
