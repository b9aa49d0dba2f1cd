import { edgeSlack, maxWeightMatching, type BlossomResult } from './blossom.js';
import type { Roster } from './roster.js';
import { pairScoreFrom } from './score.js';

/**
 * Maximum-weight matching of a round's people, on indices, over the allowed pairs (never two
 * people who met within the repeat window). `weight(a, b)` is a positive integer.
 *
 * - 'exact' (every round up to EXACT_MAX_PEOPLE): the blossom algorithm (blossom.ts) on a sparse
 *   graph, each person's EXACT_CANDIDATES_PER_PERSON best partners over everyone, then *pricing*: the
 *   final dual variables are checked against every allowed pair left out. When none is violated
 *   the duals prove the matching optimal for the complete graph (LP duality: the same duals are
 *   feasible for it and equal the matching's weight); otherwise the violated pairs are added and
 *   it solves again. After MAX_PRICING_ROUNDS it adds every allowed pair, so the answer is always
 *   the exact optimum; the rounds only decide how fast.
 * - 'sparse' (above EXACT_MAX_PEOPLE): the same blossom on candidate edges found without looking
 *   at every pair: each person's best partners among those they can teach or learn from (an
 *   inverted index of skills, at most SCAN_PER_SKILL people a skill), plus ZONE_NEIGHBOURS
 *   people either side of them in working-hours order (so people with no exchange still get
 *   partners in their hours), as one graph up to COHORT_MAX_PEOPLE, in cohorts above. Then whoever is left unmatched is paired with the best allowed
 *   partner near them in working hours, and improving swaps run until none gains. Not proven
 *   optimal; `npm run bench -- matching` measures it against the exact optimum.
 * - 'greedy': the same candidates taken heaviest first, then the fill and the swaps (kept for
 *   the benchmark's comparison).
 */

/**
 * Up to this many people a round is solved exactly (and proven so). Measured on this machine
 * (bench/matching.ts instances): 500 in about 0.15 s, 1,000 in about 0.5 s, 2,000 in 1.3 to 3 s,
 * which is over the 2 s bar, so 'sparse' takes over above 1,000 (99.3 to 99.5% of the optimum).
 */
export const EXACT_MAX_PEOPLE = 1_000;
/** The exact method's starting graph: fewer edges make each solve faster, pricing adds what is missing. */
const EXACT_CANDIDATES_PER_PERSON = 8;
/**
 * Above this many people, 'sparse' solves cohorts of at most this size (see solveInCohorts).
 * Measured on 10,000 people: one graph took 9 s for 100% (the reference), cohorts of 3,000 with
 * three passes 7 s for 98.2% of it: not worth it at the sizes Slack channels have, so cohorts only
 * bound the time of far larger rounds.
 */
export const COHORT_MAX_PEOPLE = 20_000;
/** Re-solving passes over regrouped cohorts (see solveInCohorts). */
const COHORT_PASSES = 3;
/** Each person's best partners that seed the candidate graph. */
export const CANDIDATES_PER_PERSON = 12;
/** People either side in working-hours order that join a person's candidates in 'sparse'. */
const ZONE_NEIGHBOURS = 3;
/** A skill with more learners (or teachers) than this is scanned through a rotating slice of them. */
const SCAN_PER_SKILL = 400;
/** How far the fill looks ahead (people sorted by working hours) for a partner. */
const FILL_LOOKAHEAD = 64;
const MAX_SWAP_PASSES = 12;
const MAX_PRICING_ROUNDS = 8;
const VIOLATED_PER_PERSON = 6;

export type Weight = (a: number, b: number) => number;
export type PairMethod = 'exact' | 'sparse' | 'greedy';

export interface PairStats {
  method: PairMethod;
  /** True when the duals proved the matching optimal over every allowed pair. */
  certified: boolean;
  candidateEdges: number;
  pricingRounds: number;
}

export interface PairMatching {
  mate: Int32Array;
  stats: PairStats;
}

/** Edges as parallel arrays, each pair once with a < b. */
class EdgeList {
  from: number[] = [];
  to: number[] = [];
  weight: number[] = [];
  private readonly keys = new Set<number>();
  constructor(private readonly n: number) {}

  has(a: number, b: number): boolean {
    return this.keys.has(a < b ? a * this.n + b : b * this.n + a);
  }

  add(a: number, b: number, w: number): void {
    const key = a < b ? a * this.n + b : b * this.n + a;
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.from.push(Math.min(a, b));
    this.to.push(Math.max(a, b));
    this.weight.push(w);
  }

  get size(): number {
    return this.from.length;
  }

  solve(): BlossomResult {
    return maxWeightMatching(this.n, Int32Array.from(this.from), Int32Array.from(this.to), Float64Array.from(this.weight));
  }
}

export function matchPairs(roster: Roster, weight: Weight, method: PairMethod | 'auto' = 'auto', cohortSize = COHORT_MAX_PEOPLE): PairMatching {
  const chosen: PairMethod = method === 'auto' ? (roster.n <= EXACT_MAX_PEOPLE ? 'exact' : 'sparse') : method;
  if (chosen === 'exact') return exactPairs(roster, weight);
  const edges = indexedCandidates(roster, weight);
  let mate: Int32Array;
  if (chosen === 'sparse') mate = solveInCohorts(roster, edges, cohortSize);
  else mate = greedy(roster.n, edges);
  fill(roster, weight, mate);
  improve(roster, weight, edges, mate);
  return { mate, stats: { method: chosen, certified: false, candidateEdges: edges.size, pricingRounds: 0 } };
}

/** A per-person marker of forbidden partners, so the all-pairs scans test it with one array read. */
function forbiddenMarker(roster: Roster): (a: number) => Int32Array {
  const stamp = new Int32Array(roster.n).fill(-1);
  return (a) => {
    for (const b of roster.forbiddenOf[a]!) stamp[b] = a;
    return stamp;
  };
}

/** A cheap, seed-free mix of a pair so equal weights do not all favour the same few people. */
function pairTie(a: number, b: number): number {
  return (Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b) >>> 16) / 65536;
}

/** Each person's best partners over every allowed pair (O(n^2) score evaluations, all cheap). */
function denseCandidates(roster: Roster, weight: Weight): EdgeList {
  const n = roster.n;
  const k = EXACT_CANDIDATES_PER_PERSON;
  const topKey = new Float64Array(n * k).fill(-Infinity);
  const topPartner = new Int32Array(n * k).fill(-1);
  const push = (a: number, b: number, key: number): void => {
    // Replace a's smallest kept key when this one is larger (k is small: a linear scan is fastest).
    let min = 0;
    for (let i = 1; i < k; i += 1) if (topKey[a * k + i]! < topKey[a * k + min]!) min = i;
    if (key > topKey[a * k + min]!) {
      topKey[a * k + min] = key;
      topPartner[a * k + min] = b;
    }
  };
  const marker = forbiddenMarker(roster);
  for (let a = 0; a < n; a += 1) {
    const stamp = marker(a);
    for (let b = a + 1; b < n; b += 1) {
      if (stamp[b] === a) continue;
      // Ranked by the plain score, not the weight: the sat-out priority would crowd everyone's
      // list with the few who sat out (their edges are added anyway, from their own lists).
      const key = roster.score(a, b) + pairTie(a, b);
      push(a, b, key);
      push(b, a, key);
    }
  }
  const edges = new EdgeList(n);
  for (let a = 0; a < n; a += 1) {
    for (let i = 0; i < k; i += 1) {
      const b = topPartner[a * k + i]!;
      if (b >= 0) edges.add(a, b, weight(a, b));
    }
  }
  return edges;
}

/**
 * Allowed pairs left out whose slack under the final duals is negative (the proof fails on them),
 * at most VIOLATED_PER_PERSON a person (the most violated) so one round never floods the graph.
 */
function violated(roster: Roster, weight: Weight, edges: EdgeList, result: BlossomResult): [number, number][] {
  const found: { a: number; b: number; slack: number }[] = [];
  const marker = forbiddenMarker(roster);
  const dual = result.dual;
  let maxDual = 0;
  for (let v = 0; v < roster.n; v += 1) maxDual = Math.max(maxDual, dual[v]!);
  for (let a = 0; a < roster.n; a += 1) {
    const stamp = marker(a);
    for (let b = a + 1; b < roster.n; b += 1) {
      if (stamp[b] === a) continue;
      const w = weight(a, b);
      // Quick accept: the vertex duals alone cover the pair (blossom duals only add to that).
      if (dual[a]! + dual[b]! >= 2 * w) continue;
      if (edges.has(a, b)) continue;
      const slack = edgeSlack(result, a, b, w);
      if (slack < 0) found.push({ a, b, slack });
    }
  }
  found.sort((x, y) => x.slack - y.slack || x.a - y.a || x.b - y.b);
  const added = new Int32Array(roster.n);
  const out: [number, number][] = [];
  for (const { a, b } of found) {
    if (added[a]! >= VIOLATED_PER_PERSON && added[b]! >= VIOLATED_PER_PERSON) continue;
    added[a]! += 1;
    added[b]! += 1;
    out.push([a, b]);
  }
  return out;
}

function exactPairs(roster: Roster, weight: Weight): PairMatching {
  const edges = denseCandidates(roster, weight);
  let result = edges.solve();
  let rounds = 0;
  for (;;) {
    const missing = violated(roster, weight, edges, result);
    if (missing.length === 0) break;
    rounds += 1;
    if (rounds > MAX_PRICING_ROUNDS) {
      // Give up on sparsity rather than on exactness: every allowed pair goes in.
      const marker = forbiddenMarker(roster);
      for (let a = 0; a < roster.n; a += 1) {
        const stamp = marker(a);
        for (let b = a + 1; b < roster.n; b += 1) if (stamp[b] !== a) edges.add(a, b, weight(a, b));
      }
      result = edges.solve();
      break;
    }
    for (const [a, b] of missing) edges.add(a, b, weight(a, b));
    result = edges.solve();
  }
  return { mate: result.mate, stats: { method: 'exact', certified: true, candidateEdges: edges.size, pricingRounds: rounds } };
}

/**
 * Candidates without an all-pairs scan: each person's CANDIDATES_PER_PERSON best partners among
 * those with a skill exchange either way (inverted index), plus ZONE_NEIGHBOURS either side in
 * working-hours order.
 */
function indexedCandidates(roster: Roster, weight: Weight): EdgeList {
  const n = roster.n;
  const teachersOf = new Map<number, number[]>();
  const learnersOf = new Map<number, number[]>();
  for (let v = 0; v < n; v += 1) {
    for (const s of roster.teaches(v)) (teachersOf.get(s) ?? teachersOf.set(s, []).get(s)!).push(v);
    for (const s of roster.learns(v)) (learnersOf.get(s) ?? learnersOf.set(s, []).get(s)!).push(v);
  }
  // Per-person scratch, reset by stamping with the current person instead of clearing arrays.
  const seen = new Int32Array(n).fill(-1);
  const aTeachesB = new Int32Array(n);
  const bTeachesA = new Int32Array(n);
  const marker = forbiddenMarker(roster);
  const edges = new EdgeList(n);
  const touched: number[] = [];
  const k = CANDIDATES_PER_PERSON;
  const topKey = new Float64Array(k);
  const topPartner = new Int32Array(k);
  let sliced = false;
  const visit = (a: number, list: readonly number[], counts: Int32Array, forbidden: Int32Array): void => {
    const len = list.length;
    if (len > SCAN_PER_SKILL) sliced = true;
    const take = Math.min(len, SCAN_PER_SKILL);
    const offset = len > SCAN_PER_SKILL ? (a * 7919) % len : 0;
    for (let i = 0; i < take; i += 1) {
      const b = list[(offset + i) % len]!;
      if (b === a || forbidden[b] === a) continue;
      if (seen[b] !== a) {
        seen[b] = a;
        aTeachesB[b] = 0;
        bTeachesA[b] = 0;
        touched.push(b);
      }
      counts[b]! += 1;
    }
  };
  for (let a = 0; a < n; a += 1) {
    const forbidden = marker(a);
    touched.length = 0;
    sliced = false;
    for (const s of roster.teaches(a)) visit(a, learnersOf.get(s) ?? [], aTeachesB, forbidden);
    for (const s of roster.learns(a)) visit(a, teachersOf.get(s) ?? [], bTeachesA, forbidden);
    // Top k by the plain score from the counts just gathered (see denseCandidates for why not the weight).
    topKey.fill(-Infinity);
    topPartner.fill(-1);
    for (const b of touched) {
      // The counts miss skills whose long lists were sliced past b: then a full count (popcounts).
      const key = (sliced ? roster.score(a, b) : pairScoreFrom(aTeachesB[b]!, bTeachesA[b]!, roster.sharedMinutes(a, b))) + pairTie(a, b);
      let min = 0;
      for (let i = 1; i < k; i += 1) if (topKey[i]! < topKey[min]!) min = i;
      if (key > topKey[min]!) {
        topKey[min] = key;
        topPartner[min] = b;
      }
    }
    for (const b of topPartner) if (b >= 0) edges.add(a, b, weight(a, b));
  }
  const byHours = Array.from({ length: n }, (_, v) => v).sort((x, y) => roster.winStart[x]! - roster.winStart[y]! || x - y);
  for (let i = 0; i < n; i += 1) {
    for (let d = 1; d <= ZONE_NEIGHBOURS && i + d < n; d += 1) {
      const [a, b] = [byHours[i]!, byHours[i + d]!];
      if (roster.allowed(a, b)) edges.add(a, b, weight(a, b));
    }
  }
  return edges;
}

/**
 * The blossom algorithm on the candidate graph, a cohort at a time, when there are more than
 * `cohortSize` people. Why: the algorithm restarts its search after each augmentation, so its
 * time grows faster than n.
 *
 * A single cut loses the good pairs that straddle it (measured: 3 to 6% of the total with three
 * cohorts), so it is a large-neighbourhood search instead: the first pass cuts people into
 * random cohorts (index ranges: indices are already a seeded shuffle); each later pass regroups
 * the current pairs into new random cohorts and re-solves each one exactly on its own candidate
 * edges. The current pairs inside a cohort are one of the matchings the solver considers, so a
 * pass never lowers the total; COHORT_PASSES passes recover most of what the cuts lost.
 */
function solveInCohorts(roster: Roster, edges: EdgeList, cohortSize: number): Int32Array {
  const n = roster.n;
  const size = Math.max(2, cohortSize);
  if (n <= size) return edges.solve().mate;
  const mate = new Int32Array(n).fill(-1);
  // Adjacency in CSR form, so each cohort collects its edges without scanning them all.
  const start = new Int32Array(n + 1);
  for (let e = 0; e < edges.size; e += 1) {
    start[edges.from[e]! + 1]! += 1;
    start[edges.to[e]! + 1]! += 1;
  }
  for (let v = 0; v < n; v += 1) start[v + 1]! += start[v]!;
  const adjacent = new Int32Array(2 * edges.size);
  const cursor = start.slice(0, n);
  for (let e = 0; e < edges.size; e += 1) {
    adjacent[cursor[edges.from[e]!]!++] = e;
    adjacent[cursor[edges.to[e]!]!++] = e;
  }
  const cohortOf = new Int32Array(n);
  const local = new Int32Array(n);
  const solveCohort = (members: readonly number[], id: number): void => {
    members.forEach((v, i) => {
      cohortOf[v] = id;
      local[v] = i;
    });
    const from: number[] = [];
    const to: number[] = [];
    const weight: number[] = [];
    for (const a of members) {
      for (let i = start[a]!; i < start[a + 1]!; i += 1) {
        const e = adjacent[i]!;
        const b = edges.from[e] === a ? edges.to[e]! : edges.from[e]!;
        if (b < a || cohortOf[b] !== id) continue;
        from.push(local[a]!);
        to.push(local[b]!);
        weight.push(edges.weight[e]!);
      }
    }
    const result = maxWeightMatching(members.length, Int32Array.from(from), Int32Array.from(to), Float64Array.from(weight));
    members.forEach((v, i) => {
      const m = result.mate[i]!;
      mate[v] = m >= 0 ? members[m]! : -1;
    });
  };
  let nextId = 0;
  const cohorts = Math.ceil(n / size);
  for (let c = 0; c < cohorts; c += 1) {
    const from = Math.floor((c * n) / cohorts);
    const to = Math.floor(((c + 1) * n) / cohorts);
    solveCohort(Array.from({ length: to - from }, (_, i) => from + i), nextId++);
  }
  for (let pass = 1; pass <= COHORT_PASSES; pass += 1) {
    // Units: current pairs (kept whole, so the old matching stays feasible) and singles, in a new shuffle.
    const units: number[][] = [];
    for (let v = 0; v < n; v += 1) {
      if (mate[v] === -1) units.push([v]);
      else if (mate[v]! > v) units.push([v, mate[v]!]);
    }
    const salt = Math.imul(pass, 0x9e3779b1);
    units.sort((x, y) => (Math.imul(x[0]! ^ salt, 0x85ebca6b) >>> 0) - (Math.imul(y[0]! ^ salt, 0x85ebca6b) >>> 0) || x[0]! - y[0]!);
    let members: number[] = [];
    for (const unit of units) {
      if (members.length + unit.length > size) {
        solveCohort(members, nextId++);
        members = [];
      }
      members.push(...unit);
    }
    if (members.length > 0) solveCohort(members, nextId++);
  }
  return mate;
}

function greedy(n: number, edges: EdgeList): Int32Array {
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
      best = free.find((b) => b !== a && mate[b] === -1 && roster.allowed(a, b)) ?? -1;
    }
    if (best !== -1) {
      mate[a] = best;
      mate[best] = a;
    }
  }
}

/**
 * Improving swaps through candidate edges until a pass finds none (or MAX_SWAP_PASSES): for a
 * candidate a-c, drop a's and c's partners b and d, and pair b-d when they may meet. Applied only
 * when the total strictly grows, so it always ends.
 */
function improve(roster: Roster, weight: Weight, edges: EdgeList, mate: Int32Array): void {
  const w = (a: number, b: number): number => (a < 0 || b < 0 ? 0 : weight(a, b));
  for (let pass = 0; pass < MAX_SWAP_PASSES; pass += 1) {
    let improved = false;
    for (let e = 0; e < edges.size; e += 1) {
      const a = edges.from[e]!;
      const c = edges.to[e]!;
      if (mate[a] === c) continue;
      const b = mate[a]!;
      const d = mate[c]!;
      const lost = w(a, b) + w(c, d);
      const rejoin = b >= 0 && d >= 0 && roster.allowed(b, d) ? w(b, d) : 0;
      if (edges.weight[e]! + rejoin <= lost) continue;
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
