import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { csvLines, neutraliseFormula } from '../../src/services/csv.js';
import { parseExportDates, resolveExportRange } from '../../src/services/export-range.js';
import { createLocalStamps, localDateYmd, localTimeHm } from '../../src/services/time.js';
import { parseCsv } from '../support/csv.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Kiritimati'];

describe('createLocalStamps (the export\'s fast local times)', () => {
  test.prop([fc.constantFrom(...ZONES), fc.array(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2045, 0, 1) }), { minLength: 1, maxLength: 50 })])(
    'agrees with Intl for any instant, in any order of asking (the per-day cache never leaks into another day)',
    (zone, instants) => {
      const stamps = createLocalStamps(zone);
      for (const ms of instants) {
        expect(stamps.dateTime(ms)).toBe(`${localDateYmd(ms, zone)} ${localTimeHm(ms, zone)}`);
        expect(stamps.date(ms)).toBe(localDateYmd(ms, zone));
      }
    },
  );

  it('is exact minute by minute through a change day (Lord Howe moves by 30 minutes)', () => {
    for (const zone of ['Australia/Lord_Howe', 'America/New_York', 'Europe/Berlin']) {
      const stamps = createLocalStamps(zone);
      for (const day of [Date.UTC(2026, 3, 4, 12), Date.UTC(2026, 9, 3, 12), Date.UTC(2026, 2, 8), Date.UTC(2026, 10, 1), Date.UTC(2026, 2, 29), Date.UTC(2026, 9, 25)]) {
        for (let ms = day - 12 * 3_600_000; ms < day + 36 * 3_600_000; ms += 15 * 60_000) {
          expect(stamps.dateTime(ms)).toBe(`${localDateYmd(ms, zone)} ${localTimeHm(ms, zone)}`);
        }
      }
    }
  });
});

describe('CSV cells', () => {
  test.prop([fc.string({ unit: 'binary', maxLength: 30 })])('read back as written, with an apostrophe only before what could be a formula', (text) => {
    const [row] = parseCsv(`${csvLines([['h']])}${csvLines([[text]])}`).cells;
    expect(row).toEqual([neutraliseFormula(text)]);
    expect(neutraliseFormula(text) === text || /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/.test(text)).toBe(true);
  });

  it('keeps numbers, booleans and empty cells as they are', () => {
    expect(csvLines([[-5, 0, true, false, null, undefined, '']])).toBe('-5,0,yes,no,,,\n');
  });
});

describe('export dates', () => {
  it('reads the forms people type', () => {
    for (const text of ['2026-11-01 2026-12-06', '2026-11-1 2026-12-6', '2026/11/01 2026/12/06', '2026.11.01 to 2026.12.06', '20261101..20261206', '2026-11-01 – 2026-12-06', '2026-11-01—2026-12-06', ' 2026-11-01   until  2026-12-06 ']) {
      expect(parseExportDates(text)).toEqual({ ok: true, dates: { from: '2026-11-01', to: '2026-12-06' } });
    }
    expect(parseExportDates('')).toEqual({ ok: true, dates: { from: null, to: null } });
  });

  it('takes 29 February only in a leap year, and a two-year range from it up to 1 March', () => {
    expect(parseExportDates('2028-02-29')).toMatchObject({ ok: true });
    expect(parseExportDates('2026-02-29')).toMatchObject({ ok: false, message: expect.stringContaining('February 2026 has 28 days') });
    expect(parseExportDates('2028-02-29 2030-03-01')).toMatchObject({ ok: true });
    expect(parseExportDates('2028-02-29 2030-03-02')).toMatchObject({ ok: false, message: expect.stringContaining('more than 2 years') });
  });

  it('fills the defaults in the zone, with `to` inclusive to the end of its local day', () => {
    const now = Date.UTC(2026, 11, 6, 23, 30); // already 7 December in Berlin
    expect(resolveExportRange({ from: null, to: null }, 'Europe/Berlin', now)).toEqual({
      fromYmd: '2026-09-08',
      toYmd: '2026-12-07',
      startMs: Date.UTC(2026, 8, 7, 22),
      endMs: Date.UTC(2026, 11, 7, 23),
      zone: 'Europe/Berlin',
      defaulted: true,
    });
    expect(resolveExportRange({ from: '2026-12-01', to: null }, 'UTC', now)).toMatchObject({ fromYmd: '2026-12-01', toYmd: '2026-12-06', endMs: Date.UTC(2026, 11, 7), defaulted: false });
    // A `to` in the future is fine (upcoming sessions); only `from` must not be.
    expect(resolveExportRange({ from: '2026-12-01', to: '2027-01-31' }, 'UTC', now)).toMatchObject({ toYmd: '2027-01-31' });
    expect(() => resolveExportRange({ from: '2026-12-07', to: null }, 'UTC', now)).toThrow('after today (2026-12-06 in UTC)');
  });
});
