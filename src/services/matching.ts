import { matchPods } from './matching/pods.js';
import { Roster } from './matching/roster.js';
import { groupExchanges, sharedWindow } from './matching/score.js';
import { matchSkillSwap } from './matching/skill-swap.js';
import type { MatchInput, MatchPerson, MatchResult, PastGroup, RankedPartner } from './matching/types.js';

/**
 * The matcher: pure, no I/O, no clock (the round's instant comes in the input). Who meets whom
 * in a matching round, and `/peer match`'s suggestions.
 *
 * - skill-swap: pairs (a trio for the odd one out) maximising the pair score of
 *   matching/score.ts, exactly (and proven so) up to EXACT_MAX_PEOPLE, with a measured
 *   approximation above (matching/pair-matching.ts); the objective is spelled out in matching/skill-swap.ts.
 * - pods: stable same-role groups of 3 to 6 (matching/pods.ts).
 *
 * The repeat rule: two people are not matched again until N weeks after the round they met in,
 * counted in days (rounded to the nearest day, so DST and a late-running round do not move the
 * boundary): withinRepeatWindow in matching/roster.ts.
 *
 * Deterministic for a given input and seed, and insensitive to the order of `people`,
 * `history` and `previousPods`: every tie breaks by a hash of (seed, userId).
 */

export type { Exchange, MatchedGroup, MatchInput, MatchMode, MatchPerson, MatchResult, PastGroup, RankedPartner, Unmatched, UnmatchedReason } from './matching/types.js';
export { SCORE } from './matching/score.js';
export { EXACT_MAX_PEOPLE, CANDIDATES_PER_PERSON } from './matching/pair-matching.js';
export { POD_MIN, POD_MAX } from './matching/pods.js';

export function matchPeople(input: MatchInput): MatchResult {
  if (input.mode === 'pods') return matchPods(input);
  // The method's statistics are for the benchmark (matchSkillSwap), not part of a round's result.
  const { groups, unmatched } = matchSkillSwap(input);
  return { groups, unmatched };
}

/**
 * The working hours (09:00-18:00 local each) all `zones` share on the UTC day holding `at`, as
 * UTC intervals [start, end): empty, or the one overlap that covers the most of that day. Each
 * zone's hours are read on the local dates around that day, so people on different local dates
 * share what they really share (Los Angeles 16:00-18:00 = Tokyo 09:00-11:00 the next morning, in
 * winter). The same for any hour of a given UTC day; DST-aware; every day counts as a working
 * day (no weekends). The full definition is in matching/score.ts.
 */
export function sharedWorkingWindows(zones: readonly string[], at: number): { start: number; end: number }[] {
  const shared = sharedWindow(zones, at);
  return shared === undefined ? [] : [shared];
}

/** How many suggestions `/peer match` shows unless asked otherwise. */
const DEFAULT_PARTNER_LIMIT = 5;

/**
 * `/peer match`: the best `limit` partners for `me` among candidates (never someone within the
 * repeat window, never `me`), by the skill-swap pair score; ties by user id.
 */
export function rankPartners(
  me: MatchPerson,
  candidates: readonly MatchPerson[],
  history: readonly PastGroup[],
  repeatWindowMs: number,
  at: number,
  limit = DEFAULT_PARTNER_LIMIT,
): RankedPartner[] {
  const others = dedupe(candidates.filter((c) => c.userId !== me.userId));
  const roster = new Roster([me, ...others], '', history, repeatWindowMs, at);
  const self = roster.index.get(me.userId)!;
  const ranked: RankedPartner[] = [];
  for (const c of others) {
    const v = roster.index.get(c.userId)!;
    if (!roster.allowed(self, v)) continue;
    const pair = [me, c];
    ranked.push({
      userId: c.userId,
      score: roster.score(self, v),
      exchanges: groupExchanges(pair, new Map(pair.map((p) => [p.userId, new Set(p.learn)]))),
      sharedMinutes: roster.sharedMinutes(self, v),
    });
  }
  ranked.sort((a, b) => b.score - a.score || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  return ranked.slice(0, Math.max(0, limit));
}

function dedupe(people: readonly MatchPerson[]): MatchPerson[] {
  const seen = new Set<string>();
  return people.filter((p) => (seen.has(p.userId) ? false : (seen.add(p.userId), true)));
}
