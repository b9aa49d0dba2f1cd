import { hasNoStats, STATS_MIN_VOTES, type PersonalStats } from '../../services/personal-stats.js';
import { TITLE_MAX } from '../../services/session-model.js';
import { formatYmd, SKILL_NAME_MAX } from '../../services/skills.js';
import { formatInZone, localCalendarDays, localDateYmd } from '../../services/time.js';
import type { EphemeralMessage } from './help.js';
import { BlockKitLimits } from './limits.js';
import { escapeTruncated, mrkdwn, truncate } from './text.js';
import type { BlockJson } from './types.js';

/**
 * `/peer stats`: the reader's own numbers, privately. Sections appear only when they have
 * something to say; someone with nothing yet gets one line on how to start. Lists are cut by the
 * service (STATS_LIST_MAX) and end in "and N more"; a skill name gets at most NAME_FIT escaped
 * characters, so ten lines always fit a section.
 */

export interface PersonalStatsInput {
  stats: PersonalStats;
  /** The reader's zone: dates and the next session's time are shown in it. */
  timeZone: string;
}

/** Escaped characters one skill name may take in a list line (10 lines stay well under a section's 3,000). */
const NAME_FIT = 150;

export const STATS_EMPTY_TEXT =
  "No stats yet: you haven't attended or hosted a session, or learned a skill. Join one from `/peer list`, or add what you can teach and want to learn with `/peer skills`.";

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function skillName(name: string): string {
  return `*${escapeTruncated(name, SKILL_NAME_MAX, NAME_FIT)}*`;
}

function more(shown: number, total: number): string[] {
  return total > shown ? [`_…and ${total - shown} more_`] : [];
}

function sessionsSection(stats: PersonalStats): string {
  const { attended, hosted, rating } = stats;
  const unmarked = attended.unmarked > 0 ? ` (${attended.unmarked} not marked by the host yet, so the team's participation rate leaves ${attended.unmarked === 1 ? 'it' : 'them'} out)` : '';
  const lines = [`*Attended:* ${plural(attended.total, 'session')}${unmarked}`, `*Hosted:* ${plural(hosted, 'session')}`];
  if (hosted > 0 || rating.votes > 0) {
    const value =
      rating.average !== null
        ? `${rating.average.toFixed(1)} / 5 from ${plural(rating.votes, 'vote')}`
        : rating.votes === 0
          ? 'no ratings yet'
          : `not enough ratings yet (${plural(rating.votes, 'vote')}; it shows from ${STATS_MIN_VOTES})`;
    lines.push(`*Rating of what you hosted:* ${value}`);
  }
  return lines.join('\n');
}

function learnedSection(stats: PersonalStats, zone: string): string {
  const { items, total } = stats.learned;
  const lines = items.map((s) => {
    const days = localCalendarDays(s.startedAt, s.completedAt, zone);
    const took = days === 0 ? 'the same day you started' : `in ${plural(days, 'day')}`;
    return `• ${skillName(s.name)} ${took} (learned ${formatYmd(localDateYmd(s.completedAt, zone))})`;
  });
  return [`*Skills you learned:* ${total}`, ...lines, ...more(items.length, total)].join('\n');
}

function taughtSection(stats: PersonalStats): string {
  const { items, total, people, confirmed } = stats.taught;
  // Confirmed: the teacher answered the DM that asked them (a learner's word alone is "not confirmed yet").
  const head = `*People you taught:* ${people}${total > people ? ` (${plural(total, 'skill')})` : ''} · ${confirmed === total ? (total === 1 ? 'confirmed' : 'all confirmed') : `${confirmed} of ${total} confirmed`}`;
  const lines = items.map((s) => `• <@${s.learnerId}> ${skillName(s.skill)} ${s.confirmed ? ':white_check_mark: confirmed' : '(not confirmed yet)'}`);
  return [head, ...lines, ...more(items.length, total)].join('\n');
}

function nextLine(stats: PersonalStats, zone: string): string | undefined {
  const next = stats.next;
  if (next === null) return undefined;
  const role = next.role === 'host' ? 'you host' : next.role === 'waitlisted' ? "you're on the waitlist" : "you're going";
  return `*Next:* #${next.number} ${escapeTruncated(next.title, TITLE_MAX)} · ${formatInZone(next.startsAt, zone)} · ${role}`;
}

export function buildPersonalStatsMessage({ stats, timeZone }: PersonalStatsInput): EphemeralMessage {
  const next = nextLine(stats, timeZone);
  if (hasNoStats(stats)) {
    const text = next === undefined ? STATS_EMPTY_TEXT : `No stats yet: your first session is coming up.\n${next}`;
    return { response_type: 'ephemeral', text: truncate(text, BlockKitLimits.messageText), blocks: [{ type: 'section', text: mrkdwn(text) }] };
  }
  const blocks: BlockJson[] = [
    { type: 'section', text: mrkdwn('*Your Peerloop stats*') },
    { type: 'section', text: mrkdwn(sessionsSection(stats)) },
  ];
  if (stats.learned.total > 0) blocks.push({ type: 'section', text: mrkdwn(learnedSection(stats, timeZone)) });
  if (stats.taught.total > 0) blocks.push({ type: 'section', text: mrkdwn(taughtSection(stats)) });
  if (next !== undefined) blocks.push({ type: 'context', elements: [mrkdwn(next)] });
  const summary = [
    `attended ${stats.attended.total}`,
    `hosted ${stats.hosted}`,
    `learned ${plural(stats.learned.total, 'skill')}`,
    `taught ${plural(stats.taught.people, 'person', 'people')}`,
  ].join(', ');
  return { response_type: 'ephemeral', text: `Your Peerloop stats: ${summary}.`, blocks };
}
