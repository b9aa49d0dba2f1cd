import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { matchPeople, rankPartners, sharedWorkingWindows, type MatchInput, type MatchPerson, type MatchResult, type PastGroup } from '../../src/services/matching.js';
import { bruteForceMatchingWeight } from '../support/brute-force-matching.js';
import { localTimeHm } from '../../src/services/time.js';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney', 'America/Los_Angeles', 'Europe/London'] as const;
const SKILLS = ['ts', 'sql', 'k8s', 'figma', 'excel'] as const;
const AT = Date.UTC(2026, 9, 14, 12); // a Wednesday noon UTC

// --- An independent statement of the score formula (matching/score.ts), so the brute force does not reuse the code it checks.
function specScore(a: MatchPerson, b: MatchPerson, at: number): number {
  const ab = new Set(a.teach.filter((s) => b.learn.includes(s))).size;
  const ba = new Set(b.teach.filter((s) => a.learn.includes(s))).size;
  let score = ab > 0 && ba > 0 ? 100 + 10 * Math.min(ab + ba - 2, 4) : ab + ba > 0 ? 60 + 10 * Math.min(ab + ba - 1, 2) : 20;
  const [w] = sharedWorkingWindows([a.timeZone, b.timeZone], at);
  const minutes = w === undefined ? 0 : (w.end - w.start) / 60_000;
  if (minutes < 120) score -= 15;
  return score;
}

/** The repeat rule (matching/roster.ts): still within the window while the days since, rounded, are fewer than the window's. */
function metWithin(history: readonly PastGroup[], windowMs: number, at: number): (a: string, b: string) => boolean {
  const met = new Set<string>();
  for (const g of history) {
    if (Math.round((at - g.at) / DAY) >= Math.round(windowMs / DAY)) continue;
    for (const x of g.userIds) for (const y of g.userIds) if (x !== y) met.add(`${x}|${y}`);
  }
  return (a, b) => met.has(`${a}|${b}`);
}

/** The best total of the pair stage over every matching (objective in matching/skill-swap.ts). */
function bruteForcePairOptimum(input: MatchInput): number {
  const people = input.people;
  const n = people.length;
  const met = metWithin(input.history, input.repeatWindowMs, input.at);
  const priority = 140 * Math.floor(n / 2) + 1;
  const matrix = people.map((a) => people.map((b) => specScore(a, b, input.at) + priority * ((a.satOutLastRound ? 1 : 0) + (b.satOutLastRound ? 1 : 0))));
  return bruteForceMatchingWeight(n, (i, j) => (met(people[i]!.userId, people[j]!.userId) ? undefined : matrix[i]![j]!));
}

/** The same objective, read off a result: each group's pair (a trio minus the one who joined). */
function pairStageTotal(input: MatchInput, result: MatchResult): number {
  const byId = new Map(input.people.map((p) => [p.userId, p]));
  const priority = 140 * Math.floor(input.people.length / 2) + 1;
  let total = 0;
  for (const g of result.groups) {
    const [a, b] = g.userIds.filter((id) => id !== g.joinedAsThird).map((id) => byId.get(id)!);
    total += specScore(a!, b!, input.at) + priority * ((a!.satOutLastRound ? 1 : 0) + (b!.satOutLastRound ? 1 : 0));
  }
  return total;
}

// --- Generators
const personArb = (i: number) =>
  fc.record({
    teach: fc.subarray([...SKILLS], { maxLength: 3 }),
    learn: fc.subarray([...SKILLS], { maxLength: 3 }),
    roleKey: fc.constantFrom(null, 'eng', 'design'),
    timeZone: fc.constantFrom(...ZONES),
    satOutLastRound: fc.boolean(),
  }).map((r): MatchPerson => ({ userId: `U${String(i).padStart(3, '0')}`, ...r, satOutLastRound: r.satOutLastRound && i % 3 === 0 }));

const peopleArb = (min: number, max: number) =>
  fc.integer({ min, max }).chain((n) => (n === 0 ? fc.constant([] as MatchPerson[]) : fc.tuple(...Array.from({ length: n }, (_, i) => personArb(i)))));

const inputArb = (mode: 'skill-swap' | 'pods', min: number, max: number) =>
  peopleArb(min, max).chain((people) =>
    fc
      .record({
        history:
          people.length < 2
            ? fc.constant<{ members: string[]; weeksAgo: number }[]>([])
            : fc.array(
                fc.record({
                  members: fc.subarray(people.map((p) => p.userId), { minLength: 2, maxLength: Math.min(3, people.length) }),
                  weeksAgo: fc.integer({ min: 0, max: 20 }),
                }),
                { maxLength: people.length },
              ),
        seed: fc.string({ maxLength: 6 }),
        day: fc.integer({ min: 0, max: 500 }),
      })
      .map(({ history, seed, day }): MatchInput => {
        const at = AT + day * DAY;
        return {
          mode,
          people,
          history: history.map((h) => ({ userIds: h.members, at: at - h.weeksAgo * WEEK })),
          repeatWindowMs: 12 * WEEK,
          at,
          seed,
        };
      }),
  );

function checkInvariants(input: MatchInput, result: MatchResult): void {
  const placed = result.groups.flatMap((g) => g.userIds);
  expect(new Set(placed).size).toBe(placed.length); // nobody in two groups
  const unmatched = result.unmatched.map((u) => u.userId);
  expect([...placed, ...unmatched].sort()).toEqual(input.people.map((p) => p.userId).sort()); // everyone accounted for
  for (const u of result.unmatched) expect(u.text.length).toBeGreaterThan(20);
}

describe('skill-swap properties', () => {
  test.prop([inputArb('skill-swap', 0, 24)], { numRuns: 150 })('nobody twice, no repeat inside any group (trios too), everyone placed or told why', (input) => {
    const result = matchPeople(input);
    checkInvariants(input, result);
    const met = metWithin(input.history, input.repeatWindowMs, input.at);
    for (const g of result.groups) {
      expect(g.userIds.length === 2 || g.userIds.length === 3).toBe(true);
      for (const a of g.userIds) for (const b of g.userIds) if (a !== b) expect(met(a, b)).toBe(false);
    }
    // Scores are all positive, so two people left out can only be people who met lately.
    for (const x of result.unmatched) for (const y of result.unmatched) if (x !== y) expect(met(x.userId, y.userId)).toBe(true);
  });

  test.prop([inputArb('skill-swap', 0, 24)], { numRuns: 60 })('deterministic, and the same whatever order people and history come in', (input) => {
    const once = matchPeople(input);
    expect(matchPeople(input)).toEqual(once);
    const shuffled = { ...input, people: [...input.people].reverse(), history: [...input.history].reverse() };
    expect(matchPeople(shuffled)).toEqual(once);
  });

  test.prop([inputArb('skill-swap', 0, 10)], { numRuns: 150 })('on up to 10 people the pair stage equals the brute-force optimum', (input) => {
    const result = matchPeople(input);
    expect(pairStageTotal(input, result)).toBe(bruteForcePairOptimum(input));
    // A group's score is the sum of its pair scores.
    const byId = new Map(input.people.map((p) => [p.userId, p]));
    for (const g of result.groups) {
      const ids = g.userIds;
      let sum = 0;
      for (let i = 0; i < ids.length; i += 1) for (let j = i + 1; j < ids.length; j += 1) sum += specScore(byId.get(ids[i]!)!, byId.get(ids[j]!)!, input.at);
      expect(g.score).toBe(sum);
    }
  });
});

const person = (userId: string, teach: string[], learn: string[], timeZone = 'Europe/Berlin', extra: Partial<MatchPerson> = {}): MatchPerson => ({
  userId,
  teach,
  learn,
  roleKey: null,
  timeZone,
  ...extra,
});

describe('skill-swap rules', () => {
  it('scores mutual above one-way above none, and short shared hours lower within a tier', () => {
    const me = person('A', ['ts'], ['sql']);
    const ranked = rankPartners(
      me,
      [person('MUTUAL', ['sql'], ['ts']), person('ONEWAY', ['sql'], []), person('NONE', [], []), person('FAR', ['sql'], ['ts'], 'Pacific/Auckland')],
      [],
      12 * WEEK,
      AT,
      10,
    );
    expect(ranked.map((r) => [r.userId, r.score])).toEqual([
      ['MUTUAL', 100],
      ['FAR', 85],
      ['ONEWAY', 60],
      ['NONE', 20],
    ]);
    expect(ranked[0]!.exchanges).toEqual([
      { teacher: 'A', learner: 'MUTUAL', skillKey: 'ts' },
      { teacher: 'MUTUAL', learner: 'A', skillKey: 'sql' },
    ]);
    expect(ranked[0]!.sharedMinutes).toBe(540);
    expect(ranked[1]!.sharedMinutes).toBe(0);
  });

  it('rankPartners never suggests someone met within the window, nor me, and honours the limit', () => {
    const me = person('A', ['ts'], ['sql']);
    const history = [{ userIds: ['A', 'B'], at: AT - 11 * WEEK }, { userIds: ['A', 'C'], at: AT - 13 * WEEK }];
    const ranked = rankPartners(me, [me, person('B', ['sql'], ['ts']), person('C', ['sql'], ['ts']), person('D', [], [])], history, 12 * WEEK, AT, 1);
    expect(ranked.map((r) => r.userId)).toEqual(['C']);
  });

  it('the odd person joins the pair they add most to, as a trio', () => {
    // C-D (mutual, 4 exchanges: 120) beats D-E (mutual: 100) in the pair stage; E then adds 20 + 100 beside C and D, 20 + 20 beside A and B.
    const people = [
      person('A', ['ts'], ['sql']),
      person('B', ['sql'], ['ts']),
      person('C', ['go', 'rust'], ['k8s', 'java']),
      person('D', ['k8s', 'java'], ['go', 'rust']),
      person('E', ['go'], ['k8s']),
    ];
    const result = matchPeople({ mode: 'skill-swap', people, history: [], repeatWindowMs: 12 * WEEK, at: AT, seed: 'x' });
    expect(result.unmatched).toEqual([]);
    const trio = result.groups.find((g) => g.userIds.length === 3)!;
    expect(trio.joinedAsThird).toBe('E');
    expect(trio.userIds).toEqual(['C', 'D', 'E']);
    expect(trio.score).toBe(120 + 20 + 100);
  });

  it('the odd person sits out with the repeat reason when every group holds someone they met lately, and is matched first next round', () => {
    const people = [person('A', [], []), person('B', [], []), person('C', [], [])];
    const history = [{ userIds: ['A', 'C'], at: AT - WEEK }, { userIds: ['B', 'C'], at: AT - 2 * WEEK }];
    const first = matchPeople({ mode: 'skill-swap', people, history, repeatWindowMs: 12 * WEEK, at: AT, seed: 'x' });
    expect(first.groups.map((g) => g.userIds)).toEqual([['A', 'B']]);
    expect(first.unmatched).toMatchObject([{ userId: 'C', reason: 'repeat_window' }]);
    expect(first.unmatched[0]!.text).toMatch(/12 weeks.*matched first next round/);

    // Next round, with D new: C sat out, so C is matched in the pair, and the other odd one joins as third if allowed.
    const next = [...people.map((p) => ({ ...p, satOutLastRound: p.userId === 'C' })), person('D', [], [])];
    const second = matchPeople({ mode: 'skill-swap', people: next, history: [...history, { userIds: ['A', 'B'], at: AT }], repeatWindowMs: 12 * WEEK, at: AT + WEEK, seed: 'y' });
    expect(second.groups.some((g) => g.userIds.includes('C') && g.joinedAsThird !== 'C')).toBe(true);
  });

  it('prefers matching the person who sat out last round over a better-scoring pair', () => {
    // A-B is a perfect mutual pair; S sat out and can only meet A or B. S must be in the pair stage.
    const people = [person('A', ['ts'], ['sql']), person('B', ['sql'], ['ts']), person('S', [], [], 'Europe/Berlin', { satOutLastRound: true })];
    const result = matchPeople({ mode: 'skill-swap', people, history: [{ userIds: ['A', 'B'], at: AT - 20 * WEEK }], repeatWindowMs: 12 * WEEK, at: AT, seed: 'x' });
    const trio = result.groups[0]!;
    expect(trio.userIds).toHaveLength(3);
    expect(trio.joinedAsThird).not.toBe('S');
  });

  it('a person alone is told there is nobody to match', () => {
    const result = matchPeople({ mode: 'skill-swap', people: [person('A', [], [])], history: [], repeatWindowMs: WEEK, at: AT, seed: '' });
    expect(result).toMatchObject({ groups: [], unmatched: [{ userId: 'A', reason: 'no_partner' }] });
  });

  it('refuses a person listed twice rather than guessing which entry is right', () => {
    expect(() => matchPeople({ mode: 'skill-swap', people: [person('A', [], []), person('A', [], [])], history: [], repeatWindowMs: WEEK, at: AT, seed: '' })).toThrow(/twice/);
  });

  it('a different seed can reshuffle ties, the same seed never does', () => {
    const people = Array.from({ length: 12 }, (_, i) => person(`U${i}`, [], []));
    const run = (seed: string) => matchPeople({ mode: 'skill-swap', people, history: [], repeatWindowMs: WEEK, at: AT, seed }).groups.map((g) => g.userIds.join('+'));
    expect(run('a')).toEqual(run('a'));
    expect(new Set(['a', 'b', 'c', 'd'].map((s) => run(s).join(','))).size).toBeGreaterThan(1);
  });
});

describe('a season of weekly rounds', () => {
  it('40 people over 20 weeks: nobody meets the same person twice within 12 weeks, nobody sits out twice in a row', () => {
    const people = Array.from({ length: 40 }, (_, i) =>
      person(`U${String(i).padStart(2, '0')}`, [SKILLS[i % 5]!], [SKILLS[(i * 3 + 1) % 5]!], ZONES[i % 4]!),
    );
    // One leaves after week 5 (odd count from then on), so trios and sit-outs get exercised.
    const history: PastGroup[] = [];
    let satOut = new Set<string>();
    for (let week = 0; week < 20; week += 1) {
      const at = AT + week * WEEK;
      const present = people.filter((p, i) => !(week >= 5 && i === 7)).map((p) => ({ ...p, satOutLastRound: satOut.has(p.userId) }));
      const result = matchPeople({ mode: 'skill-swap', people: present, history, repeatWindowMs: 12 * WEEK, at, seed: `round-${week}` });
      checkInvariants({ mode: 'skill-swap', people: present, history, repeatWindowMs: 12 * WEEK, at, seed: '' }, result);
      const met = metWithin(history, 12 * WEEK, at);
      for (const g of result.groups) for (const a of g.userIds) for (const b of g.userIds) if (a !== b) expect(met(a, b), `week ${week}: ${a} and ${b}`).toBe(false);
      const now = new Set(result.unmatched.map((u) => u.userId));
      for (const id of now) expect(satOut.has(id), `week ${week}: ${id} sat out twice in a row`).toBe(false);
      satOut = now;
      for (const g of result.groups) history.push({ userIds: g.userIds, at });
    }
  });
});

describe('the repeat window, counted in days', () => {
  const HOUR = 3_600_000;
  const pair = [person('A', ['ts'], ['sql']), person('B', ['sql'], ['ts'])];
  const metAgain = (pastAt: number, at: number, windowMs = 2 * WEEK): boolean => {
    const result = matchPeople({ mode: 'skill-swap', people: pair, history: [{ userIds: ['A', 'B'], at: pastAt }], repeatWindowMs: windowMs, at, seed: 's' });
    const suggested = rankPartners(pair[0]!, [pair[1]!], [{ userIds: ['A', 'B'], at: pastAt }], windowMs, at).length === 1;
    expect(suggested).toBe(result.groups.length === 1);
    if (result.groups.length === 0) expect(result.unmatched.map((u) => u.reason)).toEqual(['repeat_window', 'repeat_window']);
    return result.groups.length === 1;
  };

  it('a weekly 09:00 Berlin round two weeks on allows the pair again across the spring DST change (14 days minus an hour)', () => {
    const met = Date.UTC(2026, 2, 18, 8); // Wed 18 Mar 2026 09:00 CET
    const now = Date.UTC(2026, 3, 1, 7); // Wed 1 Apr 2026 09:00 CEST
    expect(now - met).toBe(2 * WEEK - HOUR);
    expect(metAgain(met, now)).toBe(true);
    expect(metAgain(met, Date.UTC(2026, 2, 25, 8))).toBe(false); // one week on: still within
  });

  it('and across the autumn change (14 days plus an hour), and one round before is still within', () => {
    const met = Date.UTC(2026, 9, 21, 7); // Wed 21 Oct 2026 09:00 CEST
    expect(metAgain(met, Date.UTC(2026, 10, 4, 8))).toBe(true); // Wed 4 Nov 09:00 CET
    expect(metAgain(met, Date.UTC(2026, 9, 28, 8))).toBe(false); // Wed 28 Oct 09:00 CET: 7 days plus an hour
  });

  it('does not depend on how late the earlier round ran (its groups are dated when it ran), up to 11 hours plus a DST hour', () => {
    const scheduled = Date.UTC(2026, 2, 18, 8);
    for (const late of [0, 1, 3, 6, 11]) {
      expect(metAgain(scheduled + late * HOUR, Date.UTC(2026, 3, 1, 7)), `${late} h late`).toBe(true);
      expect(metAgain(scheduled + late * HOUR, Date.UTC(2026, 2, 25, 8)), `${late} h late, a week on`).toBe(false);
    }
  });

  it('the boundary is half a day short of the window: rounded to the nearest day', () => {
    const now = AT;
    expect(metAgain(now - (2 * WEEK - 12 * HOUR), now)).toBe(true); // 13.5 days rounds to 14
    expect(metAgain(now - (2 * WEEK - 12 * HOUR) + 1, now)).toBe(false);
    expect(metAgain(now - 2 * WEEK, now)).toBe(true);
    expect(metAgain(now + DAY, now)).toBe(false); // dated after the round: within
  });
});

describe('sharedWorkingWindows', () => {
  const hours = (windows: { start: number; end: number }[]) => windows.map((w) => [new Date(w.start).toISOString().slice(11, 16), new Date(w.end).toISOString().slice(11, 16)]);

  it('New York and Berlin share 3 hours in a normal week and 4 in the March week between the two DST changes', () => {
    const normal = Date.UTC(2026, 2, 4, 12); // Wed 4 March: both on winter time
    const gap = Date.UTC(2026, 2, 18, 12); // Wed 18 March: New York on summer time (8 March), Berlin not yet (29 March)
    expect(hours(sharedWorkingWindows(['America/New_York', 'Europe/Berlin'], normal))).toEqual([['14:00', '17:00']]);
    expect(hours(sharedWorkingWindows(['America/New_York', 'Europe/Berlin'], gap))).toEqual([['13:00', '17:00']]);
  });

  it('is empty when the days do not overlap, one interval when they do, and reads each zone on its own local date', () => {
    expect(sharedWorkingWindows(['America/Los_Angeles', 'Asia/Kolkata'], AT)).toEqual([]);
    // Sydney's Thursday 09:00 is Wednesday 22:00 UTC; Los Angeles' Wednesday ends 01:00 UTC Thursday.
    expect(hours(sharedWorkingWindows(['America/Los_Angeles', 'Australia/Sydney'], Date.UTC(2026, 9, 14, 20)))).toEqual([['22:00', '01:00']]);
    expect(sharedWorkingWindows([], AT)).toEqual([]);
  });

  const WINTER_DAY = Date.UTC(2027, 0, 13); // Wed 13 Jan 2027, 00:00 UTC: Los Angeles on PST (UTC-8), Tokyo UTC+9
  const ROUND_HOURS = [0, 4, 8, 10, 16, 20] as const;

  it('Los Angeles and Tokyo share 2 hours (16:00-18:00 LA = 09:00-11:00 Tokyo the next day) whatever the hour of the round', () => {
    for (const h of ROUND_HOURS) {
      const at = WINTER_DAY + h * 3_600_000;
      expect(sharedWorkingWindows(['America/Los_Angeles', 'Asia/Tokyo'], at), `${h}:00 UTC`).toEqual([{ start: WINTER_DAY, end: WINTER_DAY + 2 * 3_600_000 }]);
      const [w] = sharedWorkingWindows(['Asia/Tokyo', 'America/Los_Angeles'], at);
      expect([localTimeHm(w!.start, 'America/Los_Angeles'), localTimeHm(w!.end, 'America/Los_Angeles')]).toEqual(['16:00', '18:00']);
      expect([localTimeHm(w!.start, 'Asia/Tokyo'), localTimeHm(w!.end, 'Asia/Tokyo')]).toEqual(['09:00', '11:00']);
    }
    // In July Los Angeles is on PDT (UTC-7): 17:00-18:00 LA = 09:00-10:00 Tokyo.
    const summer = Date.UTC(2027, 6, 14);
    for (const h of ROUND_HOURS) expect(sharedWorkingWindows(['America/Los_Angeles', 'Asia/Tokyo'], summer + h * 3_600_000)).toEqual([{ start: summer, end: summer + 3_600_000 }]);
  });

  it('the score and the groups use that overlap: no "barely overlap" penalty for Los Angeles and Tokyo in winter, at any hour', () => {
    const la = person('LA', [], [], 'America/Los_Angeles');
    const tokyo = person('TYO', [], [], 'Asia/Tokyo');
    for (const h of ROUND_HOURS) {
      const at = WINTER_DAY + h * 3_600_000;
      expect(rankPartners(la, [tokyo], [], WEEK, at).map((r) => [r.score, r.sharedMinutes]), `${h}:00 UTC`).toEqual([[20, 120]]);
      const result = matchPeople({ mode: 'skill-swap', people: [la, tokyo], history: [], repeatWindowMs: WEEK, at, seed: 's' });
      expect(result.groups.map((g) => [g.score, g.sharedMinutes])).toEqual([[20, 120]]);
    }
    // Summer: one hour, so the penalty applies (20 - 15).
    expect(rankPartners(la, [tokyo], [], WEEK, Date.UTC(2027, 6, 14, 8)).map((r) => [r.score, r.sharedMinutes])).toEqual([[5, 60]]);
  });

  // Zones from UTC-12 to UTC+14, with half- and three-quarter-hour offsets and southern DST (all offsets on a 15-minute grid).
  const WIDE_ZONES = [
    'Etc/GMT+12', 'Pacific/Pago_Pago', 'Pacific/Honolulu', 'America/Los_Angeles', 'America/New_York', 'America/St_Johns', 'America/Sao_Paulo',
    'UTC', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Tokyo', 'Australia/Adelaide', 'Australia/Lord_Howe',
    'Australia/Sydney', 'Pacific/Auckland', 'Pacific/Chatham', 'Pacific/Kiritimati',
  ] as const;
  const QUARTER = 15 * 60_000;
  const atWork = (t: number, zone: string): boolean => {
    const hm = localTimeHm(t, zone);
    return hm >= '09:00' && hm < '18:00';
  };

  test.prop(
    [
      fc.uniqueArray(fc.constantFrom(...WIDE_ZONES), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 730 }), // any day of 2026-2027, DST changes included
      fc.integer({ min: 0, max: DAY - 1 }),
      fc.integer({ min: 0, max: DAY - 1 }),
    ],
    { numRuns: 60 },
  )('is the same at any time of a UTC day, and is the overlap (on a 15-minute grid) that covers most of that day', (zones, day, t1, t2) => {
    const dayStart = Date.UTC(2026, 0, 1) + day * DAY;
    const result = sharedWorkingWindows(zones, dayStart + t1);
    expect(sharedWorkingWindows(zones, dayStart + t2)).toEqual(result);
    // Independent oracle: sample every 15 minutes from 12 h before the day to 12 h after it; each run of
    // "everyone at work" is one overlap. Expected: the earliest of those covering the most of the day.
    let expected: { start: number; end: number } | undefined;
    let bestCover = 0;
    let runStart: number | undefined;
    for (let t = dayStart - DAY / 2; t <= dayStart + DAY + DAY / 2; t += QUARTER) {
      const all = zones.every((z) => atWork(t, z));
      if (all && runStart === undefined) runStart = t;
      if (!all && runStart !== undefined) {
        const cover = Math.min(t, dayStart + DAY) - Math.max(runStart, dayStart);
        if (cover > bestCover) [expected, bestCover] = [{ start: runStart, end: t }, cover];
        runStart = undefined;
      }
    }
    expect(result).toEqual(expected === undefined ? [] : [expected]);
  });
});

/**
 * How many people from last round's pods ended up in another pod: each pod now continues the
 * previous pod it shares most members with (one to one, biggest overlaps first); anyone else
 * from last round's pods has moved. Newcomers do not count.
 */
function moves(previous: readonly (readonly string[])[], now: MatchResult): number {
  const overlaps: { from: number; to: number; count: number }[] = [];
  previous.forEach((pod, from) =>
    now.groups.forEach((g, to) => {
      const count = pod.filter((id) => g.userIds.includes(id)).length;
      if (count > 0) overlaps.push({ from, to, count });
    }),
  );
  overlaps.sort((a, b) => b.count - a.count || a.from - b.from || a.to - b.to);
  const usedFrom = new Set<number>();
  const usedTo = new Set<number>();
  let stayed = 0;
  for (const o of overlaps) {
    if (usedFrom.has(o.from) || usedTo.has(o.to)) continue;
    usedFrom.add(o.from);
    usedTo.add(o.to);
    stayed += o.count;
  }
  const present = new Set(now.groups.flatMap((g) => g.userIds));
  return previous.flat().filter((id) => present.has(id)).length - stayed;
}

describe('pods', () => {
  test.prop([inputArb('pods', 0, 40)], { numRuns: 100 })('pods of 3 to 6 with one role, everyone placed or told why, and stable when nothing changes', (input) => {
    const result = matchPeople(input);
    checkInvariants(input, result);
    const role = new Map(input.people.map((p) => [p.userId, p.roleKey]));
    for (const g of result.groups) {
      expect(g.userIds.length).toBeGreaterThanOrEqual(3);
      expect(g.userIds.length).toBeLessThanOrEqual(6);
      for (const id of g.userIds) expect(role.get(id)).toBe(g.roleKey);
    }
    for (const u of result.unmatched) {
      expect(u.reason).toBe('role_too_small');
      expect(input.people.filter((p) => p.roleKey === role.get(u.userId)).length).toBeLessThan(3);
    }
    const again = matchPeople({ ...input, seed: `${input.seed}!`, previousPods: result.groups.map((g) => g.userIds) });
    expect(again.groups.map((g) => g.userIds)).toEqual(result.groups.map((g) => g.userIds));
  });

  test.prop([inputArb('pods', 0, 40), fc.integer({ min: 0, max: 1000 })], { numRuns: 60 })('deterministic, whatever order people and last round’s pods come in; valid after people leave and join', (input, cut) => {
    const first = matchPeople(input);
    // Some leave (every person whose index hits the cut pattern), the rest keep last round's pods.
    const stay = input.people.filter((_, i) => (i * 7 + cut) % 5 !== 0);
    const joiners = Array.from({ length: cut % 4 }, (_, i) => ({ ...input.people[0] ?? person('X', [], []), userId: `NEW${i}` }));
    const next: MatchInput = { ...input, people: [...stay, ...joiners], previousPods: first.groups.map((g) => g.userIds) };
    const result = matchPeople(next);
    checkInvariants(next, result);
    for (const g of result.groups) expect(g.userIds.length >= 3 && g.userIds.length <= 6).toBe(true);
    const shuffled = { ...next, people: [...next.people].reverse(), previousPods: [...(next.previousPods ?? [])].reverse().map((p) => [...p].reverse()) };
    expect(matchPeople(shuffled)).toEqual(result);
  });

  const eng = (id: string, timeZone = 'Europe/Berlin'): MatchPerson => person(id, [], [], timeZone, { roleKey: 'eng' });

  it('when one leaves a pod of 3, the fewest moves restore it: one person from a pod of 4, not dissolving', () => {
    const previousPods = [['A', 'B', 'C'], ['D', 'E', 'F', 'G']];
    const people = ['A', 'B', 'D', 'E', 'F', 'G'].map((id) => eng(id));
    const result = matchPeople({ mode: 'pods', people, history: [], repeatWindowMs: 0, at: AT, seed: 's', previousPods });
    expect(result.groups.map((g) => g.userIds.length).sort()).toEqual([3, 3]);
    expect(moves(previousPods, result)).toBe(1);
  });

  it('a lone survivor moves into a pod with room (one move) rather than pulling two people out', () => {
    const previousPods = [['A', 'B', 'C'], ['D', 'E', 'F', 'G']];
    const people = ['A', 'D', 'E', 'F', 'G'].map((id) => eng(id));
    const result = matchPeople({ mode: 'pods', people, history: [], repeatWindowMs: 0, at: AT, seed: 's', previousPods });
    expect(result.groups.map((g) => g.userIds)).toEqual([['A', 'D', 'E', 'F', 'G']]);
    expect(moves(previousPods, result)).toBe(1);
  });

  it('newcomers fill pods with room; a full pod of 6 sheds to start a new pod only when it must', () => {
    const previousPods = [['A', 'B', 'C', 'D', 'E', 'F']];
    const people = [...'ABCDEF'.split(''), 'N1'].map((id) => eng(id));
    const result = matchPeople({ mode: 'pods', people, history: [], repeatWindowMs: 0, at: AT, seed: 's', previousPods });
    expect(result.groups.map((g) => g.userIds.length).sort()).toEqual([3, 4]);
    expect(moves(previousPods, result)).toBe(2);
  });

  it('first round: pods follow zones, so each pod here sits in one zone', () => {
    const zones = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];
    const people = Array.from({ length: 12 }, (_, i) => eng(`U${String(i).padStart(2, '0')}`, zones[i % 3]!));
    const result = matchPeople({ mode: 'pods', people, history: [], repeatWindowMs: 0, at: AT, seed: 's' });
    const zoneOf = new Map(people.map((p) => [p.userId, p.timeZone]));
    expect(result.groups.map((g) => new Set(g.userIds.map((id) => zoneOf.get(id))).size)).toEqual([1, 1, 1]);
    expect(result.groups.every((g) => g.sharedMinutes === 540)).toBe(true);
  });

  it('a role with one or two people is told why they have no pod; no role is its own role group', () => {
    const people = [eng('A'), eng('B'), person('N1', [], []), person('N2', [], []), person('N3', [], [])];
    const result = matchPeople({ mode: 'pods', people, history: [], repeatWindowMs: 0, at: AT, seed: 's' });
    expect(result.groups).toMatchObject([{ userIds: ['N1', 'N2', 'N3'], roleKey: null }]);
    expect(result.unmatched.map((u) => [u.userId, u.reason])).toEqual([
      ['A', 'role_too_small'],
      ['B', 'role_too_small'],
    ]);
    expect(result.unmatched[0]!.text).toMatch(/Only 2 people with the role "eng"/);
  });
});
