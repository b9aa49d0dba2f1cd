import { afterAll, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { jobs } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { scheduleJob } from '../../src/services/jobs.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';

const handle = openDb(':memory:');
const deps = { db: handle.db, clock: createSettableClock('2026-11-24T10:00:00Z'), logger: createLogger('silent') };
afterAll(() => handle.close());

describe('scheduleJob inside a drizzle transaction', () => {
  it('is rolled back with the transaction, and committed with it', () => {
    ensureWorkspace(deps, 'T0TX', { timeZone: 'UTC' });
    expect(() =>
      handle.db.transaction((tx) => {
        scheduleJob({ ...deps, db: tx }, { teamId: 'T0TX', kind: 'test', key: 'rolled-back', runAt: 1 });
        throw new Error('abort');
      }),
    ).toThrow('abort');
    handle.db.transaction((tx) => {
      scheduleJob({ ...deps, db: tx }, { teamId: 'T0TX', kind: 'test', key: 'kept', runAt: 1 });
    });
    expect(handle.db.select({ key: jobs.key }).from(jobs).all()).toEqual([{ key: 'kept' }]);
  });
});
