import { describe, expect, it } from 'vitest';
import { isoWeekId, nextLocalOccurrence } from '../../src/services/time.js';
import { currentWeeklyWeek, isoWeekMonday, parseWeeklyKey, weeklyWindow } from '../../src/services/weekly.js';

const MONDAY = 1;

describe('nextLocalOccurrence', () => {
  it('is 09:00 on the wall clock in New York on both sides of the November DST change', () => {
    // Monday 26 Oct 2026 is still daylight time (UTC-4); Monday 2 Nov is standard time (UTC-5).
    expect(nextLocalOccurrence(MONDAY, 9, 'America/New_York', Date.UTC(2026, 9, 24))).toBe(Date.UTC(2026, 9, 26, 13, 0));
    expect(nextLocalOccurrence(MONDAY, 9, 'America/New_York', Date.UTC(2026, 9, 26, 13, 1))).toBe(Date.UTC(2026, 10, 2, 14, 0));
  });

  it('handles a half-hour zone and a zone ahead of UTC whose Monday starts on Sunday UTC', () => {
    expect(nextLocalOccurrence(MONDAY, 9, 'Asia/Kolkata', Date.UTC(2026, 9, 30))).toBe(Date.UTC(2026, 10, 2, 3, 30));
    expect(nextLocalOccurrence(MONDAY, 9, 'Pacific/Auckland', Date.UTC(2026, 10, 1, 12))).toBe(Date.UTC(2026, 10, 1, 20, 0));
  });

  it('returns the instant itself when it is exactly due, and next week once it has passed', () => {
    const due = Date.UTC(2026, 10, 2, 9, 0);
    expect(nextLocalOccurrence(MONDAY, 9, 'UTC', due)).toBe(due);
    expect(nextLocalOccurrence(MONDAY, 9, 'UTC', due + 1)).toBe(due + 7 * 86_400_000);
  });

  it('moves an hour skipped by spring-forward to the first minute that exists, never dropping the week', () => {
    // Sunday 8 Mar 2026 in New York: 02:00-02:59 does not exist; 03:00 EDT is 07:00 UTC.
    expect(nextLocalOccurrence(0, 2, 'America/New_York', Date.UTC(2026, 2, 7))).toBe(Date.UTC(2026, 2, 8, 7, 0));
  });
});

describe('ISO weeks and the weekly window', () => {
  it('names weeks like ISO 8601 does, including a 53rd week', () => {
    expect(isoWeekId('2026-11-02')).toBe('2026-W45');
    expect(isoWeekId('2026-11-08')).toBe('2026-W45');
    expect(isoWeekId('2026-12-31')).toBe('2026-W53');
    expect(isoWeekId('2027-01-03')).toBe('2026-W53');
    expect(isoWeekId('2027-01-04')).toBe('2027-W01');
    expect(isoWeekMonday('2026-W45')).toBe('2026-11-02');
    expect(isoWeekMonday('2027-W01')).toBe('2027-01-04');
    expect(isoWeekMonday('2026-W01')).toBe('2025-12-29');
  });

  it('gives the due time in the key week and the end (next due time) in the person zone', () => {
    const window = weeklyWindow({ weeklyDay: MONDAY, weeklyHour: 9 }, '2026-W45', 'America/New_York');
    expect(window).toEqual({ dueAt: Date.UTC(2026, 10, 2, 14, 0), endsAt: Date.UTC(2026, 10, 9, 14, 0) });
    const sunday = weeklyWindow({ weeklyDay: 0, weeklyHour: 18 }, '2026-W45', 'UTC');
    expect(sunday.dueAt).toBe(Date.UTC(2026, 10, 8, 18, 0));
  });

  it('parses only well-formed weekly keys', () => {
    expect(parseWeeklyKey('weekly:U0NY:2026-W45')).toEqual({ userId: 'U0NY', weekId: '2026-W45' });
    expect(parseWeeklyKey('weekly:U0NY')).toBeUndefined();
    expect(parseWeeklyKey('reminder:1:U0NY:15')).toBeUndefined();
  });
});

describe('currentWeeklyWeek', () => {
  const monday9 = { weeklyDay: MONDAY, weeklyHour: 9 };

  it('is the week before until this week\'s day and hour have come, in the person\'s zone', () => {
    // Monday 2 Nov 09:00 in New York is 14:00 UTC.
    expect(currentWeeklyWeek(monday9, 'America/New_York', Date.UTC(2026, 10, 2, 13, 59))).toEqual({ weekId: '2026-W44', dueAt: Date.UTC(2026, 9, 26, 13, 0), endsAt: Date.UTC(2026, 10, 2, 14, 0) });
    expect(currentWeeklyWeek(monday9, 'America/New_York', Date.UTC(2026, 10, 2, 14, 0))).toEqual({ weekId: '2026-W45', dueAt: Date.UTC(2026, 10, 2, 14, 0), endsAt: Date.UTC(2026, 10, 9, 14, 0) });
    expect(currentWeeklyWeek(monday9, 'America/New_York', Date.UTC(2026, 10, 10, 15, 0)).weekId).toBe('2026-W46');
  });

  it('handles a Sunday DM (the last day of an ISO week) and a new year', () => {
    const sunday9 = { weeklyDay: 0, weeklyHour: 9 };
    expect(currentWeeklyWeek(sunday9, 'UTC', Date.UTC(2026, 10, 8, 10, 0)).weekId).toBe('2026-W45');
    expect(currentWeeklyWeek(sunday9, 'UTC', Date.UTC(2026, 10, 14, 10, 0)).weekId).toBe('2026-W45');
    // Monday 4 Jan 2027 at 08:00 UTC: the DM of week 1 is not due yet, so it is the last week of 2026.
    expect(currentWeeklyWeek(monday9, 'UTC', Date.UTC(2027, 0, 4, 8, 0)).weekId).toBe('2026-W53');
  });
});
