import { AppError } from '../errors.js';
import { isValidTimeZone } from '../time-zones.js';
import type { Period } from './kpi-report.js';
import { addDaysYmd, localDateYmd, startOfLocalDay } from './time.js';

/**
 * The periods KPIs are computed over, counted in local days of the workspace's zone: a week is
 * [Monday 00:00, next Monday 00:00) on the wall clock, so the week of a DST change is 167 or 169
 * hours long, never "7 x 24 h" that would move a Sunday-evening session into the wrong week.
 */

const DAY_MS = 86_400_000;
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** 0 = Monday ... 6 = Sunday (ISO order: a week starts on Monday). */
function isoWeekdayIndex(ymd: string): number {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** Throws a clear AppError('invalid_input') unless `ymd` is a real calendar date written YYYY-MM-DD. */
export function checkYmd(ymd: string, what = 'date'): void {
  const match = YMD.exec(ymd);
  if (match === null) throw new AppError('invalid_input', `"${ymd}" is not a ${what} like 2026-11-16 (year-month-day).`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new AppError('invalid_input', `${ymd} is not a real date.`);
  }
}

export function checkZone(zone: string): void {
  if (!isValidTimeZone(zone)) throw new AppError('invalid_input', `"${zone}" is not a time zone name like Europe/Berlin.`);
}

/** Throws unless `period` is a non-empty range of real instants. */
export function checkPeriod(period: Period): void {
  if (!Number.isFinite(period.from) || !Number.isFinite(period.to) || period.to <= period.from) {
    throw new AppError('invalid_input', 'A KPI period must end after it starts.');
  }
}

/**
 * The local week that starts on Monday `weekStartYmd`: [that Monday 00:00, the next Monday 00:00)
 * in `zone`. A date that is not a Monday is refused with the Monday of its week named, rather
 * than silently moved.
 */
export function weekPeriod(weekStartYmd: string, zone: string): Period {
  checkYmd(weekStartYmd, 'week start');
  checkZone(zone);
  const index = isoWeekdayIndex(weekStartYmd);
  if (index !== 0) {
    const weekday = WEEKDAYS[(index + 1) % 7];
    throw new AppError('invalid_input', `${weekStartYmd} is a ${weekday}; weeks start on Monday. Did you mean ${addDaysYmd(weekStartYmd, -index)}?`);
  }
  return { from: startOfLocalDay(weekStartYmd, zone), to: startOfLocalDay(addDaysYmd(weekStartYmd, 7), zone) };
}

/** The Monday (YYYY-MM-DD) of the local week holding `ms` in `zone`. */
export function localWeekStartYmd(ms: number, zone: string): string {
  const today = localDateYmd(ms, zone);
  return addDaysYmd(today, -isoWeekdayIndex(today));
}

/** The last local Monday-to-Sunday week that has fully ended at `nowMs` (at Monday 00:00 sharp, the week just ended). */
export function lastFullWeek(nowMs: number, zone: string): Period {
  checkZone(zone);
  return weekPeriod(addDaysYmd(localWeekStartYmd(nowMs, zone), -7), zone);
}

/**
 * The period of the same length just before `period`. When both ends are local midnights (a
 * week, a month of days) it is the same number of local days, so the week before a 167-hour DST
 * week is its full 168 hours; otherwise the same number of milliseconds.
 */
export function previousPeriodOf(period: Period, zone: string): Period {
  const fromYmd = localDateYmd(period.from, zone);
  const toYmd = localDateYmd(period.to, zone);
  if (startOfLocalDay(fromYmd, zone) === period.from && startOfLocalDay(toYmd, zone) === period.to) {
    const days = Math.round((Date.parse(toYmd) - Date.parse(fromYmd)) / DAY_MS);
    return { from: startOfLocalDay(addDaysYmd(fromYmd, -days), zone), to: period.from };
  }
  return { from: period.from - (period.to - period.from), to: period.from };
}

/** The period's length in weeks, from its real length rounded to whole days (a 167 h DST week is 1 week). */
export function periodWeeks(period: Period): number {
  return Math.max(1, Math.round((period.to - period.from) / DAY_MS)) / 7;
}

/**
 * The local week boundaries of the `weeks` weeks ending at `endingBefore` (oldest first, weeks + 1
 * instants): each boundary is 7 local days before the next, the last is `endingBefore` itself.
 */
export function weekBoundaries(endingBefore: number, weeks: number, zone: string): number[] {
  const endYmd = localDateYmd(endingBefore, zone);
  const bounds: number[] = [];
  for (let k = weeks; k >= 1; k -= 1) bounds.push(startOfLocalDay(addDaysYmd(endYmd, -7 * k), zone));
  bounds.push(endingBefore);
  return bounds;
}

/** Words for the period in the `insufficient` sentences: "this week" for 7 local days, else "in this period". */
export function periodWords(period: Period): string {
  return Math.round((period.to - period.from) / DAY_MS) === 7 ? 'this week' : 'in this period';
}
