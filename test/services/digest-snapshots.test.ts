import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { digestSnapshots, workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { getDigestSnapshot, listDigestUpcoming } from '../../src/services/digest.js';
import { createMember, createSession, createWorkspace } from '../support/factories.js';
import { createKpiReport } from '../support/kpi-report.js';

/**
 * Snapshots stored by an earlier version still read back (fields added since get their defaults),
 * and what the digest's Coming up knows of each host.
 */
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

describe("the digest's coming sessions", () => {
  it('say which hosts opted out, with their stored name, for this workspace only', () => {
    const now = deps.clock.now();
    createMember(handle.db, 'T1', 'U0QUIET', { name: 'Ana', optedOut: true });
    createMember(handle.db, 'T1', 'U0LOUD', { name: 'Lou' });
    createMember(handle.db, 'T2', 'U0LOUD', { name: 'Elsewhere', optedOut: true });
    createSession(handle.db, { teamId: 'T1', hostId: 'U0QUIET', startsAt: now + 3_600_000 });
    createSession(handle.db, { teamId: 'T1', hostId: 'U0LOUD', startsAt: now + 7_200_000 });
    const { sessions } = listDigestUpcoming(deps, 'T1', now);
    expect(sessions.map((s) => [s.hostId, s.hostOptedOut, s.hostName])).toEqual([
      ['U0QUIET', true, 'Ana'],
      ['U0LOUD', false, 'Lou'],
    ]);
  });
});
