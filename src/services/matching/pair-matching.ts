import { createRequire } from 'node:module';
import type { Roster } from './roster.js';

/**
 * Maximum-weight matching of a round's people, on indices. Two methods:
 *
 * - `exactMatching`: Edmonds' blossom algorithm (edmonds-blossom-fixed, a port of van Rantwijk's
 *   O(n^3) mwmatching) on every allowed pair. Provably optimal; used up to EXACT_MAX_PEOPLE.
 * - `approxMatching`: above that, a candidate graph of each person's best partners (top-k, see
 *   CANDIDATES_PER_PERSON), a greedy pass by weight, a fill that pairs whoever is left with the
 *   best allowed partner nearby in working hours, then improving swaps (alternating 4-cycles and
 *   3-paths through a candidate edge) until none gains. Quality against the exact optimum is
 *   measured by `npm run bench -- matching`.
 *
 * `weight(a, b)` must be positive for allowed pairs; the mate array holds -1 for unmatched.
 */

type Blossom = (edges: [number, number, number][], maxCardinality?: boolean) => number[];
// The package ships no types; its whole API is this one function.
const blossom = createRequire(import.meta.url)('edmonds-blossom-fixed') as Blossom;

/** Up to this many people the exact method runs on the complete graph of allowed pairs. */
export const EXACT_MAX_PEOPLE = 200;
/** Above EXACT_MAX_PEOPLE, each person keeps this many best partners as candidate edges. */
export const CANDIDATES_PER_PERSON = 12;
/** A skill with more learners (or teachers) than this is scanned through a rotating slice of them. */
const SCAN_PER_SKILL = 400;
/** How far the fill looks ahead (people sorted by working hours) for a partner. */
const FILL_LOOKAHEAD = 64;
const MAX_SWAP_PASSES = 12;

export type Weight = (a: number, b: number) => number;

export function exactMatching(roster: Roster, weight: Weight): Int32Array {
  const n = roster.n;
  const edges: [number, number, number][] = [];
  for (let a = 0; a < n; a += 1) {
    for (let b = a + 1; b < n; b += 1) if (roster.allowed(a, b)) edges.push([a, b, weight(a, b)]);
  }
  const mate = new Int32Array(n).fill(-1);
  if (edges.length === 0) return mate;
  const result = blossom(edges);
  for (let v = 0; v < n; v += 1) mate[v] = result[v] ?? -1;
  return mate;
}

export interface CandidateEdges {
  /** Flat pairs: a = from[i], b = to[i], a < b, each pair once. */
  from: Int32Array;
  to: Int32Array;
  weight: Float64Array;
}

/**
 * Each person's CANDIDATES_PER_PERSON best allowed partners among those with a skill exchange
 * either way (found through an inverted index of who teaches and who wants each skill), ties
 * broken by a rotation of the seeded order so popular people are not everyone's candidate.
 */
export function candidateEdges(roster: Roster, weight: Weight, perPerson = CANDIDATES_PER_PERSON): CandidateEdges {
  const n = roster.n;
  const teachersOf = new Map<number, number[]>();
  const learnersOf = new Map<number, number[]>();
  for (let v = 0; v < n; v += 1) {
    for (const s of roster.teaches(v)) (teachersOf.get(s) ?? teachersOf.set(s, []).get(s)!).push(v);
    for (const s of roster.learns(v)) (learnersOf.get(s) ?? learnersOf.set(s, []).get(s)!).push(v);
  }
  const mark = new Int32Array(n).fill(-1);
  const seen = new Set<number>();
  const from: number[] = [];
  const to: number[] = [];
  const weights: number[] = [];
  const touched: number[] = [];
  const visit = (a: number, list: readonly number[]): void => {
    const len = list.length;
    const take = Math.min(len, SCAN_PER_SKILL);
    const offset = len > SCAN_PER_SKILL ? (a * 7919) % len : 0;
    for (let i = 0; i < take; i += 1) {
      const b = list[(offset + i) % len]!;
      if (b === a || mark[b] === a) continue;
      mark[b] = a;
      if (roster.allowed(a, b)) touched.push(b);
    }
  };
  for (let a = 0; a < n; a += 1) {
    touched.length = 0;
    for (const s of roster.teaches(a)) visit(a, learnersOf.get(s) ?? []);
    for (const s of roster.learns(a)) visit(a, teachersOf.get(s) ?? []);
    const scored = touched.map((b) => ({ b, w: weight(a, b), tie: (b - a + n) % n }));
    scored.sort((x, y) => y.w - x.w || x.tie - y.tie);
    for (const { b, w } of scored.slice(0, perPerson)) {
      const key = a < b ? a * n + b : b * n + a;
      if (seen.has(key)) continue;
      seen.add(key);
      from.push(Math.min(a, b));
      to.push(Math.max(a, b));
      weights.push(w);
    }
  }
  return { from: Int32Array.from(from), to: Int32Array.from(to), weight: Float64Array.from(weights) };
}

function greedy(n: number, edges: CandidateEdges): Int32Array {
  const mate = new Int32Array(n).fill(-1);
  const order = Array.from(edges.weight.keys()).sort((x, y) => edges.weight[y]! - edges.weight[x]! || x - y);
  for (const e of order) {
    const [a, b] = [edges.from[e]!, edges.to[e]!];
    if (mate[a] === -1 && mate[b] === -1) {
      mate[a] = b;
      mate[b] = a;
    }
  }
  return mate;
}

/**
 * Pairs the unmatched among themselves: sorted by the start of their working day (so neighbours
 * share hours), sat-out people first, each takes the best allowed partner within FILL_LOOKAHEAD.
 */
function fill(roster: Roster, weight: Weight, mate: Int32Array): void {
  const free: number[] = [];
  for (let v = 0; v < roster.n; v += 1) if (mate[v] === -1) free.push(v);
  free.sort((x, y) => roster.winStart[x]! - roster.winStart[y]! || x - y);
  const order = [...free].sort((x, y) => roster.satOut[y]! - roster.satOut[x]!);
  const position = new Map(free.map((v, i) => [v, i]));
  for (const a of order) {
    if (mate[a] !== -1) continue;
    const at = position.get(a)!;
    let best = -1;
    let bestW = 0;
    // Look both ways along the working-hours order, and give up on the window only if it is all taken or forbidden.
    for (let d = 1; d <= FILL_LOOKAHEAD; d += 1) {
      for (const i of [at + d, at - d]) {
        const b = free[i];
        if (b === undefined || mate[b] !== -1 || !roster.allowed(a, b)) continue;
        const w = weight(a, b);
        if (w > bestW) [best, bestW] = [b, w];
      }
    }
    if (best === -1) {
      // Everyone nearby is taken or forbidden: any free allowed person will do.
      for (const b of free) {
        if (b === a || mate[b] !== -1 || !roster.allowed(a, b)) continue;
        best = b;
        break;
      }
    }
    if (best !== -1) {
      mate[a] = best;
      mate[best] = a;
    }
  }
}

/** Improving swaps through candidate edges until a pass finds none (or MAX_SWAP_PASSES). */
function improve(roster: Roster, weight: Weight, edges: CandidateEdges, mate: Int32Array): void {
  const w = (a: number, b: number): number => (a < 0 || b < 0 ? 0 : weight(a, b));
  for (let pass = 0; pass < MAX_SWAP_PASSES; pass += 1) {
    let improved = false;
    for (let e = 0; e < edges.weight.length; e += 1) {
      const a = edges.from[e]!;
      const c = edges.to[e]!;
      if (mate[a] === c) continue;
      const b = mate[a]!;
      const d = mate[c]!;
      const wac = edges.weight[e]!;
      const lost = w(a, b) + w(c, d);
      // Swap partners (a-c, b-d) when b and d may meet; otherwise b and d become free for the fill.
      const rejoin = b >= 0 && d >= 0 && roster.allowed(b, d) ? w(b, d) : 0;
      if (wac + rejoin <= lost) continue;
      if (b >= 0) mate[b] = -1;
      if (d >= 0) mate[d] = -1;
      mate[a] = c;
      mate[c] = a;
      if (rejoin > 0) {
        mate[b] = d;
        mate[d] = b;
      }
      improved = true;
    }
    fill(roster, weight, mate);
    if (!improved) break;
  }
}

export function approxMatching(roster: Roster, weight: Weight): Int32Array {
  const edges = candidateEdges(roster, weight);
  const mate = greedy(roster.n, edges);
  fill(roster, weight, mate);
  improve(roster, weight, edges, mate);
  return mate;
}
