import { serviceDeps, type AppDeps } from '../../deps.js';
import { sharedWorkingWindows } from '../../services/matching.js';
import {
  CHECKIN_DELAY_MS,
  checkCheckin,
  checkIntro,
  checkRound,
  getMatchChannel,
  getMatchGroup,
  getRound,
  getRoundSummary,
  listRefusedGroups,
  roundIntrosInFlight,
  GROUP_NOTICE_DELAY_MS,
  nextRoundAt,
  planGroupRefusedNotice,
  recordGroupConversation,
  recordCheckinPosted,
  recordIntroPosted,
  recordRoundNotRun,
  recordSummaryPosted,
  roundCandidates,
  roundInstant,
  storeRound,
  type MatchGroup,
  type MatchNoticePayload,
  type MatchRoundPayload,
  type RoundResult,
} from '../../services/match-rounds.js';
import { resolvePersonZone, resolveWorkspaceZone } from '../../services/members.js';
import { storeProfile } from './people.js';
import { buildCheckinMessage, buildGroupsRefusedDm, buildMatchIntroMessage, buildPausedDm, buildRoundNotRunDm, buildRoundSummaryMessage } from '../blocks/match-messages.js';
import type { MessageJson } from '../blocks/types.js';
import type { CallMeta } from '../messenger.js';
import { MISSING_SCOPE_ERRORS, NOT_IN_CHANNEL_ERRORS, neededScope, SlackCallError } from '../slack-errors.js';
import { JobNotHeldError } from '../send-attempt.js';
import { sendDirectMessage } from './notices.js';

/**
 * What a matching round's jobs do in Slack: read the channel's members, ask Slack who of them
 * are real people of this workspace, hand them to the round service (which matches and stores
 * everything in one transaction), then the intros in new group DMs, "Did you meet?", the
 * channel summary and the DMs to an admin or a paused person.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

export type RoundRun = { status: 'skipped'; reason: string } | { status: 'not_due'; at: number } | { status: 'done'; result: Record<string, unknown> };

/** users.info for this many people at a time: a big channel should not take minutes, nor burst Slack's tier. */
const LOOKUP_CONCURRENCY = 4;

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  // After one failure (a 429) the others stop taking new items: more calls would only meet the same limit.
  let failed = false;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && !failed) {
        const i = next++;
        try {
          out[i] = await work(items[i]!);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  return out;
}

/**
 * Of the eligible people, those Slack says are active people of this workspace: bots,
 * deactivated accounts and Slack Connect guests (another home workspace) are left out. Their
 * profile (zone) is stored on the way, so intros show each person's own hours.
 */
type Account = Awaited<ReturnType<AppDeps['messenger']['fetchAccount']>>;

/**
 * Accounts Slack described in the last hour, per app: a round that Slack rate-limits halfway
 * through its users.info calls is retried after Retry-After with nothing written, and the retry
 * should pick up where it stopped instead of asking for the same people again (and hitting the
 * same limit, round after round, in a big channel). The stored member profile cannot stand in
 * for it (nor spare the call on later rounds): members keeps no bot, deactivated or home-team
 * flag, and a round must not introduce someone deactivated since.
 */
const ACCOUNT_CACHE_MS = 60 * 60_000;
const accountCache = new WeakMap<AppDeps, Map<string, { account: Account; at: number }>>();

async function lookUpAccount(deps: AppDeps, teamId: string, userId: string): Promise<Account> {
  let cache = accountCache.get(deps);
  if (cache === undefined) {
    cache = new Map();
    accountCache.set(deps, cache);
  }
  const key = `${teamId}:${userId}`;
  const now = deps.clock.now();
  const hit = cache.get(key);
  if (hit !== undefined && hit.at <= now && now - hit.at < ACCOUNT_CACHE_MS) return hit.account;
  const account = await deps.messenger.fetchAccount(teamId, userId);
  if (cache.size > 50_000) cache.clear();
  cache.set(key, { account, at: now });
  return account;
}

async function confirmPeople(deps: AppDeps, teamId: string, userIds: readonly string[]): Promise<string[]> {
  const svc = serviceDeps(deps);
  const kept = await mapLimited(userIds, LOOKUP_CONCURRENCY, async (userId) => {
    let account: Account;
    try {
      account = await lookUpAccount(deps, teamId, userId);
    } catch (error) {
      // One account Slack will never describe (user_not_found) must not stop the whole round;
      // anything that may pass (a 5xx, a 429) fails the round, which is retried with nothing written.
      if (!(error instanceof SlackCallError && error.kind === 'permanent')) throw error;
      deps.logger.warn({ teamId, userId, code: error.code }, 'channel member left out of the round: users.info refused');
      return undefined;
    }
    if (account.isBot || account.deleted || (account.homeTeamId !== null && account.homeTeamId !== teamId)) return undefined;
    storeProfile(deps, teamId, userId, account.profile);
    return userId;
  });
  return kept.filter((u): u is string => u !== undefined);
}

function roundResult(result: RoundResult): RoundRun {
  if (result.status === 'already_ran') return { status: 'skipped', reason: 'already_ran' };
  if (result.status === 'not_run') return { status: 'done', result: { notRun: result.reason } };
  return { status: 'done', result: { ...result } };
}

/** Reading a public channel's members needs this permission (Slack's answer usually names the exact one). */
const CHANNEL_MEMBERS_SCOPE = 'channels:read';

/** match_round:<channel>:<date>: one round, from the channel's members to the stored groups. */
export async function runMatchRound(deps: AppDeps, teamId: string, payload: MatchRoundPayload, meta?: CallMeta): Promise<RoundRun> {
  const svc = serviceDeps(deps);
  const check = checkRound(svc, teamId, payload, deps.config.defaultTimeZone);
  if (!check.run) {
    if (check.reason === 'not_due') {
      const channel = getMatchChannel(svc, teamId, payload.channelId)!;
      return { status: 'not_due', at: roundInstant(payload.roundDate, channel.hour, resolveWorkspaceZone(svc, teamId, deps.config.defaultTimeZone)) };
    }
    return { status: 'skipped', reason: check.reason };
  }
  let memberIds: string[];
  try {
    memberIds = await deps.messenger.listChannelMembers(teamId, payload.channelId, meta);
  } catch (error) {
    if (error instanceof SlackCallError && error.kind === 'permanent' && NOT_IN_CHANNEL_ERRORS.has(error.code)) {
      recordRoundNotRun(svc, teamId, payload, 'not_in_channel');
      deps.runDueJobs?.(teamId);
      return { status: 'done', result: { notRun: 'not_in_channel', code: error.code } };
    }
    if (error instanceof SlackCallError && error.kind === 'permanent' && MISSING_SCOPE_ERRORS.has(error.code)) {
      const scope = neededScope(error, CHANNEL_MEMBERS_SCOPE);
      recordRoundNotRun(svc, teamId, payload, `missing_scope:${scope}`);
      deps.runDueJobs?.(teamId);
      return { status: 'done', result: { notRun: 'missing_scope', code: error.code, scope } };
    }
    throw error;
  }
  const candidates = roundCandidates(svc, teamId, payload, memberIds, check.roundAt);
  const people = await confirmPeople(deps, teamId, candidates.eligible);
  const result = storeRound(svc, teamId, {
    payload,
    channel: check.channel,
    roundAt: check.roundAt,
    people,
    skipping: candidates.skipping,
    toPause: candidates.toPause,
    fallbackZone: deps.config.defaultTimeZone,
  });
  deps.runDueJobs?.(teamId);
  return roundResult(result);
}

function introMessage(deps: AppDeps, group: MatchGroup, requestedBy?: string): MessageJson {
  const svc = serviceDeps(deps);
  const zones = group.userIds.map((userId) => ({ userId, timeZone: resolvePersonZone(svc, group.teamId, userId, deps.config.defaultTimeZone) }));
  const windows = sharedWorkingWindows(
    zones.map((z) => z.timeZone),
    deps.clock.now(),
  );
  return buildMatchIntroMessage({
    groupId: group.id,
    userIds: group.userIds,
    reason: group.parsedReason ?? { mode: 'skill-swap', exchanges: [], skills: {}, roleKey: null, role: null, sharedMinutes: 0 },
    channelId: group.channelId,
    ...(requestedBy === undefined ? {} : { requestedBy }),
    windows,
    zones,
    checkinDays: group.roundDate === null ? null : CHECKIN_DELAY_MS / (24 * 60 * 60_000),
  });
}

export type IntroRun = { status: 'skipped'; reason: string } | { status: 'done'; channel: string; ts: string };

/**
 * match_intro:<group>: opens the group's DM (kept on the group, so a retry opens nothing new)
 * and posts the introduction. Any failure but a rate limit (a group DM or a post Slack refuses
 * for good, or an error that may end as the job's last attempt) plans the round's one notice to
 * the admin who set the round up: it waits while the round's intros are still being tried, then
 * lists the groups whose intro failed for good with Slack's reason, or is skipped when none did.
 */
export async function deliverMatchIntro(deps: AppDeps, teamId: string, groupId: number, meta?: CallMeta): Promise<IntroRun> {
  const svc = serviceDeps(deps);
  const check = checkIntro(svc, teamId, groupId);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  const { group } = check;
  try {
    let conversationId = group.conversationId;
    if (conversationId === null) {
      conversationId = await deps.messenger.openGroupDm(teamId, group.userIds, meta);
      recordGroupConversation(svc, teamId, groupId, conversationId);
    }
    const posted = await deps.messenger.postMessage(teamId, { channel: conversationId, ...introMessage(deps, group), unfurl_links: false, unfurl_media: false }, meta);
    recordIntroPosted(svc, teamId, groupId, posted.ts);
    return { status: 'done', channel: posted.channel, ts: posted.ts };
  } catch (error) {
    // Not held any more: nothing was sent, and the process that holds the job now decides.
    if (!(error instanceof SlackCallError && error.kind === 'rate_limited') && !(error instanceof JobNotHeldError)) {
      planGroupRefusedNotice(svc, teamId, group, error instanceof SlackCallError ? error.code : 'unexpected_error');
      if (error instanceof SlackCallError && error.kind === 'permanent') deps.runDueJobs?.(teamId);
    }
    throw error;
  }
}

/** match_checkin:<group>: "Did you meet?" in the group DM, unless someone already said. */
export async function deliverMatchCheckin(deps: AppDeps, teamId: string, groupId: number, meta?: CallMeta): Promise<IntroRun> {
  const svc = serviceDeps(deps);
  const check = checkCheckin(svc, teamId, groupId);
  if (!check.send) return { status: 'skipped', reason: check.reason };
  const posted = await deps.messenger.postMessage(teamId, { channel: check.group.conversationId, ...buildCheckinMessage(groupId) }, meta);
  recordCheckinPosted(svc, teamId, groupId, posted.ts);
  return { status: 'done', channel: posted.channel, ts: posted.ts };
}

/** match_summary:<channel>:<date>: the short summary in the round's channel. */
export async function deliverRoundSummary(deps: AppDeps, teamId: string, payload: MatchRoundPayload, meta?: CallMeta): Promise<IntroRun> {
  const svc = serviceDeps(deps);
  const summary = getRoundSummary(svc, teamId, payload);
  if (summary === undefined) return { status: 'skipped', reason: 'round_not_found' };
  if (getRound(svc, teamId, payload.channelId, payload.roundDate)?.summaryTs != null) return { status: 'skipped', reason: 'already_posted' };
  const zone = resolveWorkspaceZone(svc, teamId, deps.config.defaultTimeZone);
  const channel = getMatchChannel(svc, teamId, payload.channelId);
  const next = channel?.active === true ? nextRoundAt(channel, zone, deps.clock.now() + 1).at : undefined;
  const message = buildRoundSummaryMessage({ groups: summary.groups, people: summary.people, leftOut: summary.leftOut, skipping: summary.skipping, pods: summary.mode === 'pods', nextRoundAt: next, zone });
  const posted = await deps.messenger.postMessage(teamId, { channel: payload.channelId, ...message }, meta);
  recordSummaryPosted(svc, teamId, payload, posted.ts);
  return { status: 'done', channel: posted.channel, ts: posted.ts };
}

/** The refused-groups DM waits for the round's other intros at most this long after the round. */
const REFUSED_NOTICE_WAIT_MAX_MS = 24 * 60 * 60_000;

/** match_notice:…: the DM to an admin (a round that did not run, a refused group DM) or to a person paused. */
export async function deliverMatchNotice(deps: AppDeps, teamId: string, payload: MatchNoticePayload, meta?: CallMeta): Promise<IntroRun | { status: 'later'; at: number }> {
  const svc = serviceDeps(deps);
  let message: MessageJson;
  if (payload.notice === 'paused') {
    message = buildPausedDm();
  } else if (payload.notice === 'group_dm_refused') {
    if (payload.channelId === undefined) return { status: 'skipped', reason: 'group_not_found' };
    let groups: { userIds: string[]; code: string }[];
    if (payload.roundDate !== undefined) {
      // Intros still being tried (a 429 on a big round) may be refused too: one DM, once they are all tried (a day at most).
      const now = deps.clock.now();
      const roundAt = getRound(svc, teamId, payload.channelId, payload.roundDate)?.startedAt ?? now;
      if (now - roundAt < REFUSED_NOTICE_WAIT_MAX_MS && roundIntrosInFlight(svc, teamId, payload.channelId, payload.roundDate)) return { status: 'later', at: now + GROUP_NOTICE_DELAY_MS };
      groups = listRefusedGroups(svc, teamId, payload.channelId, payload.roundDate);
    } else {
      // A notice planned per group before notices were per round.
      const group = payload.groupId === undefined ? undefined : getMatchGroup(svc, teamId, payload.groupId);
      groups = group === undefined ? [] : [{ userIds: group.userIds, code: payload.reason ?? 'unknown' }];
    }
    if (groups.length === 0) return { status: 'skipped', reason: 'group_not_found' };
    message = buildGroupsRefusedDm({ channelId: payload.channelId, groups });
  } else {
    const channel = payload.channelId === undefined ? undefined : getMatchChannel(svc, teamId, payload.channelId);
    if (channel === undefined || payload.roundDate === undefined) return { status: 'skipped', reason: 'channel_not_found' };
    const zone = resolvePersonZone(svc, teamId, payload.userId, deps.config.defaultTimeZone);
    const roundAt = roundInstant(payload.roundDate, channel.hour, resolveWorkspaceZone(svc, teamId, deps.config.defaultTimeZone));
    message = buildRoundNotRunDm({ channelId: channel.channelId, roundAt, zone, reason: payload.reason ?? 'too_few_people', ...(payload.paused === undefined ? {} : { paused: payload.paused }) });
  }
  const sent = await sendDirectMessage(deps, teamId, payload.userId, message, meta);
  if ('skipped' in sent) return { status: 'skipped', reason: sent.skipped };
  return { status: 'done', channel: sent.channel, ts: sent.ts };
}
