import { missingPermissionText } from '../../errors.js';
import type { ExportTable } from '../../services/export.js';
import { buildEphemeralText, type EphemeralMessage } from './help.js';
import { escapeTruncated } from './text.js';

/** `/peer export`: the replies the admin sees, and the comment on the files in their DM. */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function parts(ymd: string): { year: string; monthDay: string } {
  const [year, month, day] = ymd.split('-') as [string, string, string];
  return { year, monthDay: `${MONTHS[Number(month) - 1]} ${Number(day)}` };
}

/** "Nov 1 – Dec 6, 2026", "Dec 1, 2025 – Jan 6, 2026", or "Nov 1, 2026" for one day. */
export function formatDateRange(fromYmd: string, toYmd: string): string {
  const from = parts(fromYmd);
  const to = parts(toYmd);
  if (fromYmd === toYmd) return `${from.monthDay}, ${from.year}`;
  if (from.year === to.year) return `${from.monthDay} – ${to.monthDay}, ${to.year}`;
  return `${from.monthDay}, ${from.year} – ${to.monthDay}, ${to.year}`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export interface ExportRangeText {
  fromYmd: string;
  toYmd: string;
}

/** Shown at once, while the files are built. */
export function buildExportWorkingMessage(range: ExportRangeText): EphemeralMessage {
  return buildEphemeralText(`Preparing your export for ${formatDateRange(range.fromYmd, range.toYmd)}…`);
}

export function buildExportDoneMessage(range: ExportRangeText & { sessions: number }): EphemeralMessage {
  return buildEphemeralText(`Your export (${formatDateRange(range.fromYmd, range.toYmd)}, ${plural(range.sessions, 'session')}) is in your DM with me.`);
}

/** Nothing in the range: no files are sent (four files of headers would only be noise). */
export function buildExportEmptyMessage(range: ExportRangeText & { defaulted: boolean }): EphemeralMessage {
  const hint = range.defaulted ? ' That is the last 90 days; for another range add dates, like `/peer export 2026-01-01 2026-06-30`.' : '';
  return buildEphemeralText(`Nothing to export for ${formatDateRange(range.fromYmd, range.toYmd)}: no sessions and no skills learned in that range, so I sent no files.${hint}`);
}

/** Slack refused the upload: nothing reached the DM. */
export function buildExportFailedMessage(input: { code: string; missingScope?: string }): EphemeralMessage {
  if (input.missingScope !== undefined) return buildEphemeralText(`I couldn't send your export: ${missingPermissionText(escapeTruncated(input.missingScope, 80))}`);
  return buildEphemeralText(`I couldn't send your export to our DM (Slack said \`${escapeTruncated(input.code, 80)}\`), so nothing was sent. Please try again in a minute.`);
}

/** The comment on the four files in the admin's DM: what they hold and how to read them. */
export function exportUploadComment(input: ExportRangeText & { zone: string; counts: Record<ExportTable, number> }): string {
  const { counts } = input;
  return (
    `Peerloop export for ${formatDateRange(input.fromYmd, input.toYmd)}: ${plural(counts.sessions, 'session')}, ${plural(counts.attendance, 'attendance row')}, ` +
    `${plural(counts.votes, 'vote')} and ${plural(counts.competencies, 'skill')} learned. Local times are in ${escapeTruncated(input.zone, 60)}. ` +
    'A vote shows its author and comment only when they agreed to share them; text that looks like a formula starts with an apostrophe so spreadsheets never run it.'
  );
}

/** The title Slack shows on each file. */
export function exportFileTitle(table: ExportTable, range: ExportRangeText): string {
  const names: Record<ExportTable, string> = { sessions: 'Sessions', attendance: 'Attendance', votes: 'Votes', competencies: 'Skills learned' };
  return `${names[table]}, ${formatDateRange(range.fromYmd, range.toYmd)}`;
}
