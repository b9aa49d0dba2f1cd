import { createRequire } from 'node:module';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { MatchInput, MatchPerson } from '../../src/services/matching.js';
import { edgeSlack, maxWeightMatching } from '../../src/services/matching/blossom.js';
import { Roster } from '../../src/services/matching/roster.js';
import { bruteForceMatchingWeight } from '../support/brute-force-matching.js';
import { matchSkillSwap } from '../../src/services/matching/skill-swap.js';

// An independent implementation (the npm port of the same algorithm) as a second opinion.
const reference = createRequire(import.meta.url)('edmonds-blossom-fixed') as (edges: number[][]) => number[];

const WEEK = 7 * 86_400_000;
const AT = Date.UTC(2026, 9, 14, 12);

const graphArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: 60 })), {
      selector: ([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`,
      maxLength: 30,
    }).map((edges) => edges.filter(([a, b]) => a !== b)),
  }),
);

function bruteForce(n: number, edges: readonly [number, number, number][]): number {
  const w = new Map(edges.map(([a, b, x]) => [`${Math.min(a, b)}-${Math.max(a, b)}`, x]));
  return bruteForceMatchingWeight(n, (i, j) => w.get(`${i}-${j}`));
}

describe('blossom (maximum-weight matching)', () => {
  test.prop([graphArb], { numRuns: 300 })('matches brute force and the npm port, with duals that cover every edge', ({ n, edges }) => {
    const result = maxWeightMatching(n, Int32Array.from(edges.map((e) => e[0])), Int32Array.from(edges.map((e) => e[1])), Float64Array.from(edges.map((e) => e[2])));
    let total = 0;
    for (const [a, b, w] of edges) {
      if (result.mate[a] === b) total += w;
      expect(edgeSlack(result, a, b, w)).toBeGreaterThanOrEqual(0);
    }
    for (let v = 0; v < n; v += 1) if (result.mate[v]! >= 0) expect(result.mate[result.mate[v]!]).toBe(v);
    expect(total).toBe(bruteForce(n, edges));
    if (edges.length > 0) {
      const mate = reference(edges.map((e) => [...e]));
      expect(total).toBe(edges.reduce((s, [a, b, w]) => s + (mate[a] === b ? w : 0), 0));
    }
  });
});

const SKILLS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney'];

/** A mid-size round (30..90 people) with history: big enough for the candidate graphs to be sparse. */
const roundArb = fc.record({ n: fc.integer({ min: 30, max: 90 }), seed: fc.integer(), weeks: fc.integer({ min: 0, max: 12 }) }).map(({ n, seed, weeks }): MatchInput => {
  let s = seed >>> 0;
  const random = (): number => {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    return s / 4_294_967_296;
  };
  const pick = (k: number): string[] => [...new Set(Array.from({ length: k }, () => SKILLS[Math.floor(random() * random() * SKILLS.length)]!))];
  const people: MatchPerson[] = Array.from({ length: n }, (_, i) => ({
    userId: `U${String(i).padStart(3, '0')}`,
    teach: pick(1 + Math.floor(random() * 3)),
    learn: pick(1 + Math.floor(random() * 3)),
    roleKey: null,
    timeZone: ZONES[Math.floor(random() * ZONES.length)]!,
    satOutLastRound: random() < 0.05,
  }));
  const history = [];
  for (let w = 1; w <= weeks; w += 1) {
    const ids = people.map((p) => p.userId).sort(() => random() - 0.5);
    for (let i = 0; i + 1 < ids.length; i += 2) history.push({ userIds: [ids[i]!, ids[i + 1]!], at: AT - w * WEEK });
  }
  return { mode: 'skill-swap', people, history, repeatWindowMs: 12 * WEEK, at: AT, seed: String(seed) };
});

/** The pair stage's objective (matching/skill-swap.ts): each group's pair, with the sat-out priority. */
function pairStage(roster: Roster, r: { groups: { userIds: string[]; joinedAsThird?: string }[] }): number {
  const priority = 140 * Math.floor(roster.n / 2) + 1;
  return r.groups.reduce((s, g) => {
    const [a, b] = g.userIds.filter((id) => id !== g.joinedAsThird).map((id) => roster.index.get(id)!);
    return s + roster.score(a!, b!) + priority * (roster.satOut[a!]! + roster.satOut[b!]!);
  }, 0);
}

describe('the methods on mid-size rounds', () => {
  test.prop([roundArb], { numRuns: 25 })('exact (sparse start + pricing) equals blossom on every allowed pair', (input) => {
    const result = matchSkillSwap(input, 'exact');
    expect(result.stats.certified).toBe(true);
    // The same objective solved on the complete graph of allowed pairs.
    const roster = new Roster(input.people, input.seed, input.history, input.repeatWindowMs, input.at);
    const priority = 140 * Math.floor(roster.n / 2) + 1;
    const from: number[] = [];
    const to: number[] = [];
    const weight: number[] = [];
    for (let a = 0; a < roster.n; a += 1) {
      for (let b = a + 1; b < roster.n; b += 1) {
        if (!roster.allowed(a, b)) continue;
        from.push(a);
        to.push(b);
        weight.push(roster.score(a, b) + priority * (roster.satOut[a]! + roster.satOut[b]!));
      }
    }
    const full = maxWeightMatching(roster.n, Int32Array.from(from), Int32Array.from(to), Float64Array.from(weight));
    const fullTotal = from.reduce((s, a, e) => s + (full.mate[a] === to[e] ? weight[e]! : 0), 0);
    expect(pairStage(roster, result)).toBe(fullTotal);
  });

  test.prop([roundArb, fc.constantFrom('sparse', 'greedy' as const), fc.integer({ min: 8, max: 40 })], { numRuns: 40 })(
    'the large-scale methods (cohorts forced small) keep every rule, never beat the proven optimum, and leave out no more sat-out people',
    (input, method, cohort) => {
      const result = matchSkillSwap(input, method, cohort);
      const placed = result.groups.flatMap((g) => g.userIds);
      expect(new Set(placed).size).toBe(placed.length);
      expect([...placed, ...result.unmatched.map((u) => u.userId)].sort()).toEqual(input.people.map((p) => p.userId).sort());
      const roster = new Roster(input.people, input.seed, input.history, input.repeatWindowMs, input.at);
      for (const g of result.groups) {
        expect(g.userIds.length === 2 || g.userIds.length === 3).toBe(true);
        for (const a of g.userIds) for (const b of g.userIds) if (a !== b) expect(roster.allowed(roster.index.get(a)!, roster.index.get(b)!)).toBe(true);
      }
      // Never above the proven optimum of the pair stage, and sat-out people are covered as well as there.
      const exact = matchSkillSwap(input, 'exact');
      expect(pairStage(roster, result)).toBeLessThanOrEqual(pairStage(roster, exact));
      const satOutLeft = (r: { unmatched: { userId: string }[] }) => r.unmatched.filter((u) => input.people.find((p) => p.userId === u.userId)!.satOutLastRound).length;
      expect(satOutLeft(result)).toBeLessThanOrEqual(satOutLeft(exact));
    },
  );

  it('is deterministic above the exact size too (same input, same output)', () => {
    const people: MatchPerson[] = Array.from({ length: 120 }, (_, i) => ({ userId: `U${i}`, teach: [SKILLS[i % 8]!], learn: [SKILLS[(i * 3) % 8]!], roleKey: null, timeZone: ZONES[i % 4]! }));
    const input: MatchInput = { mode: 'skill-swap', people, history: [], repeatWindowMs: WEEK, at: AT, seed: 's' };
    expect(matchSkillSwap(input, 'sparse', 30)).toEqual(matchSkillSwap({ ...input, people: [...people].reverse() }, 'sparse', 30));
  });
});
