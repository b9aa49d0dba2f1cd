import { formatLabel } from '../../services/formats.js';
import type { WeeklySession } from '../../services/weekly.js';
import { describeZone, formatInZone } from '../../services/time.js';
import { SessionActions } from '../ids.js';
import { BlockKitLimits } from './limits.js';
import { escapeMrkdwn, escapeTruncated, mrkdwn, plainText, truncate } from './text.js';

export interface WeeklyMessageInput {
  /** The reader's zone: every time in the DM is written in it, zone named. */
  timeZone: string;
  nowMs: number;
  mine: WeeklySession[];
  suggestions: WeeklySession[];
}

/** Own sessions listed one per block; more than this are summed up in one line. */
export const WEEKLY_MINE_SHOWN = 15;
const TITLE_MAX = 120;

const ROLE_TEXT = { host: 'you host', attendee: "you're going", waitlisted: "you're on the waitlist" } as const;

function sessionText(s: WeeklySession, zone: string): string {
  const title = `*#${s.number} ${escapeTruncated(s.title, TITLE_MAX)}*`;
  const when = `${formatInZone(s.startsAt, zone)} · ${s.durationMin} min · ${escapeMrkdwn(formatLabel(s.format))}`;
  return `${title}\n${when} · <#${s.channelId}>`;
}

/** The weekly "your week" DM: my sessions this week, then up to three open ones to join. */
export function buildWeeklyMessage(input: WeeklyMessageInput): { text: string; blocks: Record<string, unknown>[] } {
  const { timeZone: zone } = input;
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: plainText('Your week in peer learning', BlockKitLimits.headerText) }];
  const summary: string[] = [];
  if (input.mine.length > 0) {
    summary.push(`${input.mine.length} ${input.mine.length === 1 ? 'session' : 'sessions'} of yours`);
    blocks.push({ type: 'section', text: mrkdwn(`*You're in ${input.mine.length === 1 ? 'one session' : `${input.mine.length} sessions`} this week*`) });
    for (const s of input.mine.slice(0, WEEKLY_MINE_SHOWN)) {
      blocks.push({ type: 'section', block_id: `weekly_mine_${s.number}`, text: mrkdwn(`${sessionText(s, zone)}\n_${ROLE_TEXT[s.role ?? 'attendee']}_${s.role === 'host' ? '' : ` · host <@${s.hostId}>`}`) });
    }
    const more = input.mine.length - WEEKLY_MINE_SHOWN;
    if (more > 0) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${more} more: \`/peer list mine\``)] });
  }
  if (input.suggestions.length > 0) {
    summary.push(`${input.suggestions.length} open ${input.suggestions.length === 1 ? 'session' : 'sessions'} you might like`);
    if (input.mine.length > 0) blocks.push({ type: 'divider' });
    blocks.push({ type: 'section', text: mrkdwn('*Open sessions you might like*') });
    for (const s of input.suggestions) {
      const spots = s.spotsLeft === null || s.spotsLeft === undefined ? '' : ` · ${s.spotsLeft} ${s.spotsLeft === 1 ? 'spot' : 'spots'} left`;
      blocks.push({
        type: 'section',
        block_id: `weekly_open_${s.number}`,
        text: mrkdwn(`${sessionText(s, zone)}\n_host <@${s.hostId}>${spots}_`),
        accessory: { type: 'button', action_id: SessionActions.join, value: String(s.number), text: plainText('Join', BlockKitLimits.buttonText) },
      });
    }
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Times are in your time zone, ${escapeMrkdwn(describeZone(zone, input.nowMs))}. \`/peer optout\` stops these DMs.`)],
  });
  const text = `Your week in peer learning: ${summary.join(' and ') || 'nothing new'}.`;
  return { text: truncate(text, BlockKitLimits.messageText), blocks };
}
