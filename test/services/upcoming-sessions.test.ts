import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { listUpcomingSessions } from '../../src/services/session-queries.js';
import { addParticipant, createSession } from '../support/factories.js';

/**
 * The one statement behind `/peer list`: seat counts and the reader's place come from
 * correlated subqueries, which must stay inside the session's own workspace even where two
 * workspaces use the same session number (numbers are per workspace).
 */
const handle = openDb(':memory:');
const now = Date.UTC(2030, 0, 1, 9, 0);
const deps = { db: handle.db, clock: createSettableClock(now), logger: createLogger('silent') };
afterAll(() => handle.close());
beforeEach(() => {
  handle.db.delete(workspaces).run();
});

const HOUR = 60 * 60 * 1000;
const window = (readerId: string, mineOnly = false, limit = 10) => ({ from: now, to: now + 14 * 24 * HOUR, readerId, mineOnly, limit });

describe('listUpcomingSessions', () => {
  it('counts seats and the waitlist from its own workspace only, where another uses the same number', () => {
    createSession(handle.db, { teamId: 'T0A', number: 1, startsAt: now + HOUR, capacity: 2 });
    addParticipant(handle.db, { teamId: 'T0A', sessionNumber: 1, userId: 'U0ANN' });
    addParticipant(handle.db, { teamId: 'T0A', sessionNumber: 1, userId: 'U0LEFT', leftAt: now - HOUR });
    createSession(handle.db, { teamId: 'T0B', number: 1, startsAt: now + HOUR });
    for (const userId of ['U0ANN', 'U0B1', 'U0B2', 'U0B3']) addParticipant(handle.db, { teamId: 'T0B', sessionNumber: 1, userId });
    addParticipant(handle.db, { teamId: 'T0B', sessionNumber: 1, userId: 'U0BW', waitlisted: true });

    const a = listUpcomingSessions(deps, 'T0A', window('U0B1'));
    expect(a.sessions).toEqual([expect.objectContaining({ number: 1, attendees: 1, waitlist: 0, mine: null, capacity: 2 })]);
    const b = listUpcomingSessions(deps, 'T0B', window('U0BW'));
    expect(b.sessions).toEqual([expect.objectContaining({ number: 1, attendees: 4, waitlist: 1, mine: 'waitlisted' })]);
    // Ann is in both workspaces' session #1; in each she sees only her place there.
    expect(listUpcomingSessions(deps, 'T0A', window('U0ANN')).sessions[0]!.mine).toBe('attendee');
    expect(listUpcomingSessions(deps, 'T0A', window('U0B1', true)).sessions).toEqual([]);
    expect(listUpcomingSessions(deps, 'T0B', window('U0B1', true)).sessions.map((s) => s.number)).toEqual([1]);
  });

  it('keeps sessions still running, drops ended, cancelled and too-late ones, and counts the whole window when the page is full', () => {
    createSession(handle.db, { teamId: 'T0A', number: 1, startsAt: now - 20 * 60_000, durationMin: 30, hostId: 'U0HOST' });
    createSession(handle.db, { teamId: 'T0A', number: 2, startsAt: now - 2 * HOUR, durationMin: 30 });
    createSession(handle.db, { teamId: 'T0A', number: 3, startsAt: now + HOUR, status: 'cancelled' });
    createSession(handle.db, { teamId: 'T0A', number: 4, startsAt: now + 15 * 24 * HOUR });
    for (let n = 5; n <= 8; n++) createSession(handle.db, { teamId: 'T0A', number: n, startsAt: now + n * HOUR });

    const all = listUpcomingSessions(deps, 'T0A', window('U0HOST', false, 3));
    expect(all.sessions.map((s) => s.number)).toEqual([1, 5, 6]);
    expect(all.sessions[0]!.mine).toBe('host');
    expect(all.total).toBe(5);
    const short = listUpcomingSessions(deps, 'T0A', window('U0HOST', false, 10));
    expect(short.total).toBe(5);
  });
});
