import { describe, expect, it } from 'vitest';
import { addIsoWeeks, currentDigestWeek, digestDueAt, digestWeekAt, digestWeekPeriod, nextDigest, parseDigestKey } from '../../src/services/digest.js';
import { weekPeriod } from '../../src/services/kpis.js';

const NY = 'America/New_York';
const monday9 = { digestDay: 1, digestHour: 9 };

describe('when a digest runs and which week it covers', () => {
  it('covers the last full local week before the day it runs, whatever the weekday', () => {
    // Monday 30 Nov 2026, 09:00 in New York: 23-29 Nov is 2026-W48.
    expect(digestWeekAt(Date.UTC(2026, 10, 30, 14, 0), NY)).toBe('2026-W48');
    // Sunday 6 Dec: 30 Nov - 6 Dec is not over yet, so still W48.
    expect(digestWeekAt(Date.UTC(2026, 11, 6, 18, 0), NY)).toBe('2026-W48');
    // Monday 30 Nov 03:00 UTC is still Sunday 29 Nov in New York: W47.
    expect(digestWeekAt(Date.UTC(2026, 10, 30, 3, 0), NY)).toBe('2026-W47');
  });

  it('is due on the digest weekday and hour in the week after the one it covers, DST-aware', () => {
    // W44 (26 Oct - 1 Nov 2026) ends on the day New York leaves daylight time: Monday 2 Nov 09:00 EST is 14:00 UTC.
    expect(digestDueAt(monday9, '2026-W44', NY)).toBe(Date.UTC(2026, 10, 2, 14, 0));
    // A week earlier it was 09:00 EDT, 13:00 UTC.
    expect(digestDueAt(monday9, '2026-W43', NY)).toBe(Date.UTC(2026, 9, 26, 13, 0));
    // Sunday 02:00 on 14 Mar 2027 does not exist in New York: the first minute after the gap (03:00 EDT).
    expect(digestDueAt({ digestDay: 0, digestHour: 2 }, '2027-W09', NY)).toBe(Date.UTC(2027, 2, 14, 7, 0));
    // A Sunday digest covers the week before the one it is posted in.
    expect(digestDueAt({ digestDay: 0, digestHour: 18 }, '2026-W48', 'UTC')).toBe(Date.UTC(2026, 11, 6, 18, 0));
  });

  it('the next digest and the one due most recently agree with the due times', () => {
    const at = Date.UTC(2026, 10, 2, 13, 59);
    expect(nextDigest(monday9, NY, at)).toEqual({ weekId: '2026-W44', dueAt: Date.UTC(2026, 10, 2, 14, 0) });
    expect(currentDigestWeek(monday9, NY, at)).toBe('2026-W43');
    expect(currentDigestWeek(monday9, NY, Date.UTC(2026, 10, 2, 14, 0))).toBe('2026-W44');
    for (const week of ['2026-W01', '2026-W44', '2026-W53', '2027-W09']) {
      const due = digestDueAt(monday9, week, NY);
      expect(digestWeekAt(due, NY)).toBe(week);
      expect(nextDigest(monday9, NY, due)).toEqual({ weekId: week, dueAt: due });
    }
  });

  it('adds ISO weeks across year ends (2026 has a week 53) and reads keys of its own workspace only', () => {
    expect(addIsoWeeks('2026-W53', 1)).toBe('2027-W01');
    expect(addIsoWeeks('2027-W01', -1)).toBe('2026-W53');
    expect(addIsoWeeks('2026-W48', -8)).toBe('2026-W40');
    expect(parseDigestKey('T1', 'digest:T1:2026-W48')).toBe('2026-W48');
    expect(parseDigestKey('T1', 'digest:T2:2026-W48')).toBeUndefined();
    expect(parseDigestKey('T1', 'digest:T1:2026-W60')).toBeUndefined();
  });

  it('covers Monday to Sunday of its ISO week in the workspace zone, the local week that ended before it is due', () => {
    expect(digestWeekPeriod('2026-W44', NY)).toEqual(weekPeriod('2026-10-26', NY));
    expect(digestWeekPeriod('2026-W53', NY)).toEqual(weekPeriod('2026-12-28', NY));
    for (const week of ['2026-W10', '2026-W44', '2026-W53']) expect(digestWeekPeriod(week, NY).to).toBeLessThanOrEqual(digestDueAt(monday9, week, NY));
    // A Wednesday digest still covers the whole ISO week before (never days still to come).
    const wednesday = digestDueAt({ digestDay: 3, digestHour: 9 }, '2026-W48', NY);
    expect(digestWeekPeriod('2026-W48', NY)).toEqual({ from: Date.UTC(2026, 10, 23, 5, 0), to: Date.UTC(2026, 10, 30, 5, 0) });
    expect(wednesday).toBe(Date.UTC(2026, 11, 2, 14, 0));
  });
});
