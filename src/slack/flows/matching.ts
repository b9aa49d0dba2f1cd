import { z } from 'zod';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { AppError, MATCH_ADMIN_ONLY_TEXT, missingPermissionText } from '../../errors.js';
import { getFormat } from '../../services/formats.js';
import { sharedWorkingWindows } from '../../services/matching.js';
import { resumeMatching, skipRound, unskipRound } from '../../services/match-participation.js';
import { getMatchChannel, getMatchGroup, recordIntroPosted, recordMatchOutcome, saveMatchSetup, stopMatchRounds, type MatchGroup, type MatchOutcome, type MatchSetupInput } from '../../services/match-rounds.js';
import { checkSuggestedPartner, discardMatchGroup, recordSuggestedMatch, suggestPartners } from '../../services/match-suggestions.js';
import { resolveWorkspaceZone } from '../../services/members.js';
import { TITLE_MAX, TOPIC_MAX } from '../../services/session-model.js';
import { joinSession } from '../../services/sessions.js';
import { mayDirectMessage } from '../../services/delivery.js';
import type { Session } from '../../services/session-model.js';
import { buildEphemeralText, type EphemeralMessage } from '../blocks/help.js';
import { buildCheckinAnsweredMessage, buildMatchIntroMessage, buildSuggestionsMessage } from '../blocks/match-messages.js';
import { buildMatchSetupModal, buildMatchSetupSavedModal } from '../blocks/match-setup-modal.js';
import { buildScheduleModal } from '../blocks/schedule-modal.js';
import { truncate } from '../blocks/text.js';
import type { Actor } from '../actor.js';
import { MISSING_SCOPE_ERRORS, NOT_IN_CHANNEL_ERRORS, neededScope, SlackCallError } from '../slack-errors.js';
import { queueHomeRefresh } from './home.js';
import { inviteQuietly } from './notices.js';
import { personZone } from './people.js';
import { openModal } from './session-modals.js';
import { refreshSessionCard } from './session-card.js';

/**
 * What people do with matching in Slack: an admin sets a channel's rounds up, anyone asks for
 * partners (`/peer match`) and has one introduced, the intro's Schedule a skill-swap button, the
 * "Did you meet?" answers, Skip this round, Resume.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */


const MATCH_SETUP_NOT_A_CHANNEL_TEXT = 'Run `/peer match setup` in the channel whose members should be matched (not in a DM or group DM).';

const INVITE_TEXT = "Peerloop isn't in this channel yet. Type `/invite @Peerloop` here first, then run `/peer match setup` again.";

/**
 * `/peer match setup`: checks before the form opens (admin, a channel the bot is in), so nobody
 * fills it in vain; the save checks admin rights again. Refusals are AppErrors (the command
 * listener shows them privately). The ack comes first: the channel check is a Slack call.
 */
export async function openMatchSetup(deps: AppDeps, actor: Actor, triggerId: string, channelId: string, ack: () => Promise<void>, channelName?: unknown): Promise<void> {
  if (!actor.isAdmin) {
    // No profile yet means Slack has not said whether they are an admin: "no" would be a guess.
    if (actor.member.profileFetchedAt === null) throw new AppError('forbidden', "I couldn't check your admin rights with Slack just now. Please run `/peer match setup` again in a moment.");
    throw new AppError('forbidden', MATCH_ADMIN_ONLY_TEXT);
  }
  // Slack names a group DM `mpdm-…` in the command payload: refused here even when Peerloop is not in it (conversations.info could not say).
  const name = z.string().max(200).safeParse(channelName);
  if (!/^[CG][A-Z0-9]+$/.test(channelId) || (name.success && name.data.startsWith('mpdm-'))) throw new AppError('invalid_input', MATCH_SETUP_NOT_A_CHANNEL_TEXT);
  await ack();
  let isMember: boolean;
  try {
    const membership = await deps.messenger.fetchChannelMembership(actor.teamId, channelId);
    // A group DM (an mpim has a G… id like an old private channel) is not a channel to match in.
    if (membership.isMpim) throw new AppError('invalid_input', MATCH_SETUP_NOT_A_CHANNEL_TEXT);
    isMember = membership.isMember;
  } catch (error) {
    if (error instanceof SlackCallError && error.kind === 'permanent' && NOT_IN_CHANNEL_ERRORS.has(error.code)) throw new AppError('conflict', INVITE_TEXT);
    if (error instanceof SlackCallError && error.kind === 'permanent' && MISSING_SCOPE_ERRORS.has(error.code)) {
      throw new AppError('conflict', missingPermissionText(neededScope(error, 'channels:read')), { cause: error });
    }
    throw error;
  }
  if (!isMember) throw new AppError('conflict', INVITE_TEXT);
  const svc = serviceDeps(deps);
  const existing = getMatchChannel(svc, actor.teamId, channelId);
  const current: MatchSetupInput | undefined =
    existing?.active === true
      ? { mode: existing.mode, cadenceWeeks: existing.cadenceWeeks as 1 | 2 | 4, weekday: existing.weekday, hour: existing.hour, repeatWeeks: existing.repeatWeeks }
      : undefined;
  const zone = resolveWorkspaceZone(svc, actor.teamId, deps.config.defaultTimeZone);
  await openModal(deps, actor.teamId, triggerId, buildMatchSetupModal({ channelId, current, zone, now: deps.clock.now() }));
}

/** The setup form, valid: saved (admin checked again), and what the modal turns into. */
export function saveMatchSetupForm(deps: AppDeps, actor: Actor, channelId: string, setup: MatchSetupInput): Record<string, unknown> {
  const saved = saveMatchSetup(serviceDeps(deps), actor.teamId, actor, channelId, setup, deps.config.defaultTimeZone);
  deps.logger.info({ teamId: actor.teamId, userId: actor.userId, channelId, ...setup, firstRound: saved.next.roundDate }, 'matching rounds set up');
  return buildMatchSetupSavedModal({ channelId, setup, zone: saved.zone, nextRoundAt: saved.next.at, readerZone: actor.timeZone, created: saved.created });
}

/** `/peer match stop` (admins) in the channel. */
export function stopMatchRoundsFlow(deps: AppDeps, actor: Actor, channelId: string): EphemeralMessage {
  if (!actor.isAdmin) throw new AppError('forbidden', MATCH_ADMIN_ONLY_TEXT);
  const stopped = stopMatchRounds(serviceDeps(deps), actor.teamId, actor, channelId);
  return buildEphemeralText(stopped ? `Matching rounds in <#${channelId}> are stopped. \`/peer match setup\` starts them again.` : `<#${channelId}> has no matching rounds to stop.`);
}

/** `/peer match`: my three best partners now, privately. */
export function suggestionsFlow(deps: AppDeps, actor: Actor): EphemeralMessage {
  const result = suggestPartners(serviceDeps(deps), actor.teamId, actor.userId, deps.config.defaultTimeZone);
  if (result.status === 'not_opted_in') return buildEphemeralText("You haven't turned matching on yet. Add what you teach and want to learn, and switch matching on, with `/peer skills`.");
  if (result.status === 'paused') return buildEphemeralText('Your matching is paused. Resume it from App Home (or the button in my DM), then try `/peer match` again.');
  if (result.suggestions.length === 0) {
    return buildEphemeralText(
      result.hasSkills
        ? "No partners to suggest right now: everyone who could be matched has met you recently, or nobody else has matching on yet. Try again later."
        : 'No partners to suggest yet. Add what you teach and want to learn with `/peer skills`, so I can find people who complement you.',
    );
  }
  const now = deps.clock.now();
  return buildSuggestionsMessage(
    actor.userId,
    result.suggestions.map((s) => ({ userId: s.userId, reason: s.reason, windows: sharedWorkingWindows([result.timeZone, s.timeZone], now), myZone: actor.timeZone, theirZone: s.timeZone })),
  );
}

/** Slack's permanent refusals to open a DM with someone, as the person who clicked should read them. */
const GROUP_DM_REFUSED_TEXT: Record<string, (partnerId: string) => string> = {
  user_disabled: (p) => `I couldn't introduce you to <@${p}>: their Slack account is deactivated. Try \`/peer match\` for fresh suggestions.`,
  user_not_found: (p) => `I couldn't introduce you to <@${p}>: Slack can't find their account in this workspace any more. Try \`/peer match\` for fresh suggestions.`,
  user_not_visible: (p) => `I couldn't introduce you to <@${p}>: Slack doesn't let you two message each other. You could ask a workspace admin, or try \`/peer match\` for someone else.`,
  invalid_user_combination: (p) => `I couldn't introduce you to <@${p}>: Slack doesn't allow a DM between you two (one of you may be a guest). Try \`/peer match\` for someone else.`,
};

/**
 * "Introduce us" under a suggestion: checked again (they may have paused, or we met meanwhile),
 * the group DM opened, the pair stored and the intro posted there. A post Slack refuses leaves
 * no stored pair behind. Returns what to tell the person.
 */
export async function introduceSuggested(deps: AppDeps, actor: Actor, partnerId: string): Promise<string> {
  const svc = serviceDeps(deps);
  const match = checkSuggestedPartner(svc, actor.teamId, actor.userId, partnerId, deps.config.defaultTimeZone);
  let conversationId: string;
  try {
    conversationId = await deps.messenger.openGroupDm(actor.teamId, [actor.userId, partnerId]);
  } catch (error) {
    const text = error instanceof SlackCallError && error.kind === 'permanent' ? GROUP_DM_REFUSED_TEXT[error.code] : undefined;
    if (text === undefined) throw error;
    // Slack's answer about these people, not a fault of Peerloop: a warning, and a message that says what to do.
    deps.logger.warn({ teamId: actor.teamId, userId: actor.userId, partnerId, code: (error as SlackCallError).code }, 'Introduce us: Slack refused the group DM');
    throw new AppError('conflict', text(partnerId), { cause: error });
  }
  const group = recordSuggestedMatch(svc, actor.teamId, [actor.userId, partnerId], match, conversationId);
  try {
    const zones = group.userIds.map((userId) => ({ userId, timeZone: personZone(deps, actor.teamId, userId) }));
    const message = buildMatchIntroMessage({
      groupId: group.id,
      userIds: group.userIds,
      reason: match.reason,
      channelId: null,
      requestedBy: actor.userId,
      windows: sharedWorkingWindows(zones.map((z) => z.timeZone), deps.clock.now()),
      zones,
      checkinDays: null,
    });
    const posted = await deps.messenger.postMessage(actor.teamId, { channel: conversationId, ...message, unfurl_links: false, unfurl_media: false });
    recordIntroPosted(svc, actor.teamId, group.id, posted.ts);
  } catch (error) {
    discardMatchGroup(svc, actor.teamId, group.id);
    throw error;
  }
  return `I opened a group DM with <@${partnerId}> and introduced you there.`;
}

function requireMember(group: MatchGroup | undefined, userId: string): MatchGroup {
  if (group === undefined) throw new AppError('not_found', "I couldn't find that match. It may have been removed.");
  if (!group.userIds.includes(userId)) throw new AppError('forbidden', 'This button is for the people in this group.');
  return group;
}

/** The schedule form's values for a group: skill-swap (or pod) format, a title and topic from why they were matched. */
function scheduleValuesFor(group: MatchGroup) {
  const reason = group.parsedReason;
  const pod = reason?.mode === 'pods';
  const format = getFormat(pod ? 'learning-pod' : 'skill-swap')!;
  const skills = [...new Set((reason?.exchanges ?? []).map((e) => reason?.skills[e.skillKey] ?? e.skillKey))];
  const topic = pod ? (reason?.role ?? '') : skills.join(', ');
  const title = pod ? `Learning pod${reason?.role ? `: ${reason.role}` : ''}` : skills.length > 0 ? `Skill swap: ${skills.join(' ↔ ')}` : 'Skill swap';
  return { format: format.id, title: truncate(title, TITLE_MAX), topic: truncate(topic, TOPIC_MAX), duration: String(format.defaultDurationMin), agenda: format.agendaTemplate };
}

/**
 * "Schedule a skill-swap" in an intro: the schedule form, prefilled, with the group in its
 * metadata. The others in the group are added as attendees when it is saved (read from the
 * group then, never from the form, so a forged form cannot add anyone else).
 */
export async function openScheduleForGroup(deps: AppDeps, actor: Actor, triggerId: string, groupId: number, originChannel: string | undefined): Promise<void> {
  const group = requireMember(getMatchGroup(serviceDeps(deps), actor.teamId, groupId), actor.userId);
  const origin = originChannel !== undefined && /^[CG][A-Z0-9]+$/.test(originChannel) ? originChannel : undefined;
  const view = buildScheduleModal({
    metadata: { mode: 'create', rev: 0, matchGroup: group.id, ...(origin === undefined ? {} : { origin }) },
    values: { ...scheduleValuesFor(group), hostId: actor.userId, channelId: group.channelId ?? undefined, repeat: '1' },
    timeZone: actor.timeZone,
    now: deps.clock.now(),
  });
  await openModal(deps, actor.teamId, triggerId, view);
}

/**
 * After a session scheduled from a group's button is announced: the others in the group join
 * it (every week of a series), with the calendar file a join sends. Only when the scheduler is
 * in the group; someone who cannot join (a full session) is left out and logged.
 */
export async function joinGroupToSessions(deps: AppDeps, actor: Actor, groupId: number, sessions: readonly Session[]): Promise<void> {
  const svc = serviceDeps(deps);
  const group = getMatchGroup(svc, actor.teamId, groupId);
  if (group === undefined || !group.userIds.includes(actor.userId)) return;
  for (const session of sessions) {
    for (const userId of group.userIds) {
      if (userId === actor.userId || userId === session.hostId) continue;
      try {
        const joined = joinSession(svc, actor.teamId, session.number, userId);
        if (joined.status === 'joined' && mayDirectMessage(svc, actor.teamId, userId)) await inviteQuietly(deps, actor.teamId, userId, session.number, 'REQUEST');
      } catch (error) {
        deps.logger.warn({ err: error, teamId: actor.teamId, userId, sessionNumber: session.number }, 'matched partner not added to the session');
      }
    }
    await refreshSessionCard(deps, actor.teamId, session.number);
  }
  for (const userId of group.userIds) if (userId !== actor.userId) await queueHomeRefresh(deps, actor.teamId, userId);
}

/** A "Did you meet?" answer; the check-in message is rewritten to say who answered what. */
export async function answerCheckin(deps: AppDeps, actor: Actor, groupId: number, outcome: MatchOutcome, responseUrl: string | undefined): Promise<void> {
  const { group } = recordMatchOutcome(serviceDeps(deps), actor.teamId, groupId, actor.userId, outcome);
  deps.logger.info({ teamId: actor.teamId, groupId, outcome }, 'match check-in answered');
  if (responseUrl === undefined || responseUrl === '') return;
  try {
    await deps.messenger.respond(responseUrl, { replace_original: true, ...buildCheckinAnsweredMessage(group.id, outcome, actor.userId) });
  } catch (error) {
    // The answer is stored; only the message did not change to show it.
    deps.logger.warn({ err: error, teamId: actor.teamId, groupId }, 'check-in message not updated after an answer');
  }
}

/** Skip this round / Join this round, from App Home; Home shows the new state. */
export async function setRoundSkip(deps: AppDeps, actor: Actor, channelId: string, roundDate: string, skip: boolean): Promise<string> {
  const svc = serviceDeps(deps);
  if (skip) skipRound(svc, actor.teamId, actor.userId, channelId, roundDate, deps.config.defaultTimeZone);
  else unskipRound(svc, actor.teamId, actor.userId, channelId, roundDate, deps.config.defaultTimeZone);
  await queueHomeRefresh(deps, actor.teamId, actor.userId);
  return skip ? `You'll skip the next round in <#${channelId}>. You're back in the one after.` : `You're back in the next round in <#${channelId}>.`;
}

/** Resume matching after a pause (the DM's button or App Home). */
export async function resumeMatchingFlow(deps: AppDeps, actor: Actor): Promise<string> {
  const resumed = resumeMatching(serviceDeps(deps), actor.teamId, actor.userId);
  await queueHomeRefresh(deps, actor.teamId, actor.userId);
  return resumed ? "Welcome back! You'll be in the next matching round." : "Your matching isn't paused, so you're already in the next round.";
}
