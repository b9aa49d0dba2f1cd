import { describe, expect, it } from 'vitest';
import { addLocalWeeks, describeZone, formatInZone, localDateYmd, localTimeHm, parseLocalDateTime, zoneOffsetMinutes } from '../../src/services/time.js';
import { slackDateTime } from '../../src/slack/blocks/time.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('parseLocalDateTime', () => {
  it('reads a local time on both sides of the New York fall-back day', () => {
    expect(iso(parseLocalDateTime('2026-10-31', '09:00', 'America/New_York'))).toBe('2026-10-31T13:00:00.000Z');
    expect(iso(parseLocalDateTime('2026-11-01', '09:00', 'America/New_York'))).toBe('2026-11-01T14:00:00.000Z');
  });

  it('takes the first of the two 01:30s on the fall-back night', () => {
    expect(iso(parseLocalDateTime('2026-11-01', '01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('refuses a time the spring-forward change skips, instead of shifting it', () => {
    expect(() => parseLocalDateTime('2027-03-14', '02:30', 'America/New_York')).toThrow(/does not exist/);
    expect(iso(parseLocalDateTime('2027-03-14', '03:00', 'America/New_York'))).toBe('2027-03-14T07:00:00.000Z');
  });

  it('handles half-hour zones and the date line', () => {
    expect(iso(parseLocalDateTime('2026-11-24', '00:00', 'Asia/Kolkata'))).toBe('2026-11-23T18:30:00.000Z');
    expect(iso(parseLocalDateTime('2026-11-24', '23:45', 'Pacific/Kiritimati'))).toBe('2026-11-24T09:45:00.000Z');
  });

  it('refuses impossible dates and malformed text', () => {
    expect(() => parseLocalDateTime('2026-02-30', '09:00', 'UTC')).toThrow(/not a real date/);
    expect(() => parseLocalDateTime('30/11/2026', '09:00', 'UTC')).toThrow(/not a date/);
    expect(() => parseLocalDateTime('2026-11-30', '9am', 'UTC')).toThrow(/not a time/);
    expect(() => parseLocalDateTime('2026-11-30', '24:00', 'UTC')).toThrow(/not a real date/);
  });

  it('round-trips with localDateYmd / localTimeHm', () => {
    const ms = parseLocalDateTime('2027-03-28', '02:15', 'Europe/London');
    expect([localDateYmd(ms, 'Europe/London'), localTimeHm(ms, 'Europe/London')]).toEqual(['2027-03-28', '02:15']);
  });
});

describe('formatInZone', () => {
  it('shows the instant in the reader’s zone with the zone named', () => {
    const ms = Date.parse('2026-11-24T13:00:00Z');
    expect(formatInZone(ms, 'Europe/Berlin')).toBe('Tue 24 Nov, 14:00 CET');
    expect(formatInZone(ms, 'America/New_York')).toBe('Tue 24 Nov, 08:00 EST');
    expect(formatInZone(ms, 'Asia/Kolkata')).toBe('Tue 24 Nov, 18:30 GMT+5:30');
    expect(formatInZone(ms, 'UTC')).toBe('Tue 24 Nov, 13:00 UTC');
  });

  it('zone offsets follow daylight saving', () => {
    expect(zoneOffsetMinutes(Date.parse('2026-10-31T12:00Z'), 'America/New_York')).toBe(-240);
    expect(zoneOffsetMinutes(Date.parse('2026-11-02T12:00Z'), 'America/New_York')).toBe(-300);
    expect(describeZone('Asia/Kolkata', 0)).toBe('Asia/Kolkata (GMT+5:30)');
  });
});

describe('slackDateTime', () => {
  it('is a date token with a zone-named fallback', () => {
    const ms = Date.parse('2026-11-01T14:00:00Z');
    expect(slackDateTime(ms, 'America/New_York')).toBe(`<!date^${ms / 1000}^{date_short_pretty} at {time}|Sun 1 Nov, 09:00 EST>`);
  });
});

describe('addLocalWeeks', () => {
  it('keeps 09:00 local across the November change in New York', () => {
    const start = Date.parse('2026-10-27T13:00:00Z'); // 09:00 EDT
    expect(new Date(addLocalWeeks(start, 1, 'America/New_York')).toISOString()).toBe('2026-11-03T14:00:00.000Z');
    expect(addLocalWeeks(start, 0, 'America/New_York')).toBe(start);
    expect(new Date(addLocalWeeks(start, 1, 'UTC')).toISOString()).toBe('2026-11-03T13:00:00.000Z');
  });

  it('moves a time the clocks skip by the gap instead of failing', () => {
    // 02:30 on 2027-03-07 (EST) -> 2027-03-14 has no 02:30 in New York.
    const start = Date.parse('2027-03-07T07:30:00Z');
    expect(new Date(addLocalWeeks(start, 1, 'America/New_York')).toISOString()).toBe('2027-03-14T07:30:00.000Z');
  });
});
