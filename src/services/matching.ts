import { matchPods } from './matching/pods.js';
import { Roster } from './matching/roster.js';
import { groupExchanges, intersectWindows, workingWindow } from './matching/score.js';
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

/** Working-hours overlap on the local date of `at`: UTC intervals [start, end) all zones share (09:00-18:00 each). */
export function sharedWorkingWindows(zones: readonly string[], at: number): { start: number; end: number }[] {
  return intersectWindows(zones.map((zone) => workingWindow(zone, at)));
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
