import { and, eq, sql } from 'drizzle-orm';
import { matchGroupMembers, matchGroups, profiles } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { ServiceDeps } from './context.js';
import { rankPartners, type Exchange } from './matching.js';
import { filterMatchable, listMatchableUserIds, loadMatchHistory, loadMatchPeople, roleName, skillNames, WEEK_MS } from './match-people.js';
import { getMatchGroup, loadRoundDatedHistory, REPEAT_WEEKS_DEFAULT, type MatchGroup, type MatchReason } from './match-rounds.js';

/**
 * `/peer match`: the three best partners for me right now, and the group DM one click opens.
 * Only people who may be matched are suggested (opted in, not paused, DMs on), never someone I
 * met within the repeat window (the longest of the workspace's channels, else 12 weeks).
 */

export const SUGGESTIONS_MAX = 3;

export interface Suggestion {
  userId: string;
  score: number;
  exchanges: Exchange[];
  sharedMinutes: number;
  reason: MatchReason;
  timeZone: string;
}

export type SuggestionsResult =
  | { status: 'not_opted_in' }
  | { status: 'paused'; pausedUntil: number; reason: 'chosen' | 'no_answers' | null }
  | { status: 'ok'; timeZone: string; hasSkills: boolean; suggestions: Suggestion[] };

/** How far back "met recently" looks for `/peer match`: the longest window any channel uses. */
export function suggestionRepeatWindowMs(deps: ServiceDeps, teamId: string): number {
  const row = deps.db.get<{ weeks: number | null }>(sql`SELECT max(repeat_weeks) AS weeks FROM match_channels WHERE team_id = ${teamId} AND active = 1`);
  return (row?.weeks ?? REPEAT_WEEKS_DEFAULT) * WEEK_MS;
}

function reasonOf(deps: ServiceDeps, teamId: string, ranked: { exchanges: Exchange[]; sharedMinutes: number }, roleKey: string | null): MatchReason {
  return {
    mode: 'suggestion',
    exchanges: ranked.exchanges.map((e) => ({ teacher: e.teacher, learner: e.learner, skillKey: e.skillKey })),
    skills: skillNames(deps, teamId, ranked.exchanges.map((e) => e.skillKey)),
    roleKey,
    role: roleName(deps, teamId, roleKey),
    sharedMinutes: ranked.sharedMinutes,
  };
}

/** My three best partners now, each with why and how many working minutes we share. */
export function suggestPartners(deps: ServiceDeps, teamId: string, userId: string, fallbackZone: string): SuggestionsResult {
  const now = deps.clock.now();
  const profile = deps.db
    .select()
    .from(profiles)
    .where(and(eq(profiles.teamId, teamId), eq(profiles.userId, userId)))
    .get();
  if (profile === undefined || !profile.matchingOptIn) return { status: 'not_opted_in' };
  if (profile.pausedUntil !== null && profile.pausedUntil > now) return { status: 'paused', pausedUntil: profile.pausedUntil, reason: profile.pauseReason };
  const [me] = loadMatchPeople(deps, teamId, [userId], fallbackZone);
  const windowMs = suggestionRepeatWindowMs(deps, teamId);
  const candidates = loadMatchPeople(deps, teamId, listMatchableUserIds(deps, teamId, now, userId), fallbackZone);
  const zones = new Map(candidates.map((c) => [c.userId, c.timeZone]));
  const ranked = rankPartners(me!, candidates, loadRoundDatedHistory(deps, teamId, now - windowMs, fallbackZone), windowMs, now, SUGGESTIONS_MAX);
  return {
    status: 'ok',
    timeZone: me!.timeZone,
    hasSkills: me!.teach.length + me!.learn.length > 0,
    suggestions: ranked.slice(0, SUGGESTIONS_MAX).map((r) => {
      const partnerRole = candidates.find((c) => c.userId === r.userId)?.roleKey ?? null;
      return { ...r, reason: reasonOf(deps, teamId, r, partnerRole !== null && partnerRole === me!.roleKey ? partnerRole : null), timeZone: zones.get(r.userId) ?? me!.timeZone };
    }),
  };
}

/**
 * Checks again, at the click, that this partner may still be suggested to me (they could have
 * paused, opted out, or we met meanwhile), and returns the pair's ranking. Throws the refusal the
 * person should read.
 */
export function checkSuggestedPartner(deps: ServiceDeps, teamId: string, userId: string, partnerId: string, fallbackZone: string): { reason: MatchReason; score: number } {
  if (partnerId === userId) throw new AppError('invalid_input', "That's you! Pick someone else from the list.");
  const now = deps.clock.now();
  const result = suggestPartners(deps, teamId, userId, fallbackZone);
  if (result.status === 'not_opted_in') throw new AppError('conflict', 'Turn matching on in your skills profile first (`/peer skills`).');
  if (result.status === 'paused') throw new AppError('conflict', 'Your matching is paused. Resume it from App Home first.');
  if (filterMatchable(deps, teamId, [partnerId], now).length === 0) throw new AppError('conflict', `<@${partnerId}> can't be matched right now (they paused or turned matching off). Try \`/peer match\` again for fresh suggestions.`);
  const [me] = loadMatchPeople(deps, teamId, [userId], fallbackZone);
  const [partner] = loadMatchPeople(deps, teamId, [partnerId], fallbackZone);
  const windowMs = suggestionRepeatWindowMs(deps, teamId);
  const ranked = rankPartners(me!, [partner!], loadRoundDatedHistory(deps, teamId, now - windowMs, fallbackZone), windowMs, now, 1)[0];
  if (ranked === undefined) throw new AppError('conflict', `You and <@${partnerId}> were introduced recently, so I won't introduce you again yet. Try \`/peer match\` for fresh suggestions.`);
  const role = partner!.roleKey !== null && partner!.roleKey === me!.roleKey ? partner!.roleKey : null;
  return { reason: reasonOf(deps, teamId, ranked, role), score: ranked.score };
}

/** Stores the pair `/peer match` introduced (no channel, no round), with its group DM. */
export function recordSuggestedMatch(deps: ServiceDeps, teamId: string, userIds: readonly [string, string], match: { reason: MatchReason; score: number }, conversationId: string): MatchGroup {
  const now = deps.clock.now();
  const id = deps.db.transaction(() => {
    // Two quick clicks (or a round storing this pair right now) both pass the check before either
    // is stored: the second finds the first here and says so instead of a second intro. The same
    // rule as the matcher's history (loadMatchHistory): every stored group counts, introduced or
    // pending, but one whose intro Slack refused for good.
    const recent = loadMatchHistory(deps, teamId, now - suggestionRepeatWindowMs(deps, teamId)).some((g) => g.userIds.includes(userIds[0]) && g.userIds.includes(userIds[1]));
    if (recent) throw new AppError('conflict', `You and <@${userIds[1]}> were introduced recently, so I won't introduce you again yet.`);
    const row = deps.db
      .insert(matchGroups)
      .values({ teamId, channelId: null, roundDate: null, groupIndex: 0, score: match.score, reason: JSON.stringify(match.reason), conversationId, createdAt: now })
      .returning({ id: matchGroups.id })
      .get();
    for (const userId of userIds) deps.db.insert(matchGroupMembers).values({ teamId, groupId: row.id, userId }).run();
    return row.id;
  });
  return getMatchGroup(deps, teamId, id)!;
}

/** An introduction Slack did not take: the pair was never introduced, so it is not kept as history. */
export function discardMatchGroup(deps: ServiceDeps, teamId: string, groupId: number): void {
  deps.db
    .delete(matchGroups)
    .where(and(eq(matchGroups.teamId, teamId), eq(matchGroups.id, groupId)))
    .run();
}
