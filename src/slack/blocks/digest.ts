import { formatLabel } from '../../services/formats.js';
import { DIGEST_CHART_WEEKS, DIGEST_UPCOMING_MAX } from '../../services/digest.js';
import type { Kpi, KpiReport } from '../../services/kpi-report.js';
import { TITLE_MAX } from '../../services/session-model.js';
import { localParts } from '../../services/time.js';
import { DigestActions, SessionActions } from '../ids.js';
import { MISSING_SCOPE_ERRORS, NOT_IN_CHANNEL_ERRORS } from '../slack-errors.js';
import { BlockKitLimits } from './limits.js';
import { slackDateTime } from './time.js';
import type { BlockJson, MessageJson } from './types.js';
import { escapeMrkdwn, escapeTruncated, mrkdwn, plainText, truncate } from './text.js';

/**
 * The weekly KPI digest (posted in the digest channel) and its private preview (`/peer digest`).
 * Pure: a KpiReport (services/kpi-report.ts) and the sessions coming up in, Block Kit out. Every
 * number is shown against its target in words and an emoji; a KPI with too little data shows
 * its own sentence instead of a 0%; a trend only when last week had a number too. Lists end in
 * "and N more" so the message always fits Slack's limits, whatever the report holds.
 */

/** A session starting in the coming week, with a Join button in the digest. */
export interface DigestSession {
  number: number;
  title: string;
  format: string;
  hostId: string;
  /** The host opted out: named in plain text (hostName, else "a colleague"), never @-mentioned. */
  hostOptedOut?: boolean;
  hostName?: string | null;
  startsAt: number;
  durationMin: number;
  /** Open seats; null without a capacity. 0: full (joining puts you on the waitlist). */
  spotsLeft: number | null;
}

/** What the preview offers under the digest, by who asks and where the digest stands. */
export type DigestPreviewAction =
  /** An admin, a digest channel Peerloop is in, this week's digest not posted yet. */
  | { kind: 'post'; channelId: string; channelName: string | null; weekId: string }
  /** An admin, but Peerloop is not in the digest channel. */
  | { kind: 'invite_first'; channelId: string }
  /** This digest was posted already. */
  | { kind: 'posted'; channelId: string }
  /** An admin, no digest channel set. */
  | { kind: 'no_channel' }
  /** Anyone else: where and when the digest is posted, if it is. */
  | { kind: 'info'; channelId: string | null; day: number; hour: number; zone: string };

export interface DigestMessageInput {
  report: KpiReport;
  /** Sessions starting in the week after the digest is read, soonest first, and how many there are in all. */
  upcoming: { sessions: DigestSession[]; total: number };
  /** The preview (to one person) rather than the channel post. */
  preview?: {
    action: DigestPreviewAction;
    /** Why the chart is missing from the preview, when it is (e.g. DMs turned off). */
    chartNote?: string;
  };
  /** The posted digest's chart is uploaded into its thread: say so under it. */
  chartInThread?: boolean;
}

export const DIGEST_TOP_SESSIONS_SHOWN = 5;
export const DIGEST_SKILL_GAPS_SHOWN = 5;
/** People @-mentioned in the thank-you (and in the welcome); the rest are counted. */
export const DIGEST_THANKS_SHOWN = 20;
export const DIGEST_WELCOME_SHOWN = 10;

const SKILL_NAME_MAX = 60;
const HOST_NAME_MAX = 80;
const SESSION_TITLE_SHOWN = 80;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const pct = (n: number): string => `${Math.round(n)}%`;
const oneDecimal = (n: number): string => (Math.round(n * 10) / 10).toFixed(1);
const days = (n: number): string => plural(Math.round(n), 'day');

/** "Mon 23 – Sun 29 Nov" (or "Mon 30 Nov – Sun 6 Dec"): the period's days in its zone (`to` is exclusive). */
export function periodLabel(period: KpiReport['period'], zone: string): string {
  const first = localParts(period.from, zone);
  const last = localParts(Math.max(period.from, period.to - 1), zone);
  const day = (p: typeof first) => `${p.weekday} ${p.day}`;
  const month = (p: typeof first) => MONTHS[p.month - 1]!;
  if (first.year !== last.year) return `${day(first)} ${month(first)} ${first.year} – ${day(last)} ${month(last)} ${last.year}`;
  if (first.month !== last.month) return `${day(first)} ${month(first)} – ${day(last)} ${month(last)}`;
  return `${day(first)} – ${day(last)} ${month(last)}`;
}

/** "Sun 29 Nov": the last local day of the period (`to` is exclusive), as the chart's title names it. */
export function lastDayLabel(period: KpiReport['period'], zone: string): string {
  const last = localParts(Math.max(period.from, period.to - 1), zone);
  return `${last.weekday} ${last.day} ${MONTHS[last.month - 1]!}`;
}

/** The chart's title, the same in Slack, the report and the demo: "Peer learning, the 8 weeks to Sun 29 Nov". */
export function digestChartTitle(report: Pick<KpiReport, 'period' | 'timeZone'>): string {
  return `Peer learning, the ${DIGEST_CHART_WEEKS} weeks to ${lastDayLabel(report.period, report.timeZone)}`;
}

/**
 * A rate as shown next to its verdict: whole percent, unless rounding would carry it across the
 * target (59.6% is below a 60% target and must not read "60%, below the 60% target"): then one
 * decimal, cut rather than rounded on the side it is on (59.96% shows 59.9%). `met` is the
 * report's verdict on the exact value, which this keeps true to what is shown.
 */
function pctAgainst(value: number, target: number | null): string {
  if (target === null) return pct(value);
  if (value < target && Math.round(value) >= target) return `${(Math.floor(value * 10) / 10).toFixed(1)}%`;
  return pct(value);
}

/** "up 8 points from 64%": a rate's change from last week in words; '' without a previous value. */
function pointsTrend(k: Kpi): string {
  if (k.value === null || k.previous === null) return '';
  const change = Math.round(k.value) - Math.round(k.previous);
  // Equal once rounded but not equal: "about", so 60.4% against 59.6% does not read as no change.
  if (change === 0) return ` ${k.value === k.previous ? 'Same' : 'About the same'} as last week (${pct(k.previous)}).`;
  return ` ${change > 0 ? 'Up' : 'Down'} ${plural(Math.abs(change), 'point')} from ${pct(k.previous)} last week.`;
}

function verdict(k: Kpi): string {
  if (k.met === true) return ':white_check_mark:';
  if (k.met === false) return ':warning:';
  return ':bar_chart:';
}

/** A KPI's own "too little data" sentence, escaped; never a 0% standing in for "unknown". */
function insufficient(label: string, k: Kpi): string {
  return `:grey_question: *${label}:* ${escapeMrkdwn(k.insufficient ?? 'Not enough data this week to say.')}`;
}

function participationText(r: KpiReport): string {
  const p = r.participation;
  const lines: string[] = [];
  if (p.value === null) {
    lines.push(insufficient('Participation', p));
  } else {
    const came = ` ${p.attended} of ${plural(p.invited, 'person', 'people')} invited came.`;
    const shown = pctAgainst(p.value, p.target);
    const head =
      p.met === true
        ? `*Participation ${shown}* (target ${pct(p.target!)}).`
        : p.met === false
          ? `*Participation ${shown}*, below the ${pct(p.target!)} target.`
          : `*Participation ${shown}*.`;
    lines.push(`${verdict(p)} ${head}${came}${pointsTrend(p)}`);
  }
  if (p.unmarkedSessions > 0) {
    lines.push(`:clipboard: ${plural(p.unmarkedSessions, 'session')} without attendance — hosts, use \`/peer attended <number>\` so ${p.unmarkedSessions === 1 ? 'it counts' : 'they count'}.`);
  }
  return lines.join('\n');
}

function sessionsText(r: KpiReport): string {
  const s = r.sessions;
  const month = s.per30Days;
  let head: string;
  if (month.value === null) head = insufficient('Sessions', month);
  else if (month.met === true) head = `${verdict(month)} *${plural(month.value, 'session')} in the last 30 days* (target ${month.target} a month).`;
  else if (month.met === false) head = `${verdict(month)} *${plural(month.value, 'session')} in the last 30 days*, below the target of ${month.target} a month.`;
  else head = `${verdict(month)} *${plural(month.value, 'session')} in the last 30 days.*`;
  const week: string[] = [`${plural(s.held, 'session')} held this week`];
  if (s.perWeek.previous !== null && s.perWeek.value !== null) week[0] += ` (${Math.round(s.perWeek.previous)} the week before)`;
  if (s.averageMinutes.value !== null) week.push(`${Math.round(s.averageMinutes.value)} min long on average`);
  if (s.cancelled > 0) week.push(`${s.cancelled} cancelled`);
  return `${head}\n${week.join(', ')}.`;
}

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** Votes per answer 1-5 as five bars, scaled to the largest: a distribution at a glance. */
export function sparkline(counts: readonly number[]): string {
  const max = Math.max(...counts, 0);
  return counts.map((c) => (max === 0 || c === 0 ? ' ' : SPARKS[Math.max(0, Math.ceil((c / max) * SPARKS.length) - 1)]!)).join('');
}

/** " 2 polls still open." when votes may still come in; '' otherwise (and for a report without the count). */
function openPollsNote(s: KpiReport['satisfaction']): string {
  const open = s.openPolls ?? 0;
  return open > 0 ? ` ${plural(open, 'poll')} still open.` : '';
}

function satisfactionText(r: KpiReport): string {
  const s = r.satisfaction;
  if (s.value === null) return `${insufficient('Satisfaction', s)}${openPollsNote(s)}`;
  const emoji = s.met === null ? ':star:' : verdict(s);
  const target = s.target === null ? '' : s.met === true ? ` (target ${oneDecimal(s.target)})` : `, below the ${oneDecimal(s.target)} target`;
  const rate = s.responseRate === null ? '' : ` (${pct(s.responseRate)} of attendees answered)`;
  let trend = '';
  if (s.previous !== null) {
    // From the values as shown, so "3.8, down 0.3 from 4.1" always adds up.
    const change = (Math.round(s.value * 10) - Math.round(s.previous * 10)) / 10;
    trend =
      change !== 0
        ? ` ${change > 0 ? 'Up' : 'Down'} ${oneDecimal(Math.abs(change))} from ${oneDecimal(s.previous)} last week.`
        : ` ${s.value === s.previous ? 'Same' : 'About the same'} as last week.`;
  }
  const distribution = `Answers 1 to 5: \`${sparkline(s.distribution)}\` (${s.distribution.join(' · ')})`;
  return `${emoji} *Satisfaction ${oneDecimal(s.value)} / 5*${target} from ${plural(s.votes, 'vote')}${rate}.${openPollsNote(s)}${trend}\n${distribution}`;
}

function competencyText(r: KpiReport): string {
  const c = r.competency;
  if (c.value === null) return insufficient('Time to competency', c);
  const head = `*Time to competency ${days(c.value)}* (median of ${plural(c.reached, 'skill')} learned)`;
  const last = c.previous === null ? '' : ` Last week: ${days(c.previous)}.`;
  if (c.baselineDays === null || c.changePct === null) {
    return `:bar_chart: ${head}. No baseline to compare with yet: an admin can set one in \`/peer settings\`.${last}`;
  }
  // Same rule as pctAgainst: -19.6% against a 20%-faster target reads "19.6% faster", not "20%".
  const crosses = c.met !== true && Math.round(c.changePct) <= -c.fasterTargetPct;
  const change = crosses ? Math.ceil(c.changePct * 10) / 10 : Math.round(c.changePct);
  const shown = (n: number) => (crosses ? n.toFixed(1) : String(n));
  const against =
    change < 0 ? `${shown(Math.abs(change))}% faster than` : change > 0 ? `${shown(change)}% slower than` : 'the same as';
  const target = c.met === true ? ` (target: ${c.fasterTargetPct}% faster)` : `; the target is ${c.fasterTargetPct}% faster`;
  return `${c.met === true ? ':white_check_mark:' : ':warning:'} ${head}, ${against} the ${Math.round(c.baselineDays)}-day baseline${target}.${last}`;
}

function matchingText(r: KpiReport): string | undefined {
  const m = r.matching;
  if (m.groups === 0 && m.answered === 0) return undefined;
  const met =
    m.metShare.value === null
      ? escapeMrkdwn(m.metShare.insufficient ?? 'Too few answers to "Did you meet?" to say how many met.')
      : `${m.met} of ${m.answered} that answered met (${pct(m.metShare.value)}).${pointsTrend(m.metShare)}`;
  return `:handshake: *${plural(m.groups, 'group')} matched.* ${met}`;
}

/**
 * Lines under a heading, as many as fit `limit` characters (and `max` lines), then "and N more"
 * naming what was left out: a section never goes over Slack's 3,000 characters.
 */
function fitLines(heading: string, lines: readonly string[], max: number, more: (n: number) => string, limit: number = BlockKitLimits.sectionText, total: number = lines.length): string {
  const kept: string[] = [];
  let length = heading.length;
  // `total` counts items beyond `lines` too (the report holds only the first few skill gaps).
  const all = Math.max(total, lines.length);
  const reserve = more(all).length + 1;
  for (const line of lines.slice(0, max)) {
    const left = all - kept.length - 1;
    if (length + 1 + line.length + (left > 0 ? reserve : 0) > limit) break;
    kept.push(line);
    length += 1 + line.length;
  }
  const rest = all - kept.length;
  return [heading, ...kept, ...(rest > 0 ? [more(rest)] : [])].join('\n');
}

/** People the report says opted out: the digest names them nowhere with a mention (see thanksText). */
function optedOutPeople(r: KpiReport): Set<string> {
  const { hosts, teachers, newParticipants } = r.contributors;
  return new Set([...hosts, ...teachers, ...newParticipants].filter((p) => p.optedOut).map((p) => p.userId));
}

function topSessionsText(r: KpiReport): string | undefined {
  if (r.topSessions.length === 0) return undefined;
  const quiet = optedOutPeople(r);
  const lines = r.topSessions.map((s) => {
    const host = quiet.has(s.hostId) ? '' : `, hosted by <@${s.hostId}>`;
    return `• *#${s.number} ${escapeTruncated(s.title, SESSION_TITLE_SHOWN)}*${host}: ${oneDecimal(s.average)} / 5 from ${plural(s.votes, 'vote')}`;
  });
  return fitLines(':trophy: *Best-rated sessions*', lines, DIGEST_TOP_SESSIONS_SHOWN, (n) => `_…and ${n} more_`);
}

/** "<@A>, <@B> and <@C>", with the rest counted: "<@A>, <@B> and 3 others". */
function nameList(mentions: readonly string[], others: number): string {
  const names = [...mentions];
  if (others > 0) names.push(plural(others, 'other'));
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The thank-you: everyone who hosted or taught, most sessions first. People who opted out of
 * Peerloop's messages are not @-mentioned (a mention is a notification); they are counted in
 * "and N others", so the thanks stay true without pinging them.
 */
function thanksText(r: KpiReport): string | undefined {
  const seen = new Set<string>();
  const people: { userId: string; optedOut: boolean }[] = [];
  for (const p of [...r.contributors.hosts, ...r.contributors.teachers]) {
    if (seen.has(p.userId)) continue;
    seen.add(p.userId);
    people.push(p);
  }
  const lines: string[] = [];
  if (people.length > 0) {
    const mentionable = people.filter((p) => !p.optedOut).slice(0, DIGEST_THANKS_SHOWN);
    // Nobody to name (all opted out): "2 others" alone would read as if someone were missing.
    lines.push(
      mentionable.length === 0
        ? `:raised_hands: *Thanks* to the ${people.length === 1 ? 'person' : `${people.length} people`} who hosted or taught this week.`
        : `:raised_hands: *Thank you* to everyone who hosted or taught this week: ${nameList(mentionable.map((p) => `<@${p.userId}>`), people.length - mentionable.length)}.`,
    );
  }
  const fresh = r.contributors.newParticipants;
  if (fresh.length > 0) {
    const mentionable = fresh.filter((p) => !p.optedOut).slice(0, DIGEST_WELCOME_SHOWN);
    const names = nameList(mentionable.map((p) => `<@${p.userId}>`), fresh.length - mentionable.length);
    lines.push(`:wave: Welcome to ${mentionable.length === 0 ? `${plural(fresh.length, 'person', 'people')}` : names}, at their first session.`);
  }
  return lines.length === 0 ? undefined : lines.join('\n');
}

function skillGapsText(r: KpiReport): string | undefined {
  if (r.skillGaps.length === 0) return undefined;
  const lines = r.skillGaps.map((g) => {
    const skill = `*${escapeTruncated(g.skill, SKILL_NAME_MAX)}*`;
    const teach = g.teachers === 0 ? 'nobody can teach it yet' : `${g.teachers} can teach it`;
    return `• ${g.learners} want${g.learners === 1 ? 's' : ''} to learn ${skill}, ${teach}.`;
  });
  const body = fitLines(':seedling: *Skills people want to learn*', lines, DIGEST_SKILL_GAPS_SHOWN, (n) => `_…and ${n} more_`, BlockKitLimits.sectionText - 80, r.skillGapsTotal);
  return `${body}\nCan you teach one of these? Say so in \`/peer skills\`.`;
}

function upcomingBlocks(input: DigestMessageInput): BlockJson[] {
  const zone = input.report.timeZone;
  const { sessions, total } = input.upcoming;
  if (sessions.length === 0) {
    return [{ type: 'section', text: mrkdwn(':calendar: *Coming up:* no sessions scheduled for the next 7 days yet. `/peer schedule` starts one.') }];
  }
  const shown = sessions.slice(0, DIGEST_UPCOMING_MAX);
  const blocks: BlockJson[] = [{ type: 'section', text: mrkdwn(':calendar: *Coming up in the next 7 days*') }];
  for (const s of shown) {
    const seats = s.spotsLeft === null ? '' : s.spotsLeft <= 0 ? ' · full, waitlist open' : ` · ${plural(s.spotsLeft, 'spot')} left`;
    const host = s.hostOptedOut === true ? (s.hostName == null || s.hostName.trim() === '' ? 'a colleague' : escapeTruncated(s.hostName, HOST_NAME_MAX)) : `<@${s.hostId}>`;
    const text =
      `*#${s.number} ${escapeTruncated(s.title, TITLE_MAX)}*\n` +
      `${slackDateTime(s.startsAt, zone)} · ${s.durationMin} min · ${escapeMrkdwn(formatLabel(s.format))} · host ${host}${seats}`;
    blocks.push({
      type: 'section',
      block_id: `digest_next_${s.number}`,
      text: mrkdwn(text),
      accessory: { type: 'button', action_id: SessionActions.join, value: String(s.number), text: plainText('Join', BlockKitLimits.buttonText) },
    });
  }
  const more = Math.max(total, sessions.length) - shown.length;
  if (more > 0) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${more} more: \`/peer list\` shows them all.`)] });
  return blocks;
}

function previewBlocks(action: DigestPreviewAction, report: KpiReport): BlockJson[] {
  switch (action.kind) {
    case 'post': {
      const name = action.channelName === null ? 'the digest channel' : `#${action.channelName}`;
      return [
        { type: 'divider' },
        {
          type: 'section',
          block_id: 'digest_post',
          text: mrkdwn(`Post this digest to <#${action.channelId}> now? The scheduled one for these days will then not be posted again.`),
          accessory: {
            type: 'button',
            action_id: DigestActions.postNow,
            value: action.weekId,
            style: 'primary',
            text: plainText(`Post to ${name} now`, BlockKitLimits.buttonText),
            confirm: {
              title: plainText('Post the digest?', 100),
              text: plainText(truncate(`Everyone in ${name} will see last week's digest, with its chart in the thread.`, 300), 300),
              confirm: plainText('Post it', 30),
              deny: plainText('Not now', 30),
            },
          },
        },
      ];
    }
    case 'invite_first':
      return [
        { type: 'divider' },
        { type: 'section', text: mrkdwn(`:warning: Peerloop isn't in <#${action.channelId}>, so the digest cannot be posted there. Type \`/invite @Peerloop\` in that channel, then run \`/peer digest\` again to post it.`) },
      ];
    case 'posted':
      return [
        {
          type: 'context',
          elements: [mrkdwn(`:white_check_mark: This digest was posted to <#${action.channelId}>; it is posted once a week.`)],
        },
      ];
    case 'no_channel':
      return [{ type: 'context', elements: [mrkdwn('No digest channel is set, so nothing is posted each week. Choose one in `/peer settings`.')] }];
    case 'info':
      return [
        {
          type: 'context',
          elements: [
            mrkdwn(
              action.channelId === null
                ? 'No weekly digest channel is set yet; an admin can choose one in `/peer settings`.'
                : `The digest is posted to <#${action.channelId}> every ${WEEKDAYS[action.day]} at ${String(action.hour).padStart(2, '0')}:00 (${escapeMrkdwn(action.zone)}).`,
            ),
          ],
        },
      ];
  }
}

/** The notification text: the headline numbers in one line. */
function fallbackText(r: KpiReport, label: string): string {
  if (!r.hasAnySessions) return `Peer learning, ${label}: no peer sessions yet. Start one with /peer schedule.`;
  const parts: string[] = [];
  if (r.participation.value !== null) parts.push(`participation ${pctAgainst(r.participation.value, r.participation.target)}${r.participation.target === null ? '' : ` (target ${pct(r.participation.target)})`}`);
  parts.push(`${plural(r.sessions.held, 'session')} held`);
  if (r.satisfaction.value !== null) parts.push(`satisfaction ${oneDecimal(r.satisfaction.value)}/5`);
  return truncate(`Peer learning, ${label}: ${parts.join(', ')}.`, BlockKitLimits.messageText);
}

/**
 * The weekly digest: headline KPIs against their targets with last week's trend, the best-rated
 * sessions, a thank-you, the skills people want most, and the coming week's sessions with Join
 * buttons (the session Join listener handles the click). A workspace that never had a session
 * gets one friendly line instead of a wall of zeros.
 */
export function buildDigestMessage(input: DigestMessageInput): MessageJson {
  const r = input.report;
  const label = periodLabel(r.period, r.timeZone);
  const blocks: BlockJson[] = [];
  if (input.preview !== undefined) {
    const note = input.preview.chartNote === undefined ? '' : ` ${escapeMrkdwn(input.preview.chartNote)}`;
    blocks.push({ type: 'context', elements: [mrkdwn(`:eyes: *Preview, only you see this.* It covers last week, ${label} (${escapeMrkdwn(r.timeZone)}).${note}`)] });
  }
  blocks.push({ type: 'header', text: plainText(`Peer learning, the week of ${label}`, BlockKitLimits.headerText) });
  if (!r.hasAnySessions) {
    blocks.push({ type: 'section', text: mrkdwn('No peer sessions yet. Start one with `/peer schedule`: a 15-minute demo of something you know well is plenty, and this digest will count it next week.') });
    if (input.upcoming.sessions.length > 0) blocks.push(...upcomingBlocks(input));
  } else {
    blocks.push({ type: 'section', block_id: 'digest_participation', text: mrkdwn(participationText(r)) });
    blocks.push({ type: 'section', block_id: 'digest_sessions', text: mrkdwn(sessionsText(r)) });
    blocks.push({ type: 'section', block_id: 'digest_satisfaction', text: mrkdwn(satisfactionText(r)) });
    blocks.push({ type: 'section', block_id: 'digest_competency', text: mrkdwn(competencyText(r)) });
    const matching = matchingText(r);
    if (matching !== undefined) blocks.push({ type: 'section', block_id: 'digest_matching', text: mrkdwn(matching) });
    const extras = [
      { id: 'digest_top', text: topSessionsText(r) },
      { id: 'digest_thanks', text: thanksText(r) },
      { id: 'digest_gaps', text: skillGapsText(r) },
    ].filter((e): e is { id: string; text: string } => e.text !== undefined);
    if (extras.length > 0) blocks.push({ type: 'divider' });
    for (const e of extras) blocks.push({ type: 'section', block_id: e.id, text: mrkdwn(e.text) });
    blocks.push({ type: 'divider' });
    blocks.push(...upcomingBlocks(input));
  }
  const chart = input.chartInThread === true ? ' The 8-week chart is in the thread.' : '';
  blocks.push({ type: 'context', elements: [mrkdwn(`Numbers for ${label}, ${escapeMrkdwn(r.timeZone)}.${chart} \`/peer digest\` shows a preview any time.`)] });
  if (input.preview !== undefined) blocks.push(...previewBlocks(input.preview.action, r));
  return { text: fallbackText(r, label), blocks };
}

const POST_MISSED = 'To post the one that was missed now, run `/peer digest` and click its *Post … now* button.';

/**
 * The DM to an admin when the digest channel refused the digest: what happened in words (by
 * Slack's error code; without one, Peerloop is not in the channel), how to fix it, when the next
 * one goes out, and how to post the missed one now. An archived or deleted channel cannot be
 * fixed with /invite: the admin is sent to `/peer settings` instead.
 */
export function buildDigestNotInChannelDm(input: { channelId: string; day: number; hour: number; zone: string; error?: string }): MessageJson {
  const when = `${WEEKDAYS[input.day]} at ${String(input.hour).padStart(2, '0')}:00 (${escapeMrkdwn(input.zone)})`;
  const head = `:warning: I couldn't post the weekly KPI digest in <#${input.channelId}>`;
  let text: string;
  let summary: string;
  if (input.error === 'is_archived') {
    text = `${head}: that channel was archived. Choose another in \`/peer settings\`, and the next digest goes there on ${when}.`;
    summary = "I couldn't post the weekly digest: the digest channel was archived.";
  } else if (input.error === 'channel_not_found') {
    text =
      `${head}: Slack can't find that channel. It was deleted, or it is private and Peerloop isn't in it. ` +
      `Choose another in \`/peer settings\` (or type \`/invite @Peerloop\` in it, if it still exists), and the next digest goes there on ${when}. ${POST_MISSED}`;
    summary = "I couldn't post the weekly digest: Slack can't find the digest channel.";
  } else if (input.error !== undefined && !NOT_IN_CHANNEL_ERRORS.has(input.error)) {
    const why = MISSING_SCOPE_ERRORS.has(input.error)
      ? 'Peerloop is missing a Slack permission it needs: reinstall Peerloop in your workspace (or ask whoever installed it) to grant it.'
      : 'Slack refused the message. This is likely a problem in Peerloop itself: please tell whoever runs it.';
    text = `${head}: ${why} (Slack said \`${escapeMrkdwn(input.error)}\`.) The next digest is tried on ${when}. ${POST_MISSED}`;
    summary = `I couldn't post the weekly digest: Slack said ${input.error}.`;
  } else {
    text =
      `${head}: Peerloop isn't in that channel.\n` +
      `Type \`/invite @Peerloop\` in <#${input.channelId}> and the next digest goes there on ${when}. ${POST_MISSED} ` +
      'Or choose another channel in `/peer settings`.';
    summary = "I couldn't post the weekly digest: Peerloop isn't in the digest channel.";
  }
  return { text: summary, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
