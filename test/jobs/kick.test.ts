import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { jobs } from '../../src/db/schema.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import type { JobHandler } from '../../src/jobs/types.js';
import { scheduleJob } from '../../src/services/jobs.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { serviceDeps } from '../../src/deps.js';
import { useTestApp } from '../support/use-test-app.js';

/**
 * scheduler.kick: after a write, one workspace's due jobs run at once instead of at the next
 * tick; it shares the pass slot with the tick, so the two never run at the same time.
 */
const t = useTestApp({ planners: [], kick: false });

function status(teamId: string, key: string) {
  return t.database.db.select().from(jobs).where(and(eq(jobs.teamId, teamId), eq(jobs.key, key))).get()?.status;
}

/** A handler that records its runs and how many run at once; `hold` keeps one waiting until released. */
function recorder() {
  const runs: string[] = [];
  let active = 0;
  let maxActive = 0;
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started!: () => void;
  const holding = new Promise<void>((resolve) => {
    started = resolve;
  });
  const handler: JobHandler = async ({ job }) => {
    runs.push(`${job.teamId}/${job.key}`);
    active += 1;
    maxActive = Math.max(maxActive, active);
    if (job.key.startsWith('hold')) {
      started();
      await held;
    }
    active -= 1;
    return { status: 'done' };
  };
  return { runs, handler, release, holding, maxActive: () => maxActive };
}

describe('scheduler.kick', () => {
  it("runs only the kicked workspace's due jobs, without a tick", async () => {
    const svc = serviceDeps(t.deps);
    ensureWorkspace(svc, 'T0KICKA', { timeZone: 'UTC' });
    ensureWorkspace(svc, 'T0KICKB', { timeZone: 'UTC' });
    const now = t.clock.now();
    scheduleJob(svc, { teamId: 'T0KICKA', kind: 'k', key: 'a:due', runAt: now });
    scheduleJob(svc, { teamId: 'T0KICKA', kind: 'k', key: 'a:later', runAt: now + 60_000 });
    scheduleJob(svc, { teamId: 'T0KICKB', kind: 'k', key: 'b:due', runAt: now });
    const rec = recorder();
    const scheduler = createScheduler(t.deps, { handlers: { k: rec.handler }, planners: [], tick: '* * * * *' });
    scheduler.kick('T0KICKA');
    scheduler.kick('T0KICKA');
    await scheduler.idle();
    expect(rec.runs).toEqual(['T0KICKA/a:due']);
    expect([status('T0KICKA', 'a:later'), status('T0KICKB', 'b:due')]).toEqual(['pending', 'pending']);
    // The tick still takes everything due.
    expect(await scheduler.tick()).toMatchObject({ done: 1, overlapped: false });
    expect(rec.runs).toEqual(['T0KICKA/a:due', 'T0KICKB/b:due']);
    await scheduler.stop();
    // A stopped scheduler ignores kicks.
    scheduleJob(svc, { teamId: 'T0KICKA', kind: 'k', key: 'a:after-stop', runAt: now });
    scheduler.kick('T0KICKA');
    await scheduler.idle();
    expect(status('T0KICKA', 'a:after-stop')).toBe('pending');
  });

  it('a tick called while a kick pass runs waits for it (never overlaps, is not skipped)', async () => {
    const svc = serviceDeps(t.deps);
    ensureWorkspace(svc, 'T0KICKC', { timeZone: 'UTC' });
    ensureWorkspace(svc, 'T0KICKD', { timeZone: 'UTC' });
    const now = t.clock.now();
    scheduleJob(svc, { teamId: 'T0KICKC', kind: 'k', key: 'hold:c', runAt: now });
    scheduleJob(svc, { teamId: 'T0KICKD', kind: 'k', key: 'd:due', runAt: now });
    const rec = recorder();
    const scheduler = createScheduler(t.deps, { handlers: { k: rec.handler }, planners: [], tick: '* * * * *' });
    scheduler.kick('T0KICKC');
    await rec.holding;
    const tick = scheduler.tick();
    // Give the tick every chance to start early: it must not while the kick's job is held.
    await new Promise((resolve) => setImmediate(resolve));
    expect(rec.runs).toEqual(['T0KICKC/hold:c']);
    rec.release();
    // (The tick also takes the first test's job left pending by the stopped scheduler.)
    expect(await tick).toMatchObject({ overlapped: false });
    expect(rec.runs[0]).toBe('T0KICKC/hold:c');
    expect(rec.runs).toContain('T0KICKD/d:due');
    expect(rec.maxActive()).toBe(1);
    await scheduler.stop();
  });
});
