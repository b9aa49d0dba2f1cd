import { parseLocalDateTime, localDateYmd } from '../time.js';
import type { Exchange, MatchPerson } from './types.js';

/**
 * The skill-swap pair score (integers, so sums are exact and the brute-force check in the tests
 * compares equal, not "close"):
 *
 *   mutual   (each can teach the other something they want)  100 + 10 per exchange beyond 2, at most +40
 *   one-way  (only one can teach the other)                     60 + 10 per exchange beyond 1, at most +20
 *   none     (neither can teach the other anything wanted)      20
 *   minus 15 when the two share under 120 minutes of working time (09:00-18:00 local) on the
 *   round's day (the shared window defined below, which spans local dates when it must)
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
const DAY_MS = 86_400_000;
const windowCache = new Map<string, Window>();
const aroundCache = new Map<string, readonly Window[]>();
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

/*
 * Shared working hours, and "the round's day".
 *
 * Everyone works 09:00-18:00 local time, every day: weekends and public holidays are not
 * modelled (a Friday afternoon in Los Angeles is a Saturday morning in Tokyo, and still counts).
 *
 * The round's day is the UTC calendar day holding the round's instant. Each zone's working
 * windows are taken on three local dates, D-1, D and D+1, where D is that zone's local date at
 * noon UTC of the round's day: together they cover every moment of that UTC day, whatever the
 * zone (UTC-12 to UTC+14). The windows of all zones are intersected, and the shared window of
 * the day is the overlap that covers the most of the round's UTC day (the earlier one on a tie;
 * none when no overlap touches the day). So:
 * - people on different local dates share what they really share (Los Angeles 16:00-18:00 is
 *   Tokyo 09:00-11:00 the next day, in winter);
 * - a round at any hour of a given UTC day gets the same answer for the same zones (everything
 *   above depends on the day only, never on the hour);
 * - DST is honoured: each local date's 09:00 and 18:00 are converted with that date's offset.
 * An overlap repeats every day, so only a DST change between two days can make its length
 * differ from one day to the next.
 */

/** The UTC calendar day holding `at`: [00:00, 24:00) UTC. */
export function roundDay(at: number): Window {
  const start = Math.floor(at / DAY_MS) * DAY_MS;
  return { start, end: start + DAY_MS };
}

/**
 * 09:00 to 18:00 on a local date in `zone` (already safe), as UTC instants. DST-aware through
 * parseLocalDateTime (neither 09:00 nor 18:00 falls in a real zone's gap, but a fallback keeps a
 * hypothetical one from throwing: nine hours from local midnight's offset).
 */
function windowOnDate(zone: string, ymd: string): Window {
  const key = `${zone}|${ymd}`;
  let window = windowCache.get(key);
  if (window === undefined) {
    let start: number;
    let end: number;
    try {
      start = parseLocalDateTime(ymd, WORK_START, zone);
      end = parseLocalDateTime(ymd, WORK_END, zone);
    } catch {
      const midnight = parseLocalDateTime(ymd, '00:00', zone);
      start = midnight + 9 * 3_600_000;
      end = midnight + 18 * 3_600_000;
    }
    window = { start, end };
    if (windowCache.size >= WINDOW_CACHE_MAX) windowCache.clear();
    windowCache.set(key, window);
  }
  return window;
}

function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** `zone`'s working windows on its local dates D-1, D and D+1 around the round's day (above): sorted, disjoint. */
export function workingWindows(zone: string, at: number): readonly Window[] {
  const z = safeZone(zone);
  const noon = roundDay(at).start + DAY_MS / 2;
  const key = `${z}|${noon}`;
  let windows = aroundCache.get(key);
  if (windows === undefined) {
    const d = localDateYmd(noon, z);
    windows = [windowOnDate(z, addDays(d, -1)), windowOnDate(z, d), windowOnDate(z, addDays(d, 1))];
    if (aroundCache.size >= WINDOW_CACHE_MAX) aroundCache.clear();
    aroundCache.set(key, windows);
  }
  return windows;
}

/**
 * `zone`'s working window on its local date D of the round's day (the middle one of
 * workingWindows): where a person's day sits, for ordering people by zone. Not for shared hours.
 */
export function workingWindow(zone: string, at: number): Window {
  return workingWindows(zone, at)[1]!;
}

/** The intersection of two sorted lists of disjoint intervals (sorted, disjoint). */
function intersectLists(a: readonly Window[], b: readonly Window[]): Window[] {
  const out: Window[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]!.start, b[j]!.start);
    const end = Math.min(a[i]!.end, b[j]!.end);
    if (end > start) out.push({ start, end });
    if (a[i]!.end < b[j]!.end) i += 1;
    else j += 1;
  }
  return out;
}

/**
 * The shared window of the round's day (above) for people whose working windows are `lists`
 * (one workingWindows list each): undefined when there is none (or no list).
 */
export function dayOverlap(lists: readonly (readonly Window[])[], at: number): Window | undefined {
  if (lists.length === 0) return undefined;
  let shared: readonly Window[] = lists[0]!;
  for (let i = 1; i < lists.length && shared.length > 0; i += 1) shared = intersectLists(shared, lists[i]!);
  const day = roundDay(at);
  let best: Window | undefined;
  let bestCover = 0;
  for (const w of shared) {
    const cover = Math.min(w.end, day.end) - Math.max(w.start, day.start);
    if (cover > bestCover) [best, bestCover] = [w, cover];
  }
  return best === undefined ? undefined : { start: best.start, end: best.end };
}

/** The shared working window of the round's day for these zones (above), or undefined. */
export function sharedWindow(zones: readonly string[], at: number): Window | undefined {
  return dayOverlap(zones.map((z) => workingWindows(z, at)), at);
}

/** A window's length in whole minutes (0 for none). */
export function minutesOf(window: Window | undefined): number {
  return window === undefined ? 0 : Math.round((window.end - window.start) / 60_000);
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
