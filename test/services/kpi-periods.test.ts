import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { lastFullWeek, previousPeriodOf, weekPeriod } from '../../src/services/kpis.js';
import { periodWeeks, periodWords, weekBoundaries } from '../../src/services/kpi-periods.js';

const BERLIN = 'Europe/Berlin';
const HOUR = 3_600_000;
const utc = (iso: string): number => Date.parse(iso);

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('weekPeriod', () => {
  it('is Monday 00:00 to the next Monday 00:00 on the local wall clock', () => {
    // Berlin is UTC+1 in November: local midnight is 23:00 UTC the day before.
    expect(weekPeriod('2026-11-16', BERLIN)).toEqual({ from: utc('2026-11-15T23:00:00Z'), to: utc('2026-11-22T23:00:00Z') });
    expect(weekPeriod('2026-11-16', 'UTC')).toEqual({ from: utc('2026-11-16T00:00:00Z'), to: utc('2026-11-23T00:00:00Z') });
  });

  it('is 169 hours long in the week the clocks go back, and 167 in the week they go forward', () => {
    // Last Sunday of October 2026 (25th): 03:00 CEST becomes 02:00 CET.
    const autumn = weekPeriod('2026-10-19', BERLIN);
    expect(autumn).toEqual({ from: utc('2026-10-18T22:00:00Z'), to: utc('2026-10-25T23:00:00Z') });
    expect(autumn.to - autumn.from).toBe(169 * HOUR);
    // Last Sunday of March 2026 (29th): 02:00 CET becomes 03:00 CEST.
    const spring = weekPeriod('2026-03-23', BERLIN);
    expect(spring).toEqual({ from: utc('2026-03-22T23:00:00Z'), to: utc('2026-03-29T22:00:00Z') });
    expect(spring.to - spring.from).toBe(167 * HOUR);
    // Both still count as one week.
    expect(periodWeeks(autumn)).toBe(1);
    expect(periodWeeks(spring)).toBe(1);
    expect(periodWords(autumn)).toBe('this week');
    expect(periodWords(spring)).toBe('this week');
  });

  it('refuses dates that do not parse, are not real, or are not Mondays, with a clear message', () => {
    for (const bad of ['yesterday', '2026-1-5', '16/11/2026', '']) {
      const error = refusal(() => weekPeriod(bad, BERLIN));
      expect(error.code).toBe('invalid_input');
      expect(error.message).toContain('like 2026-11-16');
    }
    expect(refusal(() => weekPeriod('2026-02-30', BERLIN)).message).toBe('2026-02-30 is not a real date.');
    expect(refusal(() => weekPeriod('2026-13-02', BERLIN)).message).toBe('2026-13-02 is not a real date.');
    expect(refusal(() => weekPeriod('2026-11-18', BERLIN)).message).toBe('2026-11-18 is a Wednesday; weeks start on Monday. Did you mean 2026-11-16?');
    expect(refusal(() => weekPeriod('2026-11-22', BERLIN)).message).toBe('2026-11-22 is a Sunday; weeks start on Monday. Did you mean 2026-11-16?');
    expect(refusal(() => weekPeriod('2026-11-16', 'Mars/Olympus')).message).toContain('is not a time zone');
  });
});

describe('lastFullWeek', () => {
  it('lastFullWeek is the last Monday-to-Sunday week that has ended', () => {
    const week19 = weekPeriod('2026-10-19', BERLIN);
    // Wednesday after the week.
    expect(lastFullWeek(utc('2026-10-28T10:00:00Z'), BERLIN)).toEqual(week19);
    // Monday 00:00 CET sharp: the week just ended; one millisecond earlier it was still running.
    expect(lastFullWeek(week19.to, BERLIN)).toEqual(week19);
    expect(lastFullWeek(week19.to - 1, BERLIN)).toEqual(weekPeriod('2026-10-12', BERLIN));
    // Sunday 23:30 CET (22:30 UTC) is still inside the week of the 19th: the full week before it is the last.
    expect(lastFullWeek(utc('2026-10-25T22:30:00Z'), BERLIN)).toEqual(weekPeriod('2026-10-12', BERLIN));
  });
});

describe('previousPeriodOf', () => {
  it('is the same number of local days just before, so the week before a 169-hour week has 168 hours', () => {
    const previous = previousPeriodOf(weekPeriod('2026-10-19', BERLIN), BERLIN);
    expect(previous).toEqual(weekPeriod('2026-10-12', BERLIN));
    expect(previous.to - previous.from).toBe(168 * HOUR);
    expect(previousPeriodOf(weekPeriod('2026-11-02', BERLIN), BERLIN)).toEqual(weekPeriod('2026-10-26', BERLIN));
  });

  it('is the same length in milliseconds for a period that does not start and end at local midnight', () => {
    const period = { from: utc('2026-11-16T10:00:00Z'), to: utc('2026-11-16T16:00:00Z') };
    expect(previousPeriodOf(period, BERLIN)).toEqual({ from: utc('2026-11-16T04:00:00Z'), to: period.from });
    expect(periodWords(period)).toBe('in this period');
  });
});

describe('weekBoundaries', () => {
  it('steps back local weeks from the end, each 7 local days', () => {
    const end = weekPeriod('2026-11-02', BERLIN).from;
    const bounds = weekBoundaries(end, 3, BERLIN);
    expect(bounds).toEqual([weekPeriod('2026-10-12', BERLIN).from, weekPeriod('2026-10-19', BERLIN).from, weekPeriod('2026-10-26', BERLIN).from, end]);
    expect(bounds[2]! - bounds[1]!).toBe(169 * HOUR);
  });
});
