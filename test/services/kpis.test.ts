import { and, eq } from 'drizzle-orm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb } from '../../src/db/client.js';
import { matchGroups, memberSkills, polls, pollVotes, skills, workspaces } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import type { KpiReport } from '../../src/services/kpi-report.js';
import { applyPreviousFromSnapshot, computeKpiReport, computeWeeklySeries, median, SKILL_GAPS_MAX, weekPeriod } from '../../src/services/kpis.js';
import { castVote } from '../../src/services/polls.js';
import { markAttendance } from '../../src/services/sessions.js';
import { parseLocalDateTime } from '../../src/services/time.js';
import { addParticipant, createMember, createSession, createWorkspace, type AddParticipantInput } from '../support/factories.js';

/**
 * The KPIs on a seeded database, against numbers worked out by hand below. The week under test
 * is Monday 19 to Sunday 25 October 2026 in Berlin: the clocks go back on the Sunday, so it is
 * 169 hours long, [2026-10-18T22:00Z, 2026-10-25T23:00Z). The week before is 12-18 October.
 *
 * Sessions of workspace T0KPI (number: when, length, host, channel; who was there):
 *  #1  Tue 13 Oct 10:00, 30 min, H2, C1 (previous week). A yes, M yes, N yes, K no. Votes A 2, M 3, N 4.
 *  #2  Tue 20 Oct 10:00, 60 min, H1, C1. A, B, C, D seated; W waitlisted; L left the day before.
 *      Votes (while the poll was open, before attendance): A 5, B 4, C 1, D 3; and a stray host vote H1 5.
 *      Then H1 marks A and B present with the checklist shown at 10:05: C becomes 'no', D (joined at
 *      10:20, after the checklist) stays 'unknown', the host 'yes'.
 *  #3  Sun 25 Oct 01:30 CEST, 120 min (ends 02:30 CET: two real hours over the clock change), H2, C2.
 *      E yes, F yes, P yes, V yes (marked, then left 30 minutes in). Votes E 4, F 4.
 *  #4  Sun 25 Oct 23:30 CET, 30 min, H1, C1: 22:30 UTC, inside the week only because it is 169 h.
 *      G, I, K, OLD seated, never marked.
 *  #5  Wed 21 Oct 12:00, cancelled, H3; J had joined.
 *  #6  Thu 22 Oct 18:00, 45 min, H3 (opted out), C1, nobody joined.
 *  #7  Tue 27 Oct 10:00, H1: the next week.
 *  #8  Tue 1 Sep 10:00, 30 min, H2, C1: OLD yes (outside every window below but "first ever").
 *
 * By hand, the week of the 19th:
 *  held = #2 #3 #4 #6 = 4, cancelled = 1 (#5).
 *  participation: #2 marked (yes A B, no C; D unknown left out) 2/3, #3 marked 4/4 (V left after
 *    the start: still invited); #4 unmarked; #6 has nobody invited. 6 / 7 = 85.71 %, sample 2
 *    sessions, unmarkedSessions 1. Previous week: #1 3/4 = 75 % -> change +10.71.
 *  sessions: perWeek 4 (169 h rounds to 7 days = 1 week), previous 1; per30Days (26 Sep - 25 Oct)
 *    = #1 + 4 = 5 >= 4 met, previous (to 18 Oct) 1; averageMinutes (60 + 120 + 30 + 45) / 4 = 63.75, previous 30.
 *  satisfaction: counted votes A 5, B 4, D 3 (#2; C was marked absent, H1 hosts), E 4, F 4 (#3):
 *    5 votes, mean 20 / 5 = 4, distribution [0, 0, 1, 3, 1]; attendees (who could answer: invited,
 *    not absent, not gone) #2 A B D + #3 E F P = 6 (V left), response rate 5 / 6 = 83.33 %. Previous: (2 + 3 + 4) / 3 = 3.
 *  top sessions (>= 3 counted votes): #2 only, average 4 from 3 votes (#3 has 2).
 *  time to competency (learned in the week): X 20 d, Y 30.5 d, Z 11 d, X2 8 d (removed after
 *    learning: counts), X again 19 d; Q was removed before "learning" it: left out. Sorted
 *    8, 11, 19, 20, 30.5: median 19, reached 5. Previous week: 1 learned, too few.
 *  matching: groups G1 (C1, met), G2 (C1, not this time), G3 (C2, no answer), G4 (/peer match, met):
 *    4 groups, 3 answered, 2 met = 66.67 %; previous week G5 (C1, met) 100 %.
 *  contributors: hosts H1 2 (#2 #4), H2 1 (#3), H3 1 (#6, opted out); teachers H1 3 learners
 *    (X twice, Y, X2), T9 1 (opted out); new: B D E F G I K P V (A came to #1, OLD to #8; K was
 *    absent from #1).
 *  skill gaps: Terraform 3 learners / 1 teacher, Go 1 / 0; SQL 2 / 2 is no gap.
 */

const handle = openDb(':memory:');
const clock = createSettableClock('2026-10-28T10:00:00Z');
const deps = { db: handle.db, clock, logger: createLogger('silent') };
afterAll(() => handle.close());

const T = 'T0KPI';
const OTHER = 'T0OTHER';
const ZONE = 'Europe/Berlin';
const NOW = Date.parse('2026-10-28T10:00:00Z');
const WEEK = weekPeriod('2026-10-19', ZONE);
const MIN = 60_000;
const DAY = 86_400_000;
const local = (ymd: string, hm: string): number => parseLocalDateTime(ymd, hm, ZONE);
const utc = (iso: string): number => Date.parse(iso);

function session(teamId: string, number: number, startsAt: number, durationMin: number, hostId: string, channelId: string, status: 'scheduled' | 'cancelled' = 'scheduled') {
  return createSession(handle.db, { teamId, number, startsAt, durationMin, hostId, channelId, status, createdAt: startsAt - 7 * DAY });
}

function seat(teamId: string, sessionNumber: number, userId: string, fields: Partial<AddParticipantInput> = {}) {
  addParticipant(handle.db, { teamId, sessionNumber, userId, joinedAt: utc('2026-10-01T00:00:00Z'), ...fields });
}

function poll(teamId: string, sessionNumber: number, endsAt: number, status: 'open' | 'closed' = 'closed') {
  handle.db
    .insert(polls)
    .values({ teamId, sessionNumber, question: 'How useful?', channelId: 'C1', status, openedAt: endsAt + 5 * MIN, closesAt: endsAt + 5 * MIN + 72 * 60 * MIN })
    .run();
}

function vote(teamId: string, sessionNumber: number, userId: string, value: number) {
  handle.db.insert(pollVotes).values({ teamId, sessionNumber, userId, value, votedAt: NOW }).run();
}

function skill(teamId: string, name: string) {
  handle.db.insert(skills).values({ teamId, key: name.toLowerCase(), name, createdBy: 'U0X', createdAt: 0 }).onConflictDoNothing().run();
  return name.toLowerCase();
}

function learned(teamId: string, userId: string, name: string, started: string, completed: string, taughtBy: string | null, removed?: string) {
  handle.db
    .insert(memberSkills)
    .values({ teamId, userId, skillKey: skill(teamId, name), kind: 'learn', startedAt: utc(started), addedAt: utc(started), completedAt: utc(completed), taughtBy, removedAt: removed === undefined ? null : utc(removed) })
    .run();
}

function listed(teamId: string, userId: string, name: string, kind: 'teach' | 'learn', removedAt: number | null = null) {
  handle.db.insert(memberSkills).values({ teamId, userId, skillKey: skill(teamId, name), kind, startedAt: 0, addedAt: 0, removedAt }).run();
}

let groupIndex = 0;
function group(teamId: string, channelId: string | null, createdAt: number, outcome: 'met' | 'scheduled' | 'not_this_time' | null) {
  groupIndex += 1;
  handle.db.insert(matchGroups).values({ teamId, channelId, roundDate: channelId === null ? null : '2026-10-20', groupIndex, score: 1, reason: '{}', createdAt, outcome }).run();
}

function setSettings(settings: Record<string, unknown>) {
  handle.db.update(workspaces).set({ settings: JSON.stringify(settings) }).where(eq(workspaces.teamId, T)).run();
}

function seed() {
  createWorkspace(handle.db, T, { timeZone: ZONE });
  createMember(handle.db, T, 'U0H3', { optedOut: true });
  createMember(handle.db, T, 'U0T9', { optedOut: true });
  createMember(handle.db, T, 'U0A', { optedOut: false });

  // #1, the previous week.
  const s1 = session(T, 1, local('2026-10-13', '10:00'), 30, 'U0H2', 'C1');
  seat(T, 1, 'U0A', { attended: 'yes' });
  seat(T, 1, 'U0M', { attended: 'yes' });
  seat(T, 1, 'U0N', { attended: 'yes' });
  seat(T, 1, 'U0K', { attended: 'no' });
  poll(T, 1, s1.startsAt + 30 * MIN);
  vote(T, 1, 'U0A', 2);
  vote(T, 1, 'U0M', 3);
  vote(T, 1, 'U0N', 4);

  // #2, through the real services: votes while the poll is open, then attendance.
  const s2 = session(T, 2, local('2026-10-20', '10:00'), 60, 'U0H1', 'C1');
  for (const who of ['U0A', 'U0B', 'U0C']) seat(T, 2, who);
  seat(T, 2, 'U0D', { joinedAt: s2.startsAt + 20 * MIN });
  seat(T, 2, 'U0W', { waitlisted: true });
  seat(T, 2, 'U0L', { leftAt: s2.startsAt - DAY });
  poll(T, 2, s2.startsAt + 60 * MIN, 'open');
  clock.set(s2.startsAt + 70 * MIN);
  castVote(deps, T, 'U0A', 2, 5);
  castVote(deps, T, 'U0B', 2, 4);
  castVote(deps, T, 'U0C', 2, 1);
  castVote(deps, T, 'U0D', 2, 3);
  vote(T, 2, 'U0H1', 5);
  markAttendance(deps, T, 2, { userId: 'U0H1', isAdmin: false }, ['U0A', 'U0B'], { shownAt: s2.startsAt + 5 * MIN });
  clock.set(NOW);

  // #3 over the clock change: 01:30 CEST, two hours, ends 02:30 CET.
  const s3 = session(T, 3, local('2026-10-25', '01:30'), 120, 'U0H2', 'C2');
  for (const who of ['U0E', 'U0F', 'U0P']) seat(T, 3, who, { attended: 'yes' });
  seat(T, 3, 'U0V', { attended: 'yes', leftAt: s3.startsAt + 30 * MIN });
  poll(T, 3, s3.startsAt + 120 * MIN);
  vote(T, 3, 'U0E', 4);
  vote(T, 3, 'U0F', 4);

  // #4 late on the Sunday, never marked; #5 cancelled; #6 nobody came; #7 next week.
  session(T, 4, local('2026-10-25', '23:30'), 30, 'U0H1', 'C1');
  for (const who of ['U0G', 'U0I', 'U0K']) seat(T, 4, who);
  session(T, 5, local('2026-10-21', '12:00'), 30, 'U0H3', 'C1', 'cancelled');
  seat(T, 5, 'U0J');
  session(T, 6, local('2026-10-22', '18:00'), 45, 'U0H3', 'C1');
  session(T, 7, local('2026-10-27', '10:00'), 30, 'U0H1', 'C1');
  seat(T, 7, 'U0Q', { attended: 'yes' });
  // #8, seven weeks earlier: OLD came, so OLD (seated again in #4) is not new.
  session(T, 8, local('2026-09-01', '10:00'), 30, 'U0H2', 'C1');
  seat(T, 8, 'U0OLD', { attended: 'yes' });
  seat(T, 4, 'U0OLD');

  // Competencies (UTC instants, so the days are plain arithmetic).
  learned(T, 'U0X', 'Go', '2026-10-01T00:00:00Z', '2026-10-21T00:00:00Z', 'U0H1'); // 20 d
  learned(T, 'U0Y', 'Go', '2026-09-21T00:00:00Z', '2026-10-21T12:00:00Z', 'U0H1'); // 30.5 d
  learned(T, 'U0Z', 'Rust', '2026-10-11T00:00:00Z', '2026-10-22T00:00:00Z', 'U0T9'); // 11 d
  learned(T, 'U0X2', 'Go', '2026-10-15T00:00:00Z', '2026-10-23T00:00:00Z', 'U0H1', '2026-10-24T00:00:00Z'); // 8 d, removed later
  learned(T, 'U0X', 'SQL', '2026-10-05T00:00:00Z', '2026-10-24T00:00:00Z', 'U0H1'); // 19 d
  learned(T, 'U0Q', 'SQL', '2026-10-20T00:00:00Z', '2026-10-22T00:00:00Z', null, '2026-10-21T00:00:00Z'); // removed before: out
  learned(T, 'U0W2', 'Go', '2026-10-01T00:00:00Z', '2026-10-14T00:00:00Z', null); // previous week, 13 d
  // Baseline candidates, before 1 September (Berlin midnight = 31 Aug 22:00 UTC).
  learned(T, 'U0B1', 'Go', '2026-07-22T00:00:00Z', '2026-08-01T00:00:00Z', null); // 10 d
  learned(T, 'U0B2', 'Go', '2026-07-26T00:00:00Z', '2026-08-15T00:00:00Z', null); // 20 d
  learned(T, 'U0B3', 'Go', '2026-07-22T21:00:00Z', '2026-08-31T21:00:00Z', null); // 40 d, 23:00 on 31 Aug in Berlin
  learned(T, 'U0B4', 'Go', '2025-08-31T23:00:00Z', '2026-08-31T23:00:00Z', null); // 365 d, 01:00 on 1 Sep in Berlin: after

  // Current skill lists: Terraform 3 learners (U0L1 listed twice) / 1 teacher, Go 1 / 0, SQL 2 / 2.
  for (const who of ['U0L1', 'U0L1', 'U0L2', 'U0L3']) listed(T, who, 'Terraform', 'learn');
  listed(T, 'U0L4', 'Terraform', 'learn', utc('2026-10-01T00:00:00Z')); // removed
  listed(T, 'U0TT', 'Terraform', 'teach');
  listed(T, 'U0L1', 'Go', 'learn');
  for (const who of ['U0L2', 'U0L3']) listed(T, who, 'SQL', 'learn');
  for (const who of ['U0S1', 'U0S2']) listed(T, who, 'SQL', 'teach');

  group(T, 'C1', local('2026-10-20', '09:00'), 'met');
  group(T, 'C1', local('2026-10-20', '09:00'), 'not_this_time');
  group(T, 'C2', local('2026-10-21', '09:00'), null);
  group(T, null, local('2026-10-23', '15:00'), 'met');
  group(T, 'C1', local('2026-10-13', '09:00'), 'met');

  // Another workspace with the same session numbers, people and skills in the same week: none of it may count.
  createWorkspace(handle.db, OTHER, { timeZone: 'UTC' });
  const o2 = session(OTHER, 2, local('2026-10-20', '10:00'), 600, 'U0H1', 'C1');
  seat(OTHER, 2, 'U0A', { attended: 'no' });
  seat(OTHER, 2, 'U0B', { attended: 'no' });
  seat(OTHER, 2, 'U0Z', { attended: 'unknown' });
  poll(OTHER, 2, o2.startsAt + 600 * MIN);
  for (const who of ['U0A', 'U0B', 'U0Z']) vote(OTHER, 2, who, 1);
  for (const who of ['U0O1', 'U0O2', 'U0O3']) learned(OTHER, who, 'Go', '2026-01-01T00:00:00Z', '2026-10-21T00:00:00Z', 'U0H9');
  for (const who of ['U0O1', 'U0O2', 'U0O3', 'U0O4', 'U0O5']) listed(OTHER, who, 'Terraform', 'teach');
  group(OTHER, 'C1', local('2026-10-20', '09:00'), 'not_this_time');
}

beforeEach(() => {
  clock.set(NOW);
  handle.sqlite.exec('DELETE FROM workspaces;');
  seed();
});

const report = (options: Partial<Parameters<typeof computeKpiReport>[2]> = {}, teamId = T): KpiReport => computeKpiReport(deps, teamId, { period: WEEK, ...options });

describe('computeKpiReport on the week of a DST change', () => {
  it('participation: marked sessions only, without the host, waitlisted people, people who left before the start, or rows never ticked', () => {
    const p = report().participation;
    expect(p.value).toBeCloseTo((6 / 7) * 100, 10);
    expect(p).toMatchObject({ attended: 6, invited: 7, unmarkedSessions: 1, sample: 2, target: 60, met: true, insufficient: null });
    expect(p.previous).toBe(75);
    expect(p.change).toBeCloseTo((6 / 7) * 100 - 75, 10);
  });

  it('sessions: held ones by the local week (the 169-hour week keeps #4), cancelled apart, DST session at its real length', () => {
    const s = report().sessions;
    expect(s.held).toBe(4);
    expect(s.cancelled).toBe(1);
    expect(s.perWeek).toMatchObject({ value: 4, sample: 4, target: null, met: null, previous: 1, change: 3, insufficient: null });
    expect(s.per30Days).toMatchObject({ value: 5, target: 4, met: true, previous: 1, change: 4 });
    expect(s.averageMinutes).toMatchObject({ value: 63.75, sample: 4, previous: 30, change: 33.75 });
  });

  it('the next local week has neither the DST session nor the late Sunday one', () => {
    const next = report({ period: weekPeriod('2026-10-26', ZONE) });
    expect(next.sessions.held).toBe(1); // #7
    expect(next.sessions.averageMinutes.value).toBe(30);
  });

  it('satisfaction: without the vote of someone later marked absent, nor the host; response rate over who could answer', () => {
    const s = report().satisfaction;
    expect(s).toMatchObject({ value: 4, votes: 5, sample: 5, attendees: 6, distribution: [0, 0, 1, 3, 1], target: null, met: null, previous: 3, change: 1 });
    expect(s.responseRate).toBeCloseTo((5 / 6) * 100, 10);
  });

  it('satisfaction counts the polls still open when the report is computed (open and not past closes_at)', () => {
    // At NOW #2's poll is past its 72 hours though its row still says open: closed.
    expect(report().satisfaction.openPolls).toBe(0);
    clock.set(local('2026-10-21', '12:00'));
    expect(report().satisfaction.openPolls).toBe(1);
  });

  it('top sessions need three counted votes', () => {
    expect(report().topSessions).toEqual([{ number: 2, title: 'Session 2', hostId: 'U0H1', startsAt: local('2026-10-20', '10:00'), average: 4, votes: 3 }]);
  });

  it('time to competency: median of the skills learned in the week, removed-before-learning left out; previous too few', () => {
    const c = report().competency;
    expect(c).toMatchObject({ value: 19, reached: 5, sample: 5, previous: null, change: null, insufficient: null });
    // No baseline configured: no target, no verdict.
    expect(c).toMatchObject({ baselineDays: null, baselineSource: null, changePct: null, target: null, met: null, fasterTargetPct: 20 });
  });

  it('baseline entered by an admin', () => {
    setSettings({ competencyBaselineDays: 25, competencyBaselineBefore: '2026-09-01' });
    const c = report().competency;
    // (19 - 25) / 25 = -24 %: faster than the 20 % asked; target 25 x 0.8 = 20 days.
    expect(c).toMatchObject({ baselineDays: 25, baselineSource: 'entered', changePct: -24, target: 20, met: true });
  });

  it('baseline computed from competencies learned before a local date', () => {
    setSettings({ competencyBaselineBefore: '2026-09-01', competencyFasterTargetPct: 10 });
    const c = report().competency;
    // Before 1 Sep in Berlin: 10, 20, 40 days (not the 365 learned at 01:00 on the 1st): median 20.
    // (19 - 20) / 20 = -5 %, not the 10 % faster asked; target 18 days.
    expect(c).toMatchObject({ baselineDays: 20, baselineSource: 'computed', changePct: -5, target: 18, met: false, fasterTargetPct: 10 });
  });

  it('a computed baseline from too few competencies is no baseline', () => {
    setSettings({ competencyBaselineBefore: '2026-08-10' }); // only the 10-day one
    expect(report().competency).toMatchObject({ baselineDays: null, baselineSource: null, changePct: null, target: null, met: null });
  });

  it('matching: groups formed in the week and the share that met', () => {
    const m = report().matching;
    expect(m).toMatchObject({ groups: 4, answered: 3, met: 2 });
    expect(m.metShare.value).toBeCloseTo(200 / 3, 10);
    expect(m.metShare).toMatchObject({ sample: 3, previous: 100, target: null, met: null });
    expect(m.metShare.change).toBeCloseTo(200 / 3 - 100, 10);
  });

  it('contributors: hosts of held sessions, named teachers by distinct learners, first-time participants; opted-out flagged', () => {
    expect(report().contributors).toEqual({
      hosts: [
        { userId: 'U0H1', sessions: 2, optedOut: false },
        { userId: 'U0H2', sessions: 1, optedOut: false },
        { userId: 'U0H3', sessions: 1, optedOut: true },
      ],
      teachers: [
        { userId: 'U0H1', learners: 3, optedOut: false },
        { userId: 'U0T9', learners: 1, optedOut: true },
      ],
      newParticipants: ['U0B', 'U0D', 'U0E', 'U0F', 'U0G', 'U0I', 'U0K', 'U0P', 'U0V'].map((userId) => ({ userId, optedOut: false })),
    });
  });

  it('skill gaps: distinct current learners against current teachers, biggest gap first', () => {
    expect(report().skillGaps).toEqual([
      { skill: 'Terraform', learners: 3, teachers: 1 },
      { skill: 'Go', learners: 1, teachers: 0 },
    ]);
    expect(report().skillGapsTotal).toBe(2);
  });

  it('skill gaps: the report lists the biggest ten and counts them all', () => {
    for (let i = 0; i < 38; i += 1) listed(T, 'U0GAP', `Gap ${String(i).padStart(2, '0')}`, 'learn');
    const r = report();
    expect(r.skillGaps).toHaveLength(SKILL_GAPS_MAX);
    expect(r.skillGapsTotal).toBe(40);
    expect(report({}, OTHER).skillGapsTotal).toBe(0);
  });

  it('carries the period, zone, time and channel it was computed for', () => {
    expect(report()).toMatchObject({ teamId: T, channelId: null, period: WEEK, timeZone: ZONE, computedAt: NOW, hasAnySessions: true });
  });
});

describe('edge cases', () => {
  it('a session not yet started is not held, even inside the period; a cancelled one that would have started is counted', () => {
    clock.set(local('2026-10-22', '12:00')); // Thursday noon: #2 held, #5 cancelled at Wednesday noon, #6 at 18:00 not yet
    const r = report();
    expect(r.sessions.held).toBe(1);
    expect(r.sessions.cancelled).toBe(1);
    expect(r.participation.value).toBeCloseTo((2 / 3) * 100, 10);
    expect(r.contributors.hosts).toEqual([{ userId: 'U0H1', sessions: 1, optedOut: false }]);
    // Competencies and groups not yet reached by the clock are not there either.
    expect(r.competency.reached).toBe(3);
    expect(r.matching.groups).toBe(3);
  });

  it('a period with no sessions: words instead of numbers, never 0 % or a trend from nothing', () => {
    const r = report({ period: weekPeriod('2026-06-01', ZONE) });
    expect(r.hasAnySessions).toBe(true);
    expect(r.participation).toMatchObject({ value: null, sample: 0, met: null, change: null, insufficient: 'No session was held this week.', unmarkedSessions: 0 });
    expect(r.satisfaction).toMatchObject({ value: null, responseRate: null, change: null, insufficient: 'No session was held this week.' });
    expect(r.sessions.averageMinutes).toMatchObject({ value: null, change: null, insufficient: 'No session was held this week.' });
    // Counting sessions is not a rate: none held is a true 0 (and 0 against last week's 0).
    expect(r.sessions.perWeek).toMatchObject({ value: 0, previous: 0, change: 0, insufficient: null });
    expect(r.sessions.per30Days).toMatchObject({ value: 0, met: false });
    expect(r.competency).toMatchObject({ value: null, change: null, insufficient: 'No skill was marked learned this week.' });
    expect(r.matching.metShare).toMatchObject({ value: null, insufficient: 'No matching groups were formed this week.' });
    expect(r.topSessions).toEqual([]);
    expect(r.contributors).toEqual({ hosts: [], teachers: [], newParticipants: [] });
    for (const kpi of [r.participation, r.satisfaction, r.sessions.averageMinutes, r.competency, r.matching.metShare]) {
      expect(Number.isNaN(kpi.value)).toBe(false);
      expect(kpi.change).toBeNull();
    }
  });

  it('too little data says why in a sentence: held but nobody signed up, unmarked, too few votes, too few competencies, unanswered groups', () => {
    // Without X's and Y's competencies, two are left in the week (Z 11 d, X2 8 d).
    for (const who of ['U0X', 'U0Y']) handle.db.delete(memberSkills).where(and(eq(memberSkills.teamId, T), eq(memberSkills.userId, who))).run();
    const c2 = report({ channelId: 'C2' });
    expect(c2.satisfaction).toMatchObject({ value: null, votes: 2, insufficient: 'Only 2 votes this week; an average needs at least 3.' });
    expect(c2.matching.metShare).toMatchObject({ value: null, insufficient: 'No group has answered "Did you meet?" yet.' });
    expect(report().competency).toMatchObject({ value: null, reached: 2, insufficient: 'Only 2 skills were marked learned this week; a median needs at least 3.' });
    // Thursday 22 October: #6, which nobody joined, is the day's only session.
    const day = { from: local('2026-10-22', '00:00'), to: local('2026-10-23', '00:00') };
    expect(report({ period: day, previousPeriod: null }).participation).toMatchObject({ value: null, insufficient: 'No session held in this period had anyone signed up.' });
    const sunday = { from: local('2026-10-25', '12:00'), to: local('2026-10-26', '00:00') };
    const late = report({ period: sunday, previousPeriod: null });
    expect(late.participation).toMatchObject({ value: null, unmarkedSessions: 1, insufficient: 'No session held in this period had its attendance marked.' });
    expect(late.satisfaction).toMatchObject({ value: null, insufficient: 'No session held in this period has had its feedback poll yet.' });
  });

  it('everyone opted out: the same numbers, every person flagged so nobody is mentioned', () => {
    const before = report();
    const everyone = ['U0A', 'U0B', 'U0C', 'U0D', 'U0E', 'U0F', 'U0G', 'U0I', 'U0K', 'U0P', 'U0V', 'U0H1', 'U0H2', 'U0H3', 'U0T9'];
    for (const who of everyone) createMember(handle.db, T, who, { optedOut: true });
    const after = report();
    expect(after.participation).toEqual(before.participation);
    expect(after.satisfaction).toEqual(before.satisfaction);
    const people = [...after.contributors.hosts, ...after.contributors.teachers, ...after.contributors.newParticipants];
    expect(people.length).toBe(14);
    expect(people.every((p) => p.optedOut)).toBe(true);
  });

  it('narrowed to a channel: its sessions and groups; competencies and skill gaps stay workspace-wide', () => {
    const c1 = report({ channelId: 'C1' });
    expect(c1.channelId).toBe('C1');
    expect(c1.sessions).toMatchObject({ held: 3, cancelled: 1 });
    expect(c1.participation).toMatchObject({ attended: 2, invited: 3, unmarkedSessions: 1, previous: 75 });
    expect(c1.satisfaction).toMatchObject({ value: 4, votes: 3, attendees: 3, previous: 3 });
    expect(c1.matching).toMatchObject({ groups: 2, answered: 2, met: 1 });
    expect(c1.matching.metShare.value).toBe(50);
    expect(c1.contributors.hosts.map((h) => h.userId)).toEqual(['U0H1', 'U0H3']);
    expect(c1.contributors.newParticipants.map((p) => p.userId)).toEqual(['U0B', 'U0D', 'U0G', 'U0I', 'U0K']);
    expect(c1.competency).toMatchObject({ value: 19, reached: 5 });
    expect(c1.contributors.teachers).toEqual(report().contributors.teachers);
    expect(c1.skillGaps).toEqual(report().skillGaps);
    // New to the channel: A came to #1 in C1, but E, F, P and V only ever came to C2.
    const c2 = report({ channelId: 'C2' });
    expect(c2.contributors.newParticipants.map((p) => p.userId)).toEqual(['U0E', 'U0F', 'U0P', 'U0V']);
    expect(c2.participation.value).toBe(100);
    expect(report({ channelId: 'C0NONE' }).hasAnySessions).toBe(false);
    expect(c1.hasAnySessions).toBe(true);
  });

  it('a second workspace never leaks in either direction', () => {
    const other = report({}, OTHER);
    expect(other.timeZone).toBe('UTC');
    expect(other.sessions.held).toBe(1);
    // Marked: A and B absent, Z never ticked. A true 0 %, not "no data".
    expect(other.participation).toMatchObject({ value: 0, attended: 0, invited: 2 });
    // Only Z could answer (A and B were absent): 1 vote, too few.
    expect(other.satisfaction).toMatchObject({ value: null, votes: 1, attendees: 1 });
    expect(other.competency).toMatchObject({ reached: 3, value: 293 });
    expect(other.skillGaps).toEqual([]);
    expect(other.matching).toMatchObject({ groups: 1, answered: 1, met: 0 });
    expect(other.contributors.newParticipants.map((p) => p.userId)).toEqual(['U0Z']);
    expect(other.topSessions).toEqual([]);
    // And this workspace's numbers are the hand-worked ones above, not mixed with these.
    const mine = report();
    expect(mine.sessions.averageMinutes.value).toBe(63.75);
    expect(mine.satisfaction.distribution).toEqual([0, 0, 1, 3, 1]);
    expect(mine.competency.value).toBe(19);
    expect(mine.skillGaps[0]).toEqual({ skill: 'Terraform', learners: 3, teachers: 1 });
  });

  it('refuses an unknown workspace and an empty period', () => {
    const unknown = (() => {
      try {
        report({}, 'T0NOBODY');
      } catch (error) {
        return error;
      }
    })();
    expect(unknown).toBeInstanceOf(AppError);
    expect((unknown as AppError).code).toBe('not_found');
    expect(() => report({ period: { from: WEEK.to, to: WEEK.from } })).toThrow('A KPI period must end after it starts.');
    expect(() => report({ previousPeriod: { from: 5, to: 5 } })).toThrow('A KPI period must end after it starts.');
  });

  it('a workspace with no session ever says so', () => {
    createWorkspace(handle.db, 'T0NEW', { timeZone: ZONE });
    const r = report({}, 'T0NEW');
    expect(r.hasAnySessions).toBe(false);
    expect(r.participation.insufficient).toBe('No session was held this week.');
  });
});

describe('previous values', () => {
  it('previousPeriod: null computes none; an explicit one is used as given', () => {
    const none = report({ previousPeriod: null });
    for (const kpi of [none.participation, none.sessions.perWeek, none.sessions.per30Days, none.sessions.averageMinutes, none.satisfaction, none.competency, none.matching.metShare]) {
      expect(kpi.previous).toBeNull();
      expect(kpi.change).toBeNull();
    }
    // Two weeks back (5-11 October) had nothing.
    const twoBack = report({ previousPeriod: weekPeriod('2026-10-05', ZONE) });
    expect(twoBack.sessions.perWeek).toMatchObject({ previous: 0, change: 4 });
    expect(twoBack.participation).toMatchObject({ previous: null, change: null });
  });

  it('applyPreviousFromSnapshot compares with a stored report, recomputing change and met, without touching its inputs', () => {
    const current = report({ previousPeriod: null });
    const stored = report({ period: weekPeriod('2026-10-12', ZONE), previousPeriod: null });
    const storedCopy: KpiReport = JSON.parse(JSON.stringify(stored));
    storedCopy.participation.value = 50; // what last week's digest said then
    const frozen = JSON.stringify(current);
    const linked = applyPreviousFromSnapshot(current, storedCopy);
    expect(JSON.stringify(current)).toBe(frozen);
    expect(linked.participation.previous).toBe(50);
    expect(linked.participation.change).toBeCloseTo((6 / 7) * 100 - 50, 10);
    expect(linked.participation.met).toBe(true);
    expect(linked.sessions.perWeek).toMatchObject({ previous: 1, change: 3 });
    expect(linked.satisfaction).toMatchObject({ previous: 3, change: 1 });
    // Last week had too few competencies: no trend from one point.
    expect(linked.competency).toMatchObject({ value: 19, previous: null, change: null });
    expect(linked.matching.metShare.previous).toBe(100);
    // Same answer as computing the previous week directly (the snapshot held the same numbers).
    const direct = report();
    const fromSnapshot = applyPreviousFromSnapshot(current, stored);
    expect(fromSnapshot.participation).toEqual(direct.participation);
    expect(fromSnapshot.sessions).toEqual(direct.sessions);
    expect(fromSnapshot.satisfaction).toEqual(direct.satisfaction);
    expect(fromSnapshot.competency).toEqual(direct.competency);
    expect(fromSnapshot.matching).toEqual(direct.matching);
  });

  it('met follows the value against the target after linking (competency against its baseline)', () => {
    setSettings({ competencyBaselineDays: 25 });
    const current = report({ previousPeriod: null });
    const linked = applyPreviousFromSnapshot(current, current);
    expect(linked.competency).toMatchObject({ met: true, previous: 19, change: 0 });
    expect(linked.sessions.per30Days).toMatchObject({ met: true, previous: 5, change: 0 });
  });
});

describe('computeWeeklySeries', () => {
  it('participation and sessions held per local week, oldest first, by the report rules', () => {
    const series = computeWeeklySeries(deps, T, { endingBefore: WEEK.to, weeks: 3 });
    expect(series.map((w) => w.weekStart)).toEqual(['2026-10-05', '2026-10-12', '2026-10-19']);
    expect(series.map((w) => w.sessionsHeld)).toEqual([0, 1, 4]);
    expect(series[0]!.participationPct).toBeNull();
    expect(series[1]!.participationPct).toBe(75);
    expect(series[2]!.participationPct).toBeCloseTo((6 / 7) * 100, 10);
    expect(series[2]).toMatchObject({ from: WEEK.from, to: WEEK.to });
    expect(series[2]!.to - series[2]!.from).toBe(169 * 3_600_000);
    expect(series[1]).toMatchObject(weekPeriod('2026-10-12', ZONE));
    // Matches the report's own numbers for the same week.
    const r = report();
    expect(series[2]!.sessionsHeld).toBe(r.sessions.held);
    expect(series[2]!.participationPct).toBe(r.participation.value);
  });

  it('narrows to a channel, stays in its workspace, and counts only what has started', () => {
    expect(computeWeeklySeries(deps, T, { endingBefore: WEEK.to, weeks: 2, channelId: 'C2' }).map((w) => [w.sessionsHeld, w.participationPct])).toEqual([
      [0, null],
      [1, 100],
    ]);
    expect(computeWeeklySeries(deps, OTHER, { endingBefore: WEEK.to, weeks: 1 }).map((w) => [w.sessionsHeld, w.participationPct])).toEqual([[1, 0]]);
    clock.set(local('2026-10-22', '12:00'));
    expect(computeWeeklySeries(deps, T, { endingBefore: WEEK.to, weeks: 1 })[0]!.sessionsHeld).toBe(1);
  });

  it('refuses a number of weeks outside 1-104', () => {
    for (const weeks of [0, 105, 2.5]) expect(() => computeWeeklySeries(deps, T, { endingBefore: WEEK.to, weeks })).toThrow(AppError);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([3])).toBe(3);
    expect(median([30.5, 8, 19, 11, 20])).toBe(19);
    expect(median([8, 11, 20, 30.5])).toBe(15.5);
  });
});
