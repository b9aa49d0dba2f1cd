import { missingPermissionText } from '../../errors.js';
import type { MatchOutcome, MatchReason } from '../../services/match-rounds.js';
import { formatInZone, localTimeHm, zoneAbbreviation } from '../../services/time.js';
import { MatchActions } from '../ids.js';
import { slackDateTime } from './time.js';
import { BlockKitLimits } from './limits.js';
import type { MessageJson } from './types.js';
import { escapeTruncated, mrkdwn, plainText, truncate } from './text.js';

/**
 * The messages of matching: the introduction in a group DM (why these people, their shared
 * working hours in each person's zone, Schedule a skill-swap), "Did you meet?", the round summary
 * in the channel, the DMs to an admin when a round could not run, the pause DM, and `/peer
 * match`'s suggestions. Skill and role names are text people typed: escaped and cut.
 */

type Block = Record<string, unknown>;

const SKILL_NAME_MAX = 60;
const ROLE_NAME_MAX = 80;

export interface Window {
  start: number;
  end: number;
}

export interface PersonZone {
  userId: string;
  timeZone: string;
}

const skill = (reason: MatchReason, key: string): string => `*${escapeTruncated(reason.skills[key] ?? key, SKILL_NAME_MAX)}*`;

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * "<@A> teaches *SQL* and wants to learn *Figma*", one line per person who teaches or learns
 * something in this match; for a pod, the role they share.
 */
export function reasonLines(reason: MatchReason, userIds: readonly string[], you?: string): string[] {
  const lines: string[] = [];
  for (const userId of userIds) {
    const me = userId === you;
    const teaches = [...new Set(reason.exchanges.filter((e) => e.teacher === userId).map((e) => skill(reason, e.skillKey)))];
    const learns = [...new Set(reason.exchanges.filter((e) => e.learner === userId).map((e) => skill(reason, e.skillKey)))];
    const parts = [teaches.length > 0 ? `${me ? 'teach' : 'teaches'} ${list(teaches)}` : '', learns.length > 0 ? `${me ? 'want' : 'wants'} to learn ${list(learns)}` : ''].filter(Boolean);
    if (parts.length > 0) lines.push(`${me ? 'You' : `<@${userId}>`} ${parts.join(' and ')}`);
  }
  if (reason.role !== null) lines.push(`${lines.length > 0 ? 'And you' : 'You'} all work as *${escapeTruncated(reason.role, ROLE_NAME_MAX)}*.`);
  return lines;
}

/** "14:00–16:00 CET": a shared window as one person reads it. */
function windowText(w: Window, zone: string): string {
  return `${localTimeHm(w.start, zone)}–${localTimeHm(w.end, zone)} ${zoneAbbreviation(w.start, zone)}`;
}

/** One line per person: their shared working hours (up to two windows) in their own zone. */
export function sharedHoursLines(windows: readonly Window[], people: readonly PersonZone[]): string[] {
  if (windows.length === 0) return ["Your working hours barely overlap, so try the start or the end of someone's day."];
  const shown = windows.slice(0, 2);
  return people.map((p) => `<@${p.userId}>: ${shown.map((w) => windowText(w, p.timeZone)).join(', ')}`);
}

export interface MatchIntroInput {
  groupId: number;
  userIds: readonly string[];
  reason: MatchReason;
  /** The round's channel; null for an introduction asked for with `/peer match`. */
  channelId: string | null;
  /** Who asked, for a `/peer match` introduction. */
  requestedBy?: string;
  windows: readonly Window[];
  zones: readonly PersonZone[];
  checkinDays: number | null;
}

/** The introduction posted in a new group DM. */
export function buildMatchIntroMessage(input: MatchIntroInput): MessageJson {
  const mentions = list(input.userIds.map((u) => `<@${u}>`));
  const pod = input.reason.mode === 'pods';
  const opening =
    input.channelId === null
      ? `:wave: ${mentions}: <@${input.requestedBy ?? input.userIds[0]}> asked Peerloop to introduce you.`
      : `:wave: ${mentions}: you're ${pod ? 'a learning pod' : 'matched'} this round in <#${input.channelId}>!`;
  const why = reasonLines(input.reason, input.userIds);
  const blocks: Block[] = [
    { type: 'section', text: mrkdwn(opening) },
    { type: 'section', text: mrkdwn(`*Why you:*\n${why.length > 0 ? why.join('\n') : 'You were all free to meet this round.'}`) },
    { type: 'section', text: mrkdwn(`*Your shared working hours today:*\n${sharedHoursLines(input.windows, input.zones).join('\n')}`) },
    {
      type: 'actions',
      block_id: 'match_intro_actions',
      elements: [
        {
          type: 'button',
          action_id: MatchActions.scheduleSwap,
          value: String(input.groupId),
          style: 'primary',
          text: plainText(pod ? 'Schedule a pod session' : 'Schedule a skill-swap', BlockKitLimits.buttonText),
        },
      ],
    },
  ];
  if (input.checkinDays !== null) {
    blocks.push({ type: 'context', elements: [mrkdwn(`I'll ask "Did you meet?" here in ${input.checkinDays} days. Can't make it? Just say so then.`)] });
  }
  return { text: truncate(`${input.channelId === null ? 'An introduction' : 'Your match this round'}: ${why.length > 0 ? why[0] : mentions}`, BlockKitLimits.messageText), blocks };
}

export const OUTCOME_LABELS: Record<MatchOutcome, string> = { met: 'We met', scheduled: 'Scheduled', not_this_time: 'Not this time' };

function checkinButtons(groupId: number): Block {
  return {
    type: 'actions',
    block_id: 'match_checkin',
    elements: (Object.keys(OUTCOME_LABELS) as MatchOutcome[]).map((outcome) => ({
      type: 'button',
      action_id: `${MatchActions.checkinPrefix}${outcome}`,
      value: String(groupId),
      text: plainText(OUTCOME_LABELS[outcome], BlockKitLimits.buttonText),
      ...(outcome === 'met' ? { style: 'primary' } : {}),
    })),
  };
}

/** "Did you meet?", three days after the intro, in the group DM; anyone in the group may answer. */
export function buildCheckinMessage(groupId: number): MessageJson {
  return {
    text: 'Did you meet?',
    blocks: [{ type: 'section', text: mrkdwn('*Did you meet?* One answer for the group is enough.') }, checkinButtons(groupId)],
  };
}

/** The check-in once answered: who said what; the buttons stay, so a plan that changed can be told. */
export function buildCheckinAnsweredMessage(groupId: number, outcome: MatchOutcome, by: string): MessageJson {
  const thanks: Record<MatchOutcome, string> = { met: 'Great to hear! :tada:', scheduled: 'Nice, enjoy it!', not_this_time: 'No problem, maybe next round.' };
  return {
    text: `Did you meet? ${OUTCOME_LABELS[outcome]}`,
    blocks: [{ type: 'section', text: mrkdwn(`*Did you meet?* <@${by}> answered *${OUTCOME_LABELS[outcome]}*. ${thanks[outcome]}`) }, checkinButtons(groupId)],
  };
}

const LEFT_OUT_TEXT: Record<string, [string, string]> = {
  no_partner: ['had no partner this time', 'had no partner this time'],
  repeat_window: ['had already met everyone available recently', 'had already met everyone available recently'],
  role_too_small: ['had too few people in their role for a pod', 'had too few people in their role for a pod'],
};

export interface RoundSummaryInput {
  groups: number;
  people: number;
  leftOut: Record<string, number>;
  skipping: number;
  pods: boolean;
  nextRoundAt: number | undefined;
  zone: string;
}

/** The short summary in the channel after a round: counts and reasons, never a list of names. */
export function buildRoundSummaryMessage(input: RoundSummaryInput): MessageJson {
  const noun = input.pods ? (input.groups === 1 ? 'pod' : 'pods') : input.groups === 1 ? 'group' : 'groups';
  const head = `*Matching round done:* ${input.groups} ${noun}, ${input.people} ${input.people === 1 ? 'person' : 'people'}. Introductions are on their way to your group DMs.`;
  const out: string[] = [];
  const satOut = Object.entries(input.leftOut).some(([, n]) => n > 0);
  for (const [reason, n] of Object.entries(input.leftOut)) {
    const [one, many] = LEFT_OUT_TEXT[reason] ?? ['sat out', 'sat out'];
    out.push(`${n} ${n === 1 ? one : many}`);
  }
  if (input.skipping > 0) out.push(`${input.skipping} skipped this round`);
  const lines = [head];
  if (out.length > 0) lines.push(`Left out: ${out.join('; ')}.${satOut ? ' Whoever sat out comes first next round.' : ''}`);
  // A date token: each reader sees it in their own zone; the fallback names the workspace zone.
  if (input.nextRoundAt !== undefined) lines.push(`Next round: ${slackDateTime(input.nextRoundAt, input.zone)}.`);
  lines.push('Want in? Turn matching on in `/peer skills`. Want a partner now? `/peer match`.');
  return { text: `Matching round done: ${input.groups} ${noun}, ${input.people} people.`, blocks: [{ type: 'section', text: mrkdwn(lines.join('\n')) }] };
}

export interface RoundNotRunInput {
  channelId: string;
  roundAt: number;
  zone: string;
  reason: string;
  /** How many this round paused after three rounds without an answer (left out, so counted in why). */
  paused?: number;
}

/** To the admin who set the round up: this round did not run, why, and what fixes it. */
export function buildRoundNotRunDm({ channelId, roundAt, zone, reason, paused = 0 }: RoundNotRunInput): MessageJson {
  const when = formatInZone(roundAt, zone);
  const pausedText =
    paused > 0 ? ` ${paused} ${paused === 1 ? 'person was' : 'people were'} paused this round after three rounds without an answer to "Did you meet?"; they can resume from App Home.` : '';
  const text = reason.startsWith('missing_scope:')
    ? `The matching round in <#${channelId}> (${when}) didn't run: ${missingPermissionText(escapeTruncated(reason.slice('missing_scope:'.length), 80))} The next round will run as planned.`
    : reason === 'not_in_channel'
      ? `The matching round in <#${channelId}> (${when}) didn't run: Peerloop isn't in that channel any more. Type \`/invite @Peerloop\` there and the next round will run as planned.`
      : `The matching round in <#${channelId}> (${when}) didn't run: fewer than two people there could be matched (they need to turn matching on in \`/peer skills\`, and not be paused or skipping).${pausedText} I'll try again next round.`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(text) }] };
}

/** Groups listed by name in the refused-groups DM; more are counted, so 200 refusals stay one short DM. */
const REFUSED_GROUPS_LISTED = 10;
/** conversations.open with several people needs this permission. */
const GROUP_DM_SCOPE = 'mpim:write';

/** To the admin: Slack would not open these groups' DMs in one round; the others got theirs. One DM per round. */
export function buildGroupsRefusedDm(input: { channelId: string; groups: readonly { userIds: readonly string[]; code: string }[] }): MessageJson {
  const n = input.groups.length;
  const codes = [...new Set(input.groups.map((g) => g.code))];
  const head = `${n} ${n === 1 ? 'group' : 'groups'} in this round of <#${input.channelId}> got no introduction: Slack refused the group DM or the message, or kept failing. The other groups got theirs.`;
  const scopeLine = codes.some((c) => c === 'missing_scope' || c === 'not_allowed_token_type') ? missingPermissionText(GROUP_DM_SCOPE) : undefined;
  const lines = input.groups.slice(0, REFUSED_GROUPS_LISTED).map((g) => `• ${list(g.userIds.slice(0, 8).map((u) => `<@${u}>`))}: \`${escapeTruncated(g.code, 60)}\``);
  if (n > REFUSED_GROUPS_LISTED) lines.push(`…and ${n - REFUSED_GROUPS_LISTED} more.`);
  const next = scopeLine ?? 'You could introduce these people yourself.';
  const text = `${head} ${next}`;
  return { text, blocks: [{ type: 'section', text: mrkdwn(head) }, { type: 'section', text: mrkdwn(lines.join('\n')) }, { type: 'section', text: mrkdwn(next) }] };
}

/** To a person Peerloop paused after three rounds nobody answered. */
export function buildPausedDm(): MessageJson {
  const text =
    "You weren't matched this round: nobody answered \"Did you meet?\" in your last three rounds, so I paused your matching. No hard feelings! Press Resume when you'd like new partners again.";
  return {
    text,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      { type: 'actions', block_id: 'match_paused', elements: [{ type: 'button', action_id: MatchActions.resume, value: 'resume', style: 'primary', text: plainText('Resume matching', BlockKitLimits.buttonText) }] },
    ],
  };
}

export interface SuggestionItem {
  userId: string;
  reason: MatchReason;
  windows: readonly Window[];
  myZone: string;
  theirZone: string;
}

/** `/peer match`: my three best partners now, each with why, our shared hours and a button. */
export function buildSuggestionsMessage(me: string, items: readonly SuggestionItem[]): { response_type: 'ephemeral'; text: string; blocks: Block[] } {
  const blocks: Block[] = [{ type: 'section', text: mrkdwn('*Your best partners right now:*') }];
  for (const item of items) {
    const why = reasonLines(item.reason, [me, item.userId], me);
    const hours = item.windows.length === 0 ? 'Your working hours barely overlap.' : `Shared hours: ${windowText(item.windows[0]!, item.myZone)} for you, ${windowText(item.windows[0]!, item.theirZone)} for them.`;
    blocks.push({
      type: 'section',
      block_id: `match_suggestion_${item.userId}`,
      text: mrkdwn(`<@${item.userId}>\n${why.length > 0 ? why.join('\n') : 'Free to meet and not met recently.'}\n${hours}`),
      accessory: { type: 'button', action_id: MatchActions.openDm, value: item.userId, text: plainText('Introduce us', BlockKitLimits.buttonText) },
    });
  }
  blocks.push({ type: 'context', elements: [mrkdwn('"Introduce us" opens a group DM with them and posts why you were matched.')] });
  return { response_type: 'ephemeral', text: `Your best partners right now: ${items.map((i) => `<@${i.userId}>`).join(', ')}`, blocks };
}
