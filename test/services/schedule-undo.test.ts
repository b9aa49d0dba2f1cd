import { and, eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { jobs, workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { joinSession, scheduleSessions, undoSchedule } from '../../src/services/sessions.js';
import { ScheduleInput } from '../../src/services/session-model.js';
import { ensureWorkspace } from '../../src/services/workspaces.js';
import { databaseRows } from '../support/rows.js';

/**
 * undoSchedule: a schedule whose card Slack refused is taken back with nothing left behind,
 * and the two races in which its numbers must stay used.
 */

const handle = openDb(':memory:');
const clock = createSettableClock('2026-10-30T12:00:00Z');
const deps = { db: handle.db, clock, logger: createLogger('silent') };
afterAll(() => handle.close());

const TEAM = 'T0UNDO';
const input = (repeatWeeks = 1) =>
  ScheduleInput.parse({ format: 'micro-lesson', title: 'Undo me', startsAt: Date.parse('2026-11-02T10:00:00Z'), durationMin: 30, hostId: 'U0HOST', channelId: 'C0ROOM', repeatWeeks });
const schedule = (repeatWeeks = 1) => scheduleSessions(deps, { teamId: TEAM, creatorId: 'U0HOST', input: input(repeatWeeks) });
const nextNumber = () => handle.db.select().from(workspaces).where(eq(workspaces.teamId, TEAM)).get()!.nextSessionNumber;

beforeEach(() => {
  handle.sqlite.exec('DELETE FROM workspaces');
  ensureWorkspace(deps, TEAM, { timeZone: 'UTC' });
  // Another workspace's rows must come through untouched.
  ensureWorkspace(deps, 'T0OTHER', { timeZone: 'UTC' });
  scheduleSessions(deps, { teamId: 'T0OTHER', creatorId: 'U0HOST', input: input(2) });
  clock.advance(1_000);
});

describe('undoSchedule', () => {
  it('deletes the sessions, participants (someone who joined meanwhile too) and their jobs, and hands the numbers back', () => {
    schedule();
    const before = databaseRows(handle);
    clock.advance(1_000);
    const { sessions, receipt } = schedule(3);
    joinSession(deps, TEAM, sessions[1]!.number, 'U0EARLY');
    expect(handle.db.select().from(jobs).where(eq(jobs.teamId, TEAM)).all().length).toBeGreaterThan(before.jobs!.length);
    expect(undoSchedule(deps, receipt)).toBe(true);
    expect(databaseRows(handle)).toEqual(before);
  });

  it('keeps the numbers used when someone else took a later number meanwhile, and still leaves no rows', () => {
    const { receipt } = schedule(2);
    const { sessions: later } = schedule();
    expect(undoSchedule(deps, receipt)).toBe(false);
    expect(nextNumber()).toBe(later[0]!.number + 1);
    const left = databaseRows(handle);
    expect((left.sessions as { team_id: string; number: number }[]).filter((s) => s.team_id === TEAM).map((s) => s.number)).toEqual([later[0]!.number]);
    expect((left.jobs as { team_id: string; payload: string }[]).filter((j) => j.team_id === TEAM).every((j) => JSON.parse(j.payload).sessionNumber === later[0]!.number)).toBe(true);
  });

  it('keeps the numbers used when a job of the sessions was already claimed, leaving that job alone', () => {
    const { sessions, receipt } = schedule();
    const key = `reminder:${sessions[0]!.number}:U0HOST:15:${sessions[0]!.startsAt}`;
    handle.db.update(jobs).set({ status: 'running', leaseUntil: clock.now() + 60_000 }).where(and(eq(jobs.teamId, TEAM), eq(jobs.key, key))).run();
    expect(undoSchedule(deps, receipt)).toBe(false);
    expect(nextNumber()).toBe(sessions[0]!.number + 1);
    expect(handle.db.select({ key: jobs.key, status: jobs.status }).from(jobs).where(eq(jobs.teamId, TEAM)).all()).toEqual([{ key, status: 'running' }]);
  });
});
