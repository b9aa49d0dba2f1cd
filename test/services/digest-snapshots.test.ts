import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { digestSnapshots, workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { computeDigestReport, digestChartData, digestWeekPeriod, getDigestSnapshot, listDigestUpcoming } from '../../src/services/digest.js';
import { resolveWorkspaceZone } from '../../src/services/members.js';
import { addParticipant, createMember, createSession, createWorkspace } from '../support/factories.js';
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
  it('a snapshot stored without skillGapsTotal and satisfaction.openPolls reads back with the list length and 0', () => {
    const { skillGapsTotal: _dropped, satisfaction, ...old } = createKpiReport();
    const { openPolls: _none, ...oldSatisfaction } = satisfaction;
    storeRaw('2026-W47', { ...old, satisfaction: oldSatisfaction });
    const read = getDigestSnapshot(deps, 'T1', '2026-W47')?.report;
    expect(read?.skillGapsTotal).toBe(2);
    expect(read?.satisfaction.openPolls).toBe(0);
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

describe("the digest's chart", () => {
  it('shows the earlier weeks from live data (attendance marked after their digest), not from their snapshots', () => {
    // W47 was posted saying 0 sessions and no participation; its session's attendance was marked since.
    const w47 = digestWeekPeriod('2026-W47', 'UTC');
    storeRaw('2026-W47', createKpiReport({ period: w47, timeZone: 'UTC', participation: { value: null, attended: 0, invited: 0 }, sessions: { held: 0 } }) as unknown as Record<string, unknown>);
    const held = createSession(handle.db, { teamId: 'T1', hostId: 'U0HOST', startsAt: w47.from + 86_400_000 });
    addParticipant(handle.db, { teamId: 'T1', sessionNumber: held.number, userId: 'U0A', attended: 'yes', joinedAt: w47.from });
    const report = createKpiReport({ period: digestWeekPeriod('2026-W48', 'UTC'), timeZone: 'UTC', participation: { value: 50 }, sessions: { held: 3 } });
    const { weeks } = digestChartData(deps, 'T1', report);
    expect(weeks.at(-2)).toEqual({ weekStart: '2026-11-16', participationPct: 100, sessionsHeld: 1 });
    // The digest's own week is its report, as the message above the chart says.
    expect(weeks.at(-1)).toEqual({ weekStart: '2026-11-23', participationPct: 50, sessionsHeld: 3 });
  });
});

describe("the digest's zone", () => {
  it('is one zone for period, report and chart: the configured default when the workspace zone is not a zone', () => {
    createWorkspace(handle.db, 'T3', { timeZone: 'Not/AZone' });
    const zone = resolveWorkspaceZone(deps, 'T3', 'America/New_York');
    expect(zone).toBe('America/New_York');
    const report = computeDigestReport(deps, 'T3', '2026-W47', zone);
    expect(report.timeZone).toBe(zone);
    expect(report.period).toEqual(digestWeekPeriod('2026-W47', zone));
    // Monday 16 Nov 2026 00:00 in New York is 05:00 UTC: the chart's weeks are New York weeks too.
    const held = createSession(handle.db, { teamId: 'T3', hostId: 'U0HOST', startsAt: Date.UTC(2026, 10, 16, 2, 0) });
    expect(held.number).toBeGreaterThan(0);
    const { weeks } = digestChartData(deps, 'T3', report);
    expect(weeks.at(-1)).toMatchObject({ weekStart: '2026-11-16' });
    // Sunday 15 Nov 21:00 in New York belongs to the week before, not to the digest's.
    expect(weeks.at(-2)).toMatchObject({ weekStart: '2026-11-09', sessionsHeld: 1 });
  });
});
