import { AppError } from '../errors.js';

/**
 * Pure time helpers. Times are epoch ms UTC everywhere; these turn them into what a person in
 * a given IANA zone reads, and back. Built on Intl (the runtime's tz database) rather than
 * dayjs' tz plugin because that plugin silently shifts a local time that does not exist on a
 * spring-forward day, and the product wants that to be an error.
 */

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: string;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    });
    partsFormatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall-clock fields of `ms` as seen in `zone`. */
export function localParts(ms: number, zone: string): LocalParts {
  const parts = partsFormatter(zone).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')) % 24,
    minute: Number(get('minute')),
    weekday: get('weekday'),
  };
}

/** Offset of `zone` from UTC at instant `ms`, in minutes (e.g. +330 for Asia/Kolkata). */
export function zoneOffsetMinutes(ms: number, zone: string): number {
  const p = localParts(ms, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  const floored = Math.floor(ms / 60_000) * 60_000;
  return Math.round((asUtc - floored) / 60_000);
}

// Building an Intl.DateTimeFormat costs far more than using one; lists format dozens of times.
const zoneNameFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneNameFormatter(locale: string, zone: string): Intl.DateTimeFormat {
  const key = `${locale}|${zone}`;
  let formatter = zoneNameFormatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    zoneNameFormatters.set(key, formatter);
  }
  return formatter;
}

/** A short zone name people recognise: "CET", "EST", else "GMT+5:30" (never empty). */
export function zoneAbbreviation(ms: number, zone: string): string {
  const name = (locale: string): string =>
    zoneNameFormatter(locale, zone)
      .formatToParts(new Date(ms))
      .find((p) => p.type === 'timeZoneName')?.value ?? '';
  const us = name('en-US');
  if (!us.startsWith('GMT') || us === 'GMT') return us;
  const gb = name('en-GB');
  return gb.startsWith('GMT') && gb !== 'GMT' ? us : gb;
}

/** "Asia/Kolkata (GMT+5:30)": what a modal hint shows so people know which zone they type in. */
export function describeZone(zone: string, atMs: number): string {
  return `${zone} (${zoneAbbreviation(atMs, zone)})`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number): string => String(n).padStart(2, '0');

// Formatting costs two or three Intl calls (about 25 us); lists, Home and a minute's reminders
// show the same few (start, zone) pairs over and over, so the text is remembered. Same input,
// same output: the cache can only be cleared, never wrong.
const formattedCache = new Map<string, string>();
const FORMATTED_CACHE_MAX = 10_000;

/** "Tue 24 Nov, 14:00 CET": an instant as a person in `zone` reads it, zone included. */
export function formatInZone(ms: number, zone: string): string {
  const key = `${ms}|${zone}`;
  let text = formattedCache.get(key);
  if (text === undefined) {
    const p = localParts(ms, zone);
    text = `${p.weekday} ${p.day} ${MONTHS[p.month - 1]}, ${pad2(p.hour)}:${pad2(p.minute)} ${zoneAbbreviation(ms, zone)}`;
    if (formattedCache.size >= FORMATTED_CACHE_MAX) formattedCache.clear();
    formattedCache.set(key, text);
  }
  return text;
}

/** "2026-11-24": the local date in `zone`, the shape Slack's datepicker uses. */
export function localDateYmd(ms: number, zone: string): string {
  const p = localParts(ms, zone);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)}`;
}

/**
 * Calendar days from one instant's local date to another's in `zone` (never negative): what a
 * person means by "it took 3 days", whatever the hours. App Home and `/peer stats` both count so.
 */
export function localCalendarDays(from: number, to: number, zone: string): number {
  const day = (at: number) => Date.parse(`${localDateYmd(at, zone)}T00:00:00Z`);
  return Math.max(0, Math.round((day(to) - day(from)) / 86_400_000));
}

/** "14:00": the local time in `zone`, the shape Slack's timepicker uses. */
export function localTimeHm(ms: number, zone: string): string {
  const p = localParts(ms, zone);
  return `${pad2(p.hour)}:${pad2(p.minute)}`;
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const HM = /^(\d{2}):(\d{2})$/;

/**
 * The instant a person means by "this date at this time" in their zone. DST-aware: a time that
 * does not exist (skipped by a spring-forward change) is an AppError('invalid_input'); a time
 * that exists twice (fall-back) means the first occurrence, as calendars do.
 */
export function parseLocalDateTime(dateYmd: string, timeHm: string, zone: string): number {
  const d = YMD.exec(dateYmd);
  const t = HM.exec(timeHm);
  if (d === null) throw new AppError('invalid_input', `"${dateYmd}" is not a date like 2026-11-24.`);
  if (t === null) throw new AppError('invalid_input', `"${timeHm}" is not a time like 14:00.`);
  const [year, month, day, hour, minute] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || hour > 23 || minute > 59) {
    throw new AppError('invalid_input', `${dateYmd} ${timeHm} is not a real date and time.`);
  }
  // Try the offsets in force a day either side; one of them fits unless the time was skipped.
  const candidates = [zoneOffsetMinutes(wall - 86_400_000, zone), zoneOffsetMinutes(wall + 86_400_000, zone)]
    .map((offset) => wall - offset * 60_000)
    .filter((ms) => {
      const p = localParts(ms, zone);
      return p.year === year && p.month === month && p.day === day && p.hour === hour && p.minute === minute;
    })
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first === undefined) {
    throw new AppError(
      'invalid_input',
      `${timeHm} does not exist on ${dateYmd} in ${zone} (the clocks skip it for daylight saving). Pick another time.`,
    );
  }
  return first;
}

/**
 * The same wall-clock time `weeks` weeks later in `zone`: a weekly 09:00 in New York stays 09:00
 * across the November change (not "+ 7 x 24 h", which would make it 08:00). A time the clocks
 * skip on that later day keeps its distance in real time instead (it lands just after the gap).
 */
export function addLocalWeeks(ms: number, weeks: number, zone: string): number {
  if (weeks === 0) return ms;
  const p = localParts(ms, zone);
  const later = new Date(Date.UTC(p.year, p.month - 1, p.day + 7 * weeks));
  const ymd = `${later.getUTCFullYear()}-${pad2(later.getUTCMonth() + 1)}-${pad2(later.getUTCDate())}`;
  try {
    return parseLocalDateTime(ymd, `${pad2(p.hour)}:${pad2(p.minute)}`, zone);
  } catch {
    return ms + weeks * 7 * 86_400_000;
  }
}

/** 0 = Sunday ... 6 = Saturday for a calendar date. */
function weekdayOfDate(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/**
 * The first instant at or after `afterMs` that is `weekday` (0 = Sunday ... 6 = Saturday) at
 * `hour`:00 on the wall clock in `zone`. DST-aware: 09:00 in New York is 13:00 UTC before the
 * November change and 14:00 UTC after it, never "last week's instant + 7 x 24 h".
 * An hour that a spring-forward change skips (02:00 on that Sunday) becomes the first minute
 * that exists after the gap, so the occurrence is late by the gap rather than lost.
 */
export function nextLocalOccurrence(weekday: number, hour: number, zone: string, afterMs: number): number {
  const start = localParts(afterMs, zone);
  // Eight days: today might match at an hour already past, then the same weekday next week.
  for (let i = 0; i <= 8; i += 1) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + i));
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (weekdayOfDate(y, m, d) !== weekday) continue;
    const ymd = `${y}-${pad2(m)}-${pad2(d)}`;
    const at = firstExistingLocalTime(ymd, hour, zone);
    if (at >= afterMs) return at;
  }
  throw new Error(`no occurrence of weekday ${weekday} ${hour}:00 in ${zone} within 8 days`);
}

/** The first local time on `ymd` at or after `hour`:00 that exists in `zone` (a DST change can skip the hour itself). */
export function firstExistingLocalTime(ymd: string, hour: number, zone: string): number {
  // Gaps are at most an hour in today's tz database (30 minutes on Lord Howe); step by 15.
  for (let minutes = hour * 60; minutes < 24 * 60; minutes += 15) {
    try {
      return parseLocalDateTime(ymd, `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`, zone);
    } catch {
      // That local time was skipped by a DST change; try a little later.
    }
  }
  throw new Error(`no existing local time on ${ymd} from ${hour}:00 in ${zone}`);
}

/**
 * "2026-W45": the ISO week of a calendar date (weeks start on Monday; week 1 holds the year's
 * first Thursday). Used to key a person's weekly DM so one week never gets two.
 */
export function isoWeekId(dateYmd: string): string {
  const [y, m, d] = dateYmd.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const dayNum = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  date.setUTCDate(date.getUTCDate() + 4 - dayNum);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${pad2(week)}`;
}

/** Where the local day `ymd` starts in `zone`: midnight, or the first time after it when a DST change skips midnight. */
export function startOfLocalDay(ymd: string, zone: string): number {
  return firstExistingLocalTime(ymd, 0, zone);
}

export interface LocalStamps {
  /** "2026-11-24" in the zone. */
  date(ms: number): string;
  /** "2026-11-24 14:00" in the zone: what spreadsheets read as a date and time. */
  dateTime(ms: number): string;
}

/**
 * Local dates and times for many instants in one zone (an export's thousands of rows). Intl costs
 * about 10 us a call; this asks it twice per UTC day met (the offset at the day's start and end)
 * and does plain arithmetic for every instant of a day whose offset does not change. On the two
 * days a year that do change, each instant is looked up exactly.
 */
export function createLocalStamps(zone: string): LocalStamps {
  const dayOffsets = new Map<number, number | null>();
  const offsetAt = (ms: number): number => {
    const day = Math.floor(ms / 86_400_000);
    let offset = dayOffsets.get(day);
    if (offset === undefined) {
      const start = zoneOffsetMinutes(day * 86_400_000, zone);
      const end = zoneOffsetMinutes((day + 1) * 86_400_000 - 60_000, zone);
      offset = start === end ? start : null;
      dayOffsets.set(day, offset);
    }
    return offset ?? zoneOffsetMinutes(ms, zone);
  };
  const wall = (ms: number): Date => new Date(ms + offsetAt(ms) * 60_000);
  const ymd = (d: Date): string => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return {
    date: (ms) => ymd(wall(ms)),
    dateTime: (ms) => {
      const d = wall(ms);
      return `${ymd(d)} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
    },
  };
}

/** The calendar date `days` after `ymd` (negative goes back); plain calendar arithmetic, no zone. */
export function addDaysYmd(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
