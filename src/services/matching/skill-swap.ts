import { matchPairs, type PairMethod, type PairStats, type Weight } from './pair-matching.js';
import { Roster } from './roster.js';
import { groupExchanges, MAX_PAIR_SCORE, minutesOf } from './score.js';
import type { MatchedGroup, MatchInput, MatchResult, Unmatched } from './types.js';

/**
 * skill-swap rounds. The objective, precisely (the tests check it by brute force):
 *
 * 1. Pairs: a matching M over allowed pairs (never two people grouped together within the
 *    repeat window) maximising  sum over M of (score(a, b) + PRIORITY * satOut(a) + PRIORITY * satOut(b)),
 *    where PRIORITY = MAX_PAIR_SCORE * floor(n / 2) + 1 is larger than any total of scores, so
 *    covering one more person who sat out last round beats any gain in score: they are matched
 *    first whenever there is a choice. Exact up to EXACT_MAX_PEOPLE, approximate above.
 * 2. Trios: each person M leaves out (at most one when everyone may meet everyone: scores are
 *    all positive), sat-out people first then in seeded order, joins the pair they add most to,
 *    gain = score(them, a) + score(them, b), among pairs where both may meet them; ties go to
 *    the earlier pair in seeded order. A group's score is the sum of its pair scores.
 * 3. Whoever is still left is unmatched with the reason: the repeat rule ruled out every group
 *    they could join, or there was nobody (else) to match.
 */
/** `method` and `cohortSize` are for the benchmark and tests; rounds use the defaults. */
export function matchSkillSwap(input: MatchInput, method: PairMethod | 'auto' = 'auto', cohortSize?: number): MatchResult & { stats: PairStats } {
  const roster = new Roster(input.people, input.seed, input.history, input.repeatWindowMs, input.at);
  const n = roster.n;
  const priority = MAX_PAIR_SCORE * Math.floor(n / 2) + 1;
  const weight: Weight = (a, b) => roster.score(a, b) + priority * (roster.satOut[a]! + roster.satOut[b]!);
  const { mate, stats } = matchPairs(roster, weight, method, cohortSize);

  const groups: number[][] = [];
  const joiner = new Map<number, number>();
  for (let a = 0; a < n; a += 1) if (mate[a]! > a) groups.push([a, mate[a]!]);
  const left: number[] = [];
  for (let v = 0; v < n; v += 1) if (mate[v] === -1) left.push(v);
  left.sort((x, y) => roster.satOut[y]! - roster.satOut[x]! || x - y);

  const unmatched: Unmatched[] = [];
  for (const u of left) {
    let best = -1;
    let bestGain = -Infinity;
    groups.forEach((g, gi) => {
      if (g.length !== 2 || !roster.allowed(u, g[0]!) || !roster.allowed(u, g[1]!)) return;
      const gain = roster.score(u, g[0]!) + roster.score(u, g[1]!);
      if (gain > bestGain) [best, bestGain] = [gi, gain];
    });
    if (best >= 0) {
      groups[best]!.push(u);
      joiner.set(best, u);
    } else {
      unmatched.push(sitOut(roster, u, groups, input.repeatWindowMs));
    }
  }
  return {
    groups: groups.map((g, gi) => describeGroup(roster, g, joiner.get(gi))).sort(byFirstMember),
    unmatched: unmatched.sort((a, b) => (a.userId < b.userId ? -1 : 1)),
    stats,
  };
}

function describeGroup(roster: Roster, members: readonly number[], joined: number | undefined): MatchedGroup {
  const pair = members.filter((v) => v !== joined).sort((a, b) => (roster.people[a]!.userId < roster.people[b]!.userId ? -1 : 1));
  const ordered = joined === undefined ? pair : [...pair, joined];
  const people = ordered.map((v) => roster.people[v]!);
  let score = 0;
  for (let i = 0; i < ordered.length; i += 1) for (let j = i + 1; j < ordered.length; j += 1) score += roster.score(ordered[i]!, ordered[j]!);
  const group: MatchedGroup = {
    userIds: people.map((p) => p.userId),
    score,
    exchanges: groupExchanges(people, new Map(people.map((p) => [p.userId, new Set(p.learn)]))),
    roleKey: null,
    sharedMinutes: minutesOf(roster.sharedWindow(ordered)),
  };
  if (joined !== undefined) group.joinedAsThird = roster.people[joined]!.userId;
  return group;
}

function byFirstMember(a: MatchedGroup, b: MatchedGroup): number {
  return a.userIds[0]! < b.userIds[0]! ? -1 : a.userIds[0]! > b.userIds[0]! ? 1 : 0;
}

function weeks(ms: number): string {
  const w = Math.round(ms / (7 * 86_400_000));
  return w >= 1 ? `${w} week${w === 1 ? '' : 's'}` : `${Math.max(1, Math.round(ms / 86_400_000))} days`;
}

/** Why `u` sits out: the repeat rule (some group existed but each holds someone they met lately), or nobody to join. */
function sitOut(roster: Roster, u: number, groups: readonly number[][], windowMs: number): Unmatched {
  const userId = roster.people[u]!.userId;
  const nextRound = 'You will be matched first next round.';
  if (roster.n === 1) {
    return { userId, reason: 'no_partner', text: 'You are the only person taking part this round, so there is nobody to match you with. ' + nextRound };
  }
  const blockedByRepeat = roster.forbiddenOf[u]!.length > 0 && groups.some((g) => g.some((v) => roster.isForbidden(u, v)));
  if (blockedByRepeat || groups.length === 0) {
    return {
      userId,
      reason: 'repeat_window',
      text: `You sit out this round: everyone you could join was in a group with you within the last ${weeks(windowMs)}, and we do not repeat partners that soon. ${nextRound}`,
    };
  }
  return { userId, reason: 'no_partner', text: `You sit out this round: every group was already full. ${nextRound}` };
}
