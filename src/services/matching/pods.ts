import { hash53 } from './seeded.js';
import { groupExchanges, minutesOf, sharedWindow, workingWindow } from './score.js';
import type { MatchedGroup, MatchInput, MatchPerson, MatchResult, Unmatched } from './types.js';

/**
 * pods rounds: groups of POD_MIN..POD_MAX people with the same role (people with no role form
 * their own role group, "no role given"). A deterministic heuristic, no solver:
 *
 * 1. Last round's pods are kept, restricted to the people of this role still taking part.
 * 2. Sizes are restored with the fewest moves (a move = someone from last round's pods who ends
 *    up in a different pod; placing a newcomer is not a move). Forced moves: pods over POD_MAX
 *    shed their extra members. Then pods under POD_MIN either take people (newcomers and the
 *    shed first, then one at a time from pods above POD_MIN) or are dissolved into the others;
 *    every choice of how many 1-person and 2-person pods to dissolve is costed and the cheapest
 *    wins (ties: fewer dissolved pods). Whoever still needs a pod joins one with room, or three
 *    or more form new pods.
 * 3. Zones: a person's position is the start of their working day (09:00 local, as a UTC
 *    instant on the round's date: DST-aware). New pods are consecutive runs of people sorted by
 *    it; someone who must move or be placed goes to the pod whose median is closest, and the
 *    member a pod sheds is the one farthest from its median. So pods spread across as few zones
 *    as the sizes allow.
 *
 * The repeat window does not apply to pods: a pod is meant to meet round after round (history
 * is ignored here; stability comes from `previousPods`).
 *
 * A role group of 1 or 2 people cannot form a pod: they are unmatched with 'role_too_small'
 * (merging them into another role would break "same role").
 *
 * A pod's score is informational (pods are not chosen by it): 10 per exchange inside the pod
 * (at most 100) plus 1 per 6 minutes of working time all members share (at most 90).
 */
export const POD_MIN = 3;
export const POD_MAX = 6;
/** New pods aim at this size (within POD_MIN..POD_MAX): big enough to survive a leaver. */
const POD_TARGET = 5;
const NO_ROLE = 'no role given';

export function matchPods(input: MatchInput): MatchResult {
  const byRole = new Map<string, MatchPerson[]>();
  const seen = new Set<string>();
  for (const p of input.people) {
    if (seen.has(p.userId)) throw new Error(`matchPeople: ${p.userId} is listed twice`);
    seen.add(p.userId);
    const key = p.roleKey ?? '';
    (byRole.get(key) ?? byRole.set(key, []).get(key)!).push(p);
  }
  const groups: MatchedGroup[] = [];
  const unmatched: Unmatched[] = [];
  for (const key of [...byRole.keys()].sort()) {
    const members = byRole.get(key)!;
    const roleKey = members[0]!.roleKey;
    if (members.length < POD_MIN) {
      for (const p of members) unmatched.push(tooSmall(p, roleKey, members.length));
      continue;
    }
    const pods = formPods(members, input);
    for (const pod of pods) groups.push(describePod(pod, roleKey, input.at));
  }
  groups.sort((a, b) => (a.userIds[0]! < b.userIds[0]! ? -1 : 1));
  unmatched.sort((a, b) => (a.userId < b.userId ? -1 : 1));
  return { groups, unmatched };
}

function tooSmall(p: MatchPerson, roleKey: string | null, count: number): Unmatched {
  const role = roleKey === null ? `"${NO_ROLE}"` : `"${roleKey}"`;
  const who = count === 1 ? `You are the only person with the role ${role} taking part` : `Only ${count} people with the role ${role} are taking part`;
  return {
    userId: p.userId,
    reason: 'role_too_small',
    text: `${who}, and a pod needs at least ${POD_MIN} people of the same role, so you have no pod this round.`,
  };
}

interface Person {
  p: MatchPerson;
  /** Start of the working day on the round's date (UTC ms): the zone position. */
  x: number;
  /** Seeded tie-break. */
  tie: number;
}

type Pod = Person[];

function compareIds(a: Person, b: Person): number {
  return a.p.userId < b.p.userId ? -1 : a.p.userId > b.p.userId ? 1 : 0;
}

function median(pod: Pod): number {
  const xs = pod.map((m) => m.x).sort((a, b) => a - b);
  return xs[Math.floor((xs.length - 1) / 2)] ?? 0;
}

/** The member farthest from the pod's median (ties: the later in seeded order), removed. */
function shedOne(pod: Pod): Person {
  const mid = median(pod);
  let worst = 0;
  pod.forEach((m, i) => {
    const w = pod[worst]!;
    const d = Math.abs(m.x - mid) - Math.abs(w.x - mid);
    if (d > 0 || (d === 0 && m.tie > w.tie)) worst = i;
  });
  return pod.splice(worst, 1)[0]!;
}

/** Removes and returns the pool member closest to x (ties: seeded order). */
function takeClosest(pool: Person[], x: number): Person {
  let best = 0;
  pool.forEach((m, i) => {
    const b = pool[best]!;
    const d = Math.abs(m.x - x) - Math.abs(b.x - x);
    if (d < 0 || (d === 0 && m.tie < b.tie)) best = i;
  });
  return pool.splice(best, 1)[0]!;
}

interface Plan {
  cost: number;
  dissolve1: number;
  dissolve2: number;
  extra: number;
}

/** The pods left after dissolving the first d1 one-person and d2 two-person pods (in pod order). */
function keptAfterDissolving<T extends { length: number }>(pods: readonly T[], d1: number, d2: number): T[] {
  let ones = d1;
  let twos = d2;
  const kept: T[] = [];
  for (const pod of pods) {
    if (pod.length === 1 && ones > 0) ones -= 1;
    else if (pod.length === 2 && twos > 0) twos -= 1;
    else kept.push(pod);
  }
  return kept;
}

/** The cheapest way to make every kept pod valid (see step 2 above); counts only. */
function planMoves(pods: readonly Pod[], poolSize: number, forced: number): Plan {
  const n1 = pods.filter((p) => p.length === 1).length;
  const n2 = pods.filter((p) => p.length === 2).length;
  let best: Plan | undefined;
  for (let d1 = 0; d1 <= n1; d1 += 1) {
    for (let d2 = 0; d2 <= n2; d2 += 1) {
      const kept = keptAfterDissolving(pods, d1, d2);
      const pool = poolSize + d1 + 2 * d2;
      let extra = 0;
      if (kept.length > 0) {
        const minDemand = kept.reduce((s, p) => s + Math.max(0, POD_MIN - p.length), 0);
        const canGive = kept.reduce((s, p) => s + Math.max(0, p.length - POD_MIN), 0);
        const room = kept.reduce((s, p) => s + (POD_MAX - Math.max(POD_MIN, p.length)), 0);
        extra = Math.max(0, minDemand - pool);
        const rest = pool + extra - minDemand;
        // One or two left over with no room anywhere: take enough from big pods to start a new pod.
        if (rest > 0 && rest < POD_MIN && rest > room + extra) extra += POD_MIN - rest;
        if (extra > canGive) continue;
      }
      const cost = forced + d1 + 2 * d2 + extra;
      if (best === undefined || cost < best.cost || (cost === best.cost && d1 + d2 < best.dissolve1 + best.dissolve2)) {
        best = { cost, dissolve1: d1, dissolve2: d2, extra };
      }
    }
  }
  // Dissolving everything is always possible (the role group has at least POD_MIN people).
  return best ?? { cost: Infinity, dissolve1: n1, dissolve2: n2, extra: 0 };
}

function formPods(members: readonly MatchPerson[], input: MatchInput): Pod[] {
  const people = new Map<string, Person>();
  for (const p of members) people.set(p.userId, { p, x: workingWindow(p.timeZone, input.at).start, tie: hash53(`${input.seed}\u0000${p.userId}`) });

  // 1. Last round's pods, this role's people only; sorted by their smallest id so the caller's order does not matter.
  const placed = new Set<string>();
  const previous = (input.previousPods ?? []).map((pod) => [...pod].sort()).sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1));
  const pods: Pod[] = [];
  for (const ids of previous) {
    const pod = ids.filter((id) => people.has(id) && !placed.has(id)).map((id) => people.get(id)!);
    for (const m of pod) placed.add(m.p.userId);
    if (pod.length > 0) pods.push(pod);
  }
  const pool: Person[] = [...people.values()].filter((m) => !placed.has(m.p.userId));

  // 2. Forced moves, then the cheapest plan for the undersized.
  let forced = 0;
  for (const pod of pods) {
    while (pod.length > POD_MAX) {
      pool.push(shedOne(pod));
      forced += 1;
    }
  }
  const plan = planMoves(pods, pool.length, forced);
  const kept = keptAfterDissolving(pods, plan.dissolve1, plan.dissolve2);
  for (const pod of pods) if (!kept.includes(pod)) pool.push(...pod);
  for (let e = 0; e < plan.extra; e += 1) {
    const donor = kept.reduce<Pod | undefined>((big, pod) => (big === undefined || pod.length > big.length ? pod : big), undefined);
    if (donor === undefined || donor.length <= POD_MIN) break;
    pool.push(shedOne(donor));
  }
  for (const pod of kept) while (pod.length < POD_MIN && pool.length > 0) pod.push(takeClosest(pool, median(pod)));

  // 3. Whoever is left: new pods when there are enough of them (or no room), else the closest pod with room.
  const hasRoom = (): boolean => kept.some((pod) => pod.length < POD_MAX);
  if (pool.length >= POD_MIN || !hasRoom()) {
    kept.push(...newPods(pool));
  } else {
    for (const m of [...pool].sort((a, b) => a.tie - b.tie)) {
      const open = kept.filter((pod) => pod.length < POD_MAX);
      open.sort((a, b) => Math.abs(median(a) - m.x) - Math.abs(median(b) - m.x) || a.length - b.length);
      open[0]!.push(m);
    }
  }
  for (const pod of kept) pod.sort(compareIds);
  return kept.filter((pod) => pod.length > 0);
}

/** Runs of people sorted by zone position, as even in size as POD_TARGET allows. */
function newPods(pool: readonly Person[]): Pod[] {
  if (pool.length === 0) return [];
  const sorted = [...pool].sort((a, b) => a.x - b.x || a.tie - b.tie);
  const count = Math.ceil(sorted.length / POD_TARGET);
  const pods: Pod[] = [];
  let start = 0;
  for (let i = 0; i < count; i += 1) {
    const size = Math.floor(sorted.length / count) + (i < sorted.length % count ? 1 : 0);
    pods.push(sorted.slice(start, start + size));
    start += size;
  }
  return pods;
}

function describePod(pod: Pod, roleKey: string | null, at: number): MatchedGroup {
  const people = pod.map((m) => m.p);
  const sharedMinutes = minutesOf(sharedWindow(people.map((p) => p.timeZone), at));
  const exchanges = groupExchanges(people, new Map(people.map((p) => [p.userId, new Set(p.learn)])));
  return {
    userIds: people.map((p) => p.userId),
    score: Math.min(exchanges.length, 10) * 10 + Math.min(Math.floor(sharedMinutes / 6), 90),
    exchanges,
    roleKey,
    sharedMinutes,
  };
}
