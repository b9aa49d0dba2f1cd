import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { digestSnapshots, workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { getDigestSnapshot } from '../../src/services/digest.js';
import { createWorkspace } from '../support/factories.js';
import { createKpiReport } from '../support/kpi-report.js';

/** Snapshots stored by an earlier version still read back (fields added since get their defaults). */
const handle = openDb(':memory:');
const deps = { db: handle.db, clock: createSettableClock(Date.UTC(2026, 10, 30)), logger: createLogger('silent') };
afterAll(() => handle.close());
beforeEach(() => {
  handle.db.delete(digestSnapshots).run();
  handle.db.delete(workspaces).run();
  createWorkspace(handle.db, 'T1');
});

function storeRaw(weekId: string, report: Record<string, unknown>) {
  handle.db.insert(digestSnapshots).values({ teamId: 'T1', weekId, periodStart: 0, periodEnd: 1, kpis: JSON.stringify(report), channelId: 'C0DIGEST', status: 'posted', createdAt: 0, updatedAt: 0 }).run();
}

describe('stored digest snapshots', () => {
  it('a snapshot stored without skillGapsTotal reads back with the length of its list', () => {
    const { skillGapsTotal: _dropped, ...old } = createKpiReport();
    storeRaw('2026-W47', old);
    expect(getDigestSnapshot(deps, 'T1', '2026-W47')?.report.skillGapsTotal).toBe(2);
    storeRaw('2026-W46', createKpiReport({ skillGapsTotal: 40 }) as unknown as Record<string, unknown>);
    expect(getDigestSnapshot(deps, 'T1', '2026-W46')?.report.skillGapsTotal).toBe(40);
  });
});
