import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { workspaces } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { countMatchOutcomes, getMatchChannel, listTeamsWithMatchChannels, nextRoundAt, roundInstant, saveMatchSetup, storeRound, unansweredStreak } from '../../src/services/match-rounds.js';
import { matchGroupMembers, matchGroups } from '../../src/db/schema.js';
import { and, eq } from 'drizzle-orm';
import { optIn, pastGroup } from '../support/matching.js';

const handle = openDb(':memory:');
const now = Date.UTC(2026, 10, 30, 8, 0);
const clock = createSettableClock(now);
const deps = { db: handle.db, clock, logger: createLogger('silent') };
const DAY = 24 * 60 * 60_000;
afterAll(() => handle.close());
beforeEach(() => {
  handle.db.delete(workspaces).run();
  clock.set(now);
});

describe('the calendar of rounds', () => {
  it('counts whole cadences from the anchor date, at the hour in the zone, across a DST change', () => {
    const channel = { anchorDate: '2026-03-03', cadenceWeeks: 2, hour: 9 };
    // Berlin moves to summer time on 29 March 2026: 09:00 is 08:00 UTC before, 07:00 UTC after.
    expect(nextRoundAt(channel, 'Europe/Berlin', Date.UTC(2026, 2, 1))).toEqual({ roundDate: '2026-03-03', at: Date.UTC(2026, 2, 3, 8) });
    expect(nextRoundAt(channel, 'Europe/Berlin', Date.UTC(2026, 2, 3, 8, 1))).toEqual({ roundDate: '2026-03-17', at: Date.UTC(2026, 2, 17, 8) });
    expect(nextRoundAt(channel, 'Europe/Berlin', Date.UTC(2026, 2, 20))).toEqual({ roundDate: '2026-03-31', at: Date.UTC(2026, 2, 31, 7) });
    // Never before the anchor, however early it is asked.
    expect(nextRoundAt(channel, 'Europe/Berlin', Date.UTC(2025, 0, 1)).roundDate).toBe('2026-03-03');
    // An hour the clocks skip becomes the first minute after the gap.
    expect(roundInstant('2026-03-29', 2, 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1));
  });

  it('setup anchors the first round at the next chosen weekday and hour; only admins; the planner visits only workspaces with rounds', () => {
    optIn(handle.db, 'U0ANA', {}, 'T0A');
    optIn(handle.db, 'U0BEN', {}, 'T0B');
    expect(() => saveMatchSetup(deps, 'T0A', { userId: 'U0ANA', isAdmin: false }, 'C0X', { mode: 'skill-swap', cadenceWeeks: 1, weekday: 1, hour: 9, repeatWeeks: 12 }, 'UTC')).toThrow(/admin/);
    // Monday 30 Nov 08:00: Monday 09:00 is still today.
    const saved = saveMatchSetup(deps, 'T0A', { userId: 'U0ADMIN', isAdmin: true }, 'C0X', { mode: 'skill-swap', cadenceWeeks: 1, weekday: 1, hour: 9, repeatWeeks: 12 }, 'UTC');
    expect(saved.next).toEqual({ roundDate: '2026-11-30', at: Date.UTC(2026, 10, 30, 9) });
    expect(listTeamsWithMatchChannels(deps)).toEqual(['T0A']);
  });
});

describe('answers', () => {
  it('counts the answers of round groups introduced in the window, not /peer match pairs', () => {
    optIn(handle.db, 'U0ANA');
    pastGroup(handle.db, ['U0ANA', 'U0BEN'], { at: now - DAY, roundDate: '2026-11-29', outcome: 'met' });
    pastGroup(handle.db, ['U0CAT', 'U0DAN'], { at: now - DAY, roundDate: '2026-11-29', index: 1 });
    pastGroup(handle.db, ['U0EVE', 'U0FAY'], { at: now - DAY, roundDate: '2026-11-29', index: 2, introTs: null });
    pastGroup(handle.db, ['U0ANA', 'U0CAT'], { at: now - DAY, channelId: null });
    pastGroup(handle.db, ['U0ANA', 'U0DAN'], { at: now - 30 * DAY, roundDate: '2026-10-31', outcome: 'met' });
    expect(countMatchOutcomes(deps, 'T0TEST', now - 7 * DAY, now)).toEqual({ groups: 2, met: 1, scheduled: 0, notThisTime: 0, unanswered: 1 });
  });

  it('three unanswered round groups in a row pause; one answer anywhere in them does not; fewer than three do not', () => {
    for (const id of ['U0ANA', 'U0BEN', 'U0CAT']) optIn(handle.db, id);
    for (let i = 0; i < 3; i += 1) {
      pastGroup(handle.db, ['U0ANA', 'U0X'], { at: now - (i + 1) * 7 * DAY, roundDate: `2026-11-0${i + 1}` });
      pastGroup(handle.db, ['U0BEN', 'U0Y'], { at: now - (i + 1) * 7 * DAY, roundDate: `2026-11-0${i + 1}`, index: 1, outcome: i === 2 ? 'met' : null });
    }
    pastGroup(handle.db, ['U0CAT', 'U0Z'], { at: now - 7 * DAY, roundDate: '2026-11-01', index: 2 });
    expect(unansweredStreak(deps, 'T0TEST', ['U0ANA', 'U0BEN', 'U0CAT'])).toEqual(['U0ANA']);
  });
});

describe('a round stored while another process stored groups', () => {
  it('matches again with those groups as history, so the same pair is not introduced twice', () => {
    optIn(handle.db, 'U0ANA', { teach: ['SQL'], learn: ['Figma'] });
    optIn(handle.db, 'U0BEN', { teach: ['Figma'], learn: ['SQL'] });
    optIn(handle.db, 'U0CAT', { teach: ['SQL'], learn: ['Figma'] });
    optIn(handle.db, 'U0DAN', { teach: ['Figma'], learn: ['SQL'] });
    saveMatchSetup(deps, 'T0TEST', { userId: 'U0ADMIN', isAdmin: true }, 'C0B', { mode: 'skill-swap', cadenceWeeks: 1, weekday: 1, hour: 9, repeatWeeks: 12 }, 'UTC');
    const channel = getMatchChannel(deps, 'T0TEST', 'C0B')!;
    // Other processes' rounds commit every complementary pair between this round's
    // matching and its transaction: a database handle that does just that when the transaction opens.
    let other: number[] = [];
    const racing = new Proxy(handle.db, {
      get(target, prop, receiver) {
        if (prop === 'transaction') {
          return (fn: (tx: unknown) => unknown) => {
            if (other.length === 0) {
              other = [['U0ANA', 'U0BEN'], ['U0CAT', 'U0DAN'], ['U0ANA', 'U0DAN'], ['U0BEN', 'U0CAT']].map((pair, index) =>
                pastGroup(handle.db, pair, { at: now, roundDate: index < 2 ? '2026-11-30' : '2026-11-23', channelId: index < 2 ? 'C0A' : 'C0Z', introTs: null, index }),
              );
            }
            return target.transaction(fn as never);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const result = storeRound({ ...deps, db: racing }, 'T0TEST', { payload: { channelId: 'C0B', roundDate: '2026-11-30' }, channel, roundAt: now, people: ['U0ANA', 'U0BEN', 'U0CAT', 'U0DAN'], skipping: [], toPause: [], fallbackZone: 'UTC' });
    expect(result.status).toBe('done');
    const mine = handle.db.select({ id: matchGroups.id }).from(matchGroups).where(and(eq(matchGroups.teamId, 'T0TEST'), eq(matchGroups.channelId, 'C0B'))).all();
    const pairs = mine.map((g) => handle.db.select({ u: matchGroupMembers.userId }).from(matchGroupMembers).where(eq(matchGroupMembers.groupId, g.id)).all().map((m) => m.u).sort().join(','));
    for (const pair of ['U0ANA,U0BEN', 'U0CAT,U0DAN', 'U0ANA,U0DAN', 'U0BEN,U0CAT']) expect(pairs).not.toContain(pair);
  });
});
