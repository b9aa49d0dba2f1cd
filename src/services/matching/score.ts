import { parseLocalDateTime, localDateYmd } from '../time.js';
import type { Exchange, MatchPerson } from './types.js';

/**
 * The skill-swap pair score (integers, so sums are exact and the brute-force check in the tests
 * compares equal, not "close"):
 *
 *   mutual   (each can teach the other something they want)  100 + 10 per exchange beyond 2, at most +40
 *   one-way  (only one can teach the other)                     60 + 10 per exchange beyond 1, at most +20
 *   none     (neither can teach the other anything wanted)      20
 *   minus 15 when the two share under 120 minutes of working time (09:00-18:00 local) that day
 *
 * The tiers never overlap (mutual >= 85 > one-way <= 80, one-way >= 45 > none <= 20), so the
 * working-time penalty only orders pairs inside a tier, as the issue asks: complementary skills
 * first, convenient hours second. Every score is positive (>= 5): pairing two people is always
 * worth more than leaving them apart, so a maximum-weight matching leaves someone out only when
 * the repeat rule forces it.
 *
 * A trio's score is the sum of its three pair scores; a pod's is defined in pods.ts.
 */
export const SCORE = {
  mutual: 100,
  oneWay: 60,
  none: 20,
  perExtraExchange: 10,
  mutualExtraCap: 4,
  oneWayExtraCap: 2,
  shortOverlapPenalty: 15,
  minSharedMinutes: 120,
} as const;

/** The highest pair score there is: bounds the sat-out priority (see skill-swap.ts). */
export const MAX_PAIR_SCORE = SCORE.mutual + SCORE.perExtraExchange * SCORE.mutualExtraCap;

export interface Window {
  start: number;
  end: number;
}

const WORK_START = '09:00';
const WORK_END = '18:00';
const windowCache = new Map<string, Window>();
const WINDOW_CACHE_MAX = 50_000;

// Checking a zone builds an Intl.DateTimeFormat (about 0.1 ms): once per zone, not per person.
const knownZones = new Map<string, string>();

/** A zone the runtime knows, else UTC (a typo in one profile must not fail everyone's round). */
export function safeZone(zone: string): string {
  let safe = knownZones.get(zone);
  if (safe === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      safe = zone;
    } catch {
      safe = 'UTC';
    }
    if (knownZones.size >= WINDOW_CACHE_MAX) knownZones.clear();
    knownZones.set(zone, safe);
  }
  return safe;
}

/**
 * 09:00 to 18:00 on the local date of `at` in `zone`, as UTC instants. DST-aware through
 * parseLocalDateTime (neither 09:00 nor 18:00 falls in a real zone's gap, but a fallback keeps
 * a hypothetical one from throwing: nine hours from local midnight's offset).
 */
export function workingWindow(zone: string, at: number): Window {
  const z = safeZone(zone);
  const ymd = localDateYmd(at, z);
  const key = `${z}|${ymd}`;
  let window = windowCache.get(key);
  if (window === undefined) {
    let start: number;
    let end: number;
    try {
      start = parseLocalDateTime(ymd, WORK_START, z);
      end = parseLocalDateTime(ymd, WORK_END, z);
    } catch {
      const midnight = parseLocalDateTime(ymd, '00:00', z);
      start = midnight + 9 * 3_600_000;
      end = midnight + 18 * 3_600_000;
    }
    window = { start, end };
    if (windowCache.size >= WINDOW_CACHE_MAX) windowCache.clear();
    windowCache.set(key, window);
  }
  return window;
}

/** The intersection of working windows: empty, or one interval (an intersection of intervals is one). */
export function intersectWindows(windows: readonly Window[]): Window[] {
  if (windows.length === 0) return [];
  let start = -Infinity;
  let end = Infinity;
  for (const w of windows) {
    start = Math.max(start, w.start);
    end = Math.min(end, w.end);
  }
  return end > start ? [{ start, end }] : [];
}

export function sharedMinutesOf(windows: readonly Window[]): number {
  const [shared] = intersectWindows(windows);
  return shared === undefined ? 0 : Math.round((shared.end - shared.start) / 60_000);
}

/** What `teacher` can teach `learner` (sorted skill keys). */
export function teachable(teacher: MatchPerson, learnerWants: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const skill of teacher.teach) if (learnerWants.has(skill)) out.push(skill);
  return [...new Set(out)].sort();
}

/** Every exchange inside a group, members in the group's order, skills sorted. */
export function groupExchanges(members: readonly MatchPerson[], learnSets: ReadonlyMap<string, ReadonlySet<string>>): Exchange[] {
  const out: Exchange[] = [];
  for (const teacher of members) {
    for (const learner of members) {
      if (teacher === learner) continue;
      const wants = learnSets.get(learner.userId) ?? new Set(learner.learn);
      for (const skillKey of teachable(teacher, wants)) out.push({ teacher: teacher.userId, learner: learner.userId, skillKey });
    }
  }
  return out;
}

/** The pair score from the two directions' exchange counts and the shared minutes (formula above). */
export function pairScoreFrom(aToB: number, bToA: number, sharedMinutes: number): number {
  let score: number;
  if (aToB > 0 && bToA > 0) score = SCORE.mutual + SCORE.perExtraExchange * Math.min(aToB + bToA - 2, SCORE.mutualExtraCap);
  else if (aToB + bToA > 0) score = SCORE.oneWay + SCORE.perExtraExchange * Math.min(aToB + bToA - 1, SCORE.oneWayExtraCap);
  else score = SCORE.none;
  return sharedMinutes < SCORE.minSharedMinutes ? score - SCORE.shortOverlapPenalty : score;
}
