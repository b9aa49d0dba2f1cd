import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { DURATION_MAX } from '../../src/services/session-model.js';
import { listTeamsWithSessionsEnding, listTeamsWithSessionsStarting } from '../../src/services/session-queries.js';
import { ACTIVE_WINDOW_MS, listActiveMembers, listTeamsWithActiveMembers } from '../../src/services/weekly.js';
import { addParticipant, createSession, createWorkspace } from '../support/factories.js';

/**
 * The planners visit only the workspaces these return. Each must include every workspace with a
 * scheduled session in the window (a planner would otherwise miss its jobs) and leave out the
 * rest (a quiet workspace costs the tick nothing).
 */
const handle = openDb(':memory:');
const now = Date.UTC(2030, 0, 1, 9, 0);
const deps = { db: handle.db, clock: createSettableClock(now), logger: createLogger('silent') };
const HOUR = 60 * 60_000;
afterAll(() => handle.close());
beforeEach(() => {
  handle.db.delete(workspaces).run();
});

describe('workspaces with something to plan', () => {
  it('lists only workspaces with a scheduled session starting in the window', () => {
    createWorkspace(handle.db, 'T0QUIET');
    createSession(handle.db, { teamId: 'T0SOON', number: 1, startsAt: now + HOUR });
    createSession(handle.db, { teamId: 'T0LATER', number: 1, startsAt: now + 10 * 24 * HOUR });
    createSession(handle.db, { teamId: 'T0CANCELLED', number: 1, startsAt: now + HOUR, status: 'cancelled' });
    createSession(handle.db, { teamId: 'T0PAST', number: 1, startsAt: now - 3 * HOUR });

    expect(listTeamsWithSessionsStarting(deps, now, now + 24 * HOUR).sort()).toEqual(['T0SOON']);
    expect(listTeamsWithSessionsStarting(deps, now).sort()).toEqual(['T0LATER', 'T0SOON']);
    expect(listTeamsWithSessionsStarting(deps, now - 4 * HOUR).sort()).toEqual(['T0LATER', 'T0PAST', 'T0SOON']);
  });

  it('finds a session by its end even when it started before the window (the longest session allowed)', () => {
    // Starts DURATION_MAX minutes before the window and ends inside it.
    createSession(handle.db, { teamId: 'T0LONG', number: 1, startsAt: now - DURATION_MAX * 60_000 + 60_000, durationMin: DURATION_MAX });
    createSession(handle.db, { teamId: 'T0ENDED', number: 1, startsAt: now - DURATION_MAX * 60_000 - 2 * HOUR, durationMin: 30 });
    expect(listTeamsWithSessionsEnding(deps, now, now + HOUR)).toEqual(['T0LONG']);
  });

  it('the weekly planner visits exactly the workspaces where listActiveMembers finds someone', () => {
    const since = now - ACTIVE_WINDOW_MS;
    createWorkspace(handle.db, 'T0QUIET');
    createSession(handle.db, { teamId: 'T0HOST', number: 1, startsAt: now + HOUR });
    // Started before the window, but someone joined it inside the window (as a restored or imported row could say).
    createSession(handle.db, { teamId: 'T0JOINED', number: 1, startsAt: since - 10 * 24 * HOUR });
    addParticipant(handle.db, { teamId: 'T0JOINED', sessionNumber: 1, userId: 'U0LATE', joinedAt: since + HOUR });
    // Old and only joined long ago, or left: nobody active.
    createSession(handle.db, { teamId: 'T0OLD', number: 1, startsAt: since - 10 * 24 * HOUR });
    addParticipant(handle.db, { teamId: 'T0OLD', sessionNumber: 1, userId: 'U0GONE', joinedAt: since - 11 * 24 * HOUR });
    createSession(handle.db, { teamId: 'T0LEFT', number: 1, startsAt: since - 10 * 24 * HOUR });
    addParticipant(handle.db, { teamId: 'T0LEFT', sessionNumber: 1, userId: 'U0LEFT', joinedAt: since + HOUR, leftAt: since + 2 * HOUR });

    const teams = listTeamsWithActiveMembers(deps).sort();
    expect(teams).toEqual(['T0HOST', 'T0JOINED']);
    for (const teamId of ['T0QUIET', 'T0HOST', 'T0JOINED', 'T0OLD', 'T0LEFT']) {
      expect(teams.includes(teamId), teamId).toBe(listActiveMembers(deps, teamId).length > 0);
    }
  });
});
