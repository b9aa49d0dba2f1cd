import { hash53 } from './seeded.js';
import { dayOverlap, minutesOf, pairScoreFrom, safeZone, workingWindows, type Window } from './score.js';
import type { MatchPerson, PastGroup } from './types.js';

/**
 * The people of one round as dense indices (0..n-1, in seeded order), with what scoring needs
 * precomputed: skill sets as small integers, working windows (per zone, with each pair of zones'
 * shared minutes worked out once), the sat-out flag, and the pairs the repeat rule forbids. Everything downstream works on indices, which keeps the large-scale
 * method allocation-light.
 */
export class Roster {
  readonly n: number;
  readonly people: readonly MatchPerson[];
  readonly index = new Map<string, number>();
  /** Where each person's working day starts (their local date of the round's day): an order by zone. */
  readonly winStart: Float64Array;
  private readonly at: number;
  /** Each person's zone as an index into zoneWindows (unknown zones read as UTC). */
  private readonly zoneOf: Int32Array;
  private readonly zoneWindows: (readonly Window[])[] = [];
  /** Shared minutes of each pair of zones (nz * nz, -1 until asked). */
  private readonly zoneMinutes: Int32Array;
  readonly satOut: Uint8Array;
  private readonly teachIds: Int32Array[];
  private readonly learnSets: Set<number>[];
  /** Skills as bitsets (`words` 32-bit words a person): a pair's exchange count is a popcount of an AND. */
  private readonly words: number;
  private readonly teachBits: Uint32Array;
  private readonly learnBits: Uint32Array;
  private readonly forbidden = new Set<number>();
  /** The forbidden partners of each person (the repeat rule), for reasons and fast skips. */
  readonly forbiddenOf: number[][];

  constructor(people: readonly MatchPerson[], seed: string, history: readonly PastGroup[], repeatWindowMs: number, at: number) {
    const seen = new Set<string>();
    for (const p of people) {
      if (seen.has(p.userId)) throw new Error(`matchPeople: ${p.userId} is listed twice`);
      seen.add(p.userId);
    }
    // Seeded order: ties anywhere below break by it, so a new seed reshuffles them and the input order never matters.
    const keyed = people.map((p) => ({ p, key: hash53(`${seed}\u0000${p.userId}`) }));
    keyed.sort((a, b) => a.key - b.key || (a.p.userId < b.p.userId ? -1 : 1));
    this.people = keyed.map((k) => k.p);
    this.n = this.people.length;
    this.people.forEach((p, i) => this.index.set(p.userId, i));

    const skillIds = new Map<string, number>();
    const idOf = (key: string): number => {
      let id = skillIds.get(key);
      if (id === undefined) {
        id = skillIds.size;
        skillIds.set(key, id);
      }
      return id;
    };
    this.teachIds = this.people.map((p) => Int32Array.from(new Set(p.teach.map(idOf))));
    this.learnSets = this.people.map((p) => new Set(p.learn.map(idOf)));
    this.words = Math.max(1, Math.ceil(skillIds.size / 32));
    this.teachBits = new Uint32Array(this.n * this.words);
    this.learnBits = new Uint32Array(this.n * this.words);
    for (let i = 0; i < this.n; i += 1) {
      for (const s of this.teachIds[i]!) this.teachBits[i * this.words + (s >>> 5)]! |= 1 << (s & 31);
      for (const s of this.learnSets[i]!) this.learnBits[i * this.words + (s >>> 5)]! |= 1 << (s & 31);
    }
    this.at = at;
    this.winStart = new Float64Array(this.n);
    this.zoneOf = new Int32Array(this.n);
    this.satOut = new Uint8Array(this.n);
    const zoneIds = new Map<string, number>();
    this.people.forEach((p, i) => {
      const zone = safeZone(p.timeZone);
      let z = zoneIds.get(zone);
      if (z === undefined) {
        z = zoneIds.size;
        zoneIds.set(zone, z);
        this.zoneWindows.push(workingWindows(zone, at));
      }
      this.zoneOf[i] = z;
      this.winStart[i] = this.zoneWindows[z]![1]!.start;
      this.satOut[i] = p.satOutLastRound === true ? 1 : 0;
    });
    this.zoneMinutes = new Int32Array(zoneIds.size * zoneIds.size).fill(-1);

    this.forbiddenOf = this.people.map(() => []);
    for (const group of history) {
      if (!withinRepeatWindow(group.at, at, repeatWindowMs)) continue;
      const members = group.userIds.map((id) => this.index.get(id)).filter((i): i is number => i !== undefined);
      for (let x = 0; x < members.length; x += 1) {
        for (let y = x + 1; y < members.length; y += 1) {
          const [a, b] = [members[x]!, members[y]!];
          if (a === b || this.isForbidden(a, b)) continue;
          this.forbidden.add(this.pairKey(a, b));
          this.forbiddenOf[a]!.push(b);
          this.forbiddenOf[b]!.push(a);
        }
      }
    }
  }

  private pairKey(a: number, b: number): number {
    return a < b ? a * this.n + b : b * this.n + a;
  }

  isForbidden(a: number, b: number): boolean {
    return this.forbidden.has(this.pairKey(a, b));
  }

  /** May a and b be in one group this round (different people, not together within the window)? */
  allowed(a: number, b: number): boolean {
    return a !== b && !this.forbidden.has(this.pairKey(a, b));
  }

  /** How many skills a can teach b. */
  teachCount(a: number, b: number): number {
    const w = this.words;
    let count = 0;
    for (let i = 0; i < w; i += 1) count += popcount(this.teachBits[a * w + i]! & this.learnBits[b * w + i]!);
    return count;
  }

  /** Minutes of working time a and b share on the round's day (score.ts). */
  sharedMinutes(a: number, b: number): number {
    const nz = this.zoneWindows.length;
    const [za, zb] = [this.zoneOf[a]!, this.zoneOf[b]!];
    let minutes = this.zoneMinutes[za * nz + zb]!;
    if (minutes < 0) {
      minutes = minutesOf(dayOverlap([this.zoneWindows[za]!, this.zoneWindows[zb]!], this.at));
      this.zoneMinutes[za * nz + zb] = minutes;
      this.zoneMinutes[zb * nz + za] = minutes;
    }
    return minutes;
  }

  /** The working window all of `members` share on the round's day (score.ts), or undefined. */
  sharedWindow(members: readonly number[]): Window | undefined {
    return dayOverlap(members.map((v) => this.zoneWindows[this.zoneOf[v]!]!), this.at);
  }

  /** The pair score of score.ts (without any sat-out priority). */
  score(a: number, b: number): number {
    return pairScoreFrom(this.teachCount(a, b), this.teachCount(b, a), this.sharedMinutes(a, b));
  }

  /** Skill ids a teaches (for the inverted index of the large-scale method). */
  teaches(a: number): Int32Array {
    return this.teachIds[a]!;
  }

  learns(a: number): ReadonlySet<number> {
    return this.learnSets[a]!;
  }
}

const DAY_MS = 86_400_000;

/**
 * The repeat rule: two people are not matched again until N weeks after the round they met in,
 * counted in days. The time since that round is rounded to the nearest whole day, and they are
 * still "within the window" while that is fewer days than the window holds (N weeks = 7N days):
 * within  <=>  round((at - pastAt) / day) < round(windowMs / day).
 *
 * Why days, not milliseconds: a past group carries the instant it was stored, and a round stores
 * its groups when it runs (a little after its scheduled hour, up to a day when the app was down),
 * while `at` is this round's scheduled instant; and a weekly round at 09:00 local is 7 days plus
 * or minus a DST hour after the last one. Compared in milliseconds, a pair from exactly N weeks
 * ago was forbidden or allowed by those hours. Rounded to days, a weekly round N weeks on always
 * allows them, DST change or not, as long as the round they met in ran at most 11 hours late (one
 * that ran later keeps its pairs apart one more round: later, never sooner). A group dated after `at` counts as within too (for
 * any window of a day or more).
 */
export function withinRepeatWindow(pastAt: number, at: number, repeatWindowMs: number): boolean {
  return Math.round((at - pastAt) / DAY_MS) < Math.round(repeatWindowMs / DAY_MS);
}

function popcount(x0: number): number {
  let x = x0 - ((x0 >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
