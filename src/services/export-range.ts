import { AppError } from '../errors.js';
import { addDaysYmd, localDateYmd, startOfLocalDay } from './time.js';

/**
 * The dates of `/peer export [from] [to]`: what people may type, and which ranges an export
 * covers. Dates are local calendar days in the workspace's zone; `to` is inclusive (its whole day).
 */

/** With no dates, an export covers the 90 days before today, and today. */
export const EXPORT_DEFAULT_DAYS = 90;
/** The longest range one export covers: `to` at most this many years after `from`. */
export const EXPORT_MAX_YEARS = 2;

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Words people put between two dates ("2026-11-01 to 2026-12-06"); they are not dates. */
const CONNECTORS = new Set(['to', 'until', 'till', 'through', 'thru', '-', '–', '—', '..', '...']);

export type TypedDate = { ok: true; ymd: string } | { ok: false; message: string };

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** What was typed, shown back in a code span: short, escaped for mrkdwn (no `<!channel>`), no backticks. */
function shown(text: string): string {
  const chars = Array.from(text);
  const cut = chars.length > 40 ? `${chars.slice(0, 39).join('')}…` : text;
  return `\`${cut.replace(/`/g, "'").replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}\``;
}

/**
 * One typed date, year first: 2026-11-01, 2026-11-1, 2026/11/01, 2026.11.01 or 20261101.
 * Day-first or month-first dates (01/11/2026) are refused by name: they read two ways.
 */
export function parseTypedDate(text: string): TypedDate {
  const yearFirst = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (yearFirst === null) {
    if (/^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/.test(text)) {
      return { ok: false, message: `${shown(text)} could be read two ways. Write dates year first, like 2026-11-01.` };
    }
    if (/^\d{4}-\d{2}-\d{2}[T ]/.test(text)) return { ok: false, message: `${shown(text)} has a time in it. Give just the date, like 2026-11-01.` };
    return { ok: false, message: `${shown(text)} is not a date I can read. Write dates year first, like 2026-11-01.` };
  }
  const [year, month, day] = [Number(yearFirst[1]), Number(yearFirst[2]), Number(yearFirst[3])];
  if (year < 1970) return { ok: false, message: `${shown(text)} is too far back: Peerloop has nothing from before 1970.` };
  if (month < 1 || month > 12) return { ok: false, message: `${shown(text)} is not a real date: there is no month ${month}.` };
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    return { ok: false, message: `${shown(text)} is not a real date: ${MONTH_NAMES[month - 1]} ${year} has ${daysInMonth} days.` };
  }
  return { ok: true, ymd: `${year}-${pad2(month)}-${pad2(day)}` };
}

/** The same day `years` later (29 February becomes 1 March). */
function addYearsYmd(ymd: string, years: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10);
}

/** Why a from/to pair is refused (the earlier date must come first; at most two years), or undefined. */
export function checkDateOrder(fromYmd: string, toYmd: string): string | undefined {
  if (toYmd < fromYmd) return `The end date (${toYmd}) is before the start date (${fromYmd}). Put the earlier date first: \`/peer export ${toYmd} ${fromYmd}\`.`;
  const latest = addYearsYmd(fromYmd, EXPORT_MAX_YEARS);
  if (toYmd > latest) {
    return `${fromYmd} to ${toYmd} is more than ${EXPORT_MAX_YEARS} years; one export covers up to ${EXPORT_MAX_YEARS} years (from ${fromYmd}, up to ${latest}). Export it in parts.`;
  }
  return undefined;
}

export interface ExportDates {
  /** The first day, as typed (normalised to YYYY-MM-DD), or null for the default. */
  from: string | null;
  /** The last day (inclusive), or null for today. */
  to: string | null;
}

/**
 * The text after `/peer export`: nothing, one date (from it to today) or two (from, to), with
 * "to", "until", a dash or ".." allowed between them. Errors name what was typed.
 */
export function parseExportDates(text: string): { ok: true; dates: ExportDates } | { ok: false; message: string } {
  const words = text
    .trim()
    .split(/\s+|\.\.\.?|[–—]/)
    .filter((w) => w !== '' && !CONNECTORS.has(w.toLowerCase()));
  if (words.length > 2) {
    return { ok: false, message: `An export takes at most two dates, the first and the last day, like \`/peer export 2026-11-01 2026-12-06\`. I read ${words.length}.` };
  }
  const parsed: string[] = [];
  for (const word of words) {
    const date = parseTypedDate(word);
    if (!date.ok) return date;
    parsed.push(date.ymd);
  }
  const [from = null, to = null] = parsed;
  if (from !== null && to !== null) {
    const problem = checkDateOrder(from, to);
    if (problem !== undefined) return { ok: false, message: problem };
  }
  return { ok: true, dates: { from, to } };
}

export interface ExportRange {
  fromYmd: string;
  toYmd: string;
  /** The instant the first day starts in `zone`. */
  startMs: number;
  /** The instant the day after the last one starts in `zone` (exclusive end). */
  endMs: number;
  zone: string;
  /** True when the person gave no dates (the last 90 days). */
  defaulted: boolean;
}

/**
 * The range an export covers, in the workspace's zone: defaults filled in (to = today, from =
 * 90 days before to), refused when `from` is after today, `to` is before `from`, or it spans
 * more than two years. Throws AppError('invalid_input') with the sentence to show.
 */
export function resolveExportRange(dates: ExportDates, zone: string, now: number): ExportRange {
  const today = localDateYmd(now, zone);
  const toYmd = dates.to ?? today;
  const fromYmd = dates.from ?? addDaysYmd(toYmd, -EXPORT_DEFAULT_DAYS);
  if (fromYmd > today) {
    throw new AppError('invalid_input', `${fromYmd} is after today (${today} in ${zone}), so there is nothing to export from it yet.`);
  }
  const problem = checkDateOrder(fromYmd, toYmd);
  if (problem !== undefined) {
    // Only `from` was typed, and today is more than two years after it.
    const hint = dates.to === null ? ` Add an end date: \`/peer export ${fromYmd} ${addYearsYmd(fromYmd, EXPORT_MAX_YEARS)}\`.` : '';
    throw new AppError('invalid_input', `${problem}${hint}`);
  }
  return {
    fromYmd,
    toYmd,
    startMs: startOfLocalDay(fromYmd, zone),
    endMs: startOfLocalDay(addDaysYmd(toYmd, 1), zone),
    zone,
    defaulted: dates.from === null && dates.to === null,
  };
}
