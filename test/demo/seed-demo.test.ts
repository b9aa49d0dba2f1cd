import { afterAll, describe, expect, it } from 'vitest';
import { createSettableClock } from '../../src/clock.js';
import { openDb, type DbHandle } from '../../src/db/client.js';
import { DEMO_TEAM_ID } from '../../src/demo/demo-team.js';
import { seedDemo, type DemoSize, type SeedDemoSummary } from '../../src/demo/seed-demo.js';
import { createLogger } from '../../src/logger.js';
import { FORMAT_IDS } from '../../src/services/formats.js';
import { parseReason } from '../../src/services/match-rounds.js';
import { normaliseSkillName } from '../../src/services/skills.js';
import { firstExistingLocalTime } from '../../src/services/time.js';
import { getSettings } from '../../src/services/workspace-settings.js';
import { createMember } from '../support/factories.js';
import { nonEmpty, workspaceRows } from '../support/rows.js';

/**
 * The demo data set (npm run demo, and the tests of the demo and of npm run report): written
 * through the schema, the same rows for the same seed, and believable in the ways the digest
 * reads it (every format, attendance only for what happened, the edge cases the KPIs must handle).
 */

// Monday 7 Dec 2026, 09:00 in Berlin: the moment the digest is posted.
const NOW = Date.parse('2026-12-07T08:00:00Z');
const handles: DbHandle[] = [];
afterAll(() => {
  for (const h of handles) h.close();
});

function seeded(size: DemoSize, seed = 'peerloop', now = NOW): { handle: DbHandle; summary: SeedDemoSummary } {
  const handle = openDb(':memory:');
  handles.push(handle);
  return { handle, summary: seedDemo(handle.db, { teamId: DEMO_TEAM_ID, now, seed, size }) };
}

const all = <T>(h: DbHandle, sql: string, ...params: unknown[]) => h.sqlite.prepare(sql).all(...params) as T[];
const one = <T>(h: DbHandle, sql: string, ...params: unknown[]) => h.sqlite.prepare(sql).get(...params) as T;

const small = seeded('small');
const full = seeded('full');

describe('seedDemo', () => {
  it('gives the same rows for the same seed and week, and other rows for another seed', () => {
    const again = seeded('small');
    expect(workspaceRows(again.handle, DEMO_TEAM_ID)).toEqual(workspaceRows(small.handle, DEMO_TEAM_ID));
    const other = seeded('small', 'another seed');
    expect(workspaceRows(other.handle, DEMO_TEAM_ID)).not.toEqual(workspaceRows(small.handle, DEMO_TEAM_ID));
  });

  it('full: 40 people over 8 weeks ending the Sunday before now; small: 12 over 3', () => {
    expect(full.summary).toMatchObject({ people: 40, weeks: 8, firstWeekStart: '2026-10-12', lastWeekStart: '2026-11-30', timeZone: 'Europe/Berlin' });
    expect(small.summary).toMatchObject({ people: 12, weeks: 3, firstWeekStart: '2026-11-16', lastWeekStart: '2026-11-30' });
    for (const { handle, summary } of [full, small]) {
      const start = firstExistingLocalTime(summary.firstWeekStart, 0, summary.timeZone);
      const held = all<{ starts_at: number }>(handle, `SELECT starts_at FROM sessions WHERE status = 'scheduled' AND starts_at < ?`, NOW);
      expect(held.length).toBe(summary.sessionsHeld);
      expect(held.every((s) => s.starts_at >= start)).toBe(true);
      // Next week's sessions are booked within the six days after now.
      const upcoming = all<{ starts_at: number }>(handle, `SELECT starts_at FROM sessions WHERE starts_at >= ?`, NOW);
      expect(upcoming.length).toBe(summary.sessionsUpcoming);
      expect(upcoming.length).toBeGreaterThan(0);
      expect(upcoming.every((s) => s.starts_at < NOW + 7 * 86_400_000)).toBe(true);
      expect(Object.keys(summary.userNames)).toHaveLength(summary.people);
    }
    expect(full.summary.sessionsHeld).toBeGreaterThanOrEqual(35);
  });

  it('holds a session of every format, hosts rotating', () => {
    for (const { handle } of [full, small]) {
      const formats = all<{ format: string }>(handle, `SELECT DISTINCT format FROM sessions WHERE status = 'scheduled' AND starts_at < ?`, NOW).map((r) => r.format);
      expect(formats.sort()).toEqual([...FORMAT_IDS].sort());
    }
    const hosts = all<{ host_id: string; n: number }>(full.handle, `SELECT host_id, count(*) AS n FROM sessions GROUP BY host_id`);
    expect(hosts.length).toBeGreaterThanOrEqual(15);
    expect(Math.max(...hosts.map((h) => h.n))).toBeLessThanOrEqual(5);
  });

  it('marks attendance only for sessions that happened, leaves a few unmarked, and has a waitlist, a leaver and a cancellation', () => {
    for (const { handle } of [full, small]) {
      const marked = all<{ number: number; starts_at: number; status: string }>(
        handle,
        `SELECT DISTINCT s.number, s.starts_at, s.status FROM sessions s JOIN participants p ON p.team_id = s.team_id AND p.session_number = s.number WHERE p.attended <> 'unknown'`,
      );
      expect(marked.every((s) => s.starts_at < NOW && s.status === 'scheduled')).toBe(true);
      // Held in the last full week, with attendees, and nobody marked: the digest's "without attendance".
      const unmarked = one<{ n: number }>(
        handle,
        `SELECT count(*) AS n FROM sessions s WHERE s.status = 'scheduled' AND s.starts_at BETWEEN ? AND ?
           AND EXISTS (SELECT 1 FROM participants p WHERE p.team_id = s.team_id AND p.session_number = s.number AND p.role = 'attendee')
           AND NOT EXISTS (SELECT 1 FROM participants p WHERE p.team_id = s.team_id AND p.session_number = s.number AND p.attended <> 'unknown')`,
        NOW - 7 * 86_400_000,
        NOW,
      );
      expect(unmarked.n).toBe(1);
      expect(one<{ n: number }>(handle, `SELECT count(*) AS n FROM participants WHERE waitlisted = 1`).n).toBeGreaterThan(0);
      expect(one<{ n: number }>(handle, `SELECT count(*) AS n FROM participants WHERE left_at IS NOT NULL AND attended = 'unknown'`).n).toBeGreaterThan(0);
      const cancelled = all<{ number: number; cancel_reason: string }>(handle, `SELECT number, cancel_reason FROM sessions WHERE status = 'cancelled'`);
      expect(cancelled).toHaveLength(1);
      expect(cancelled[0]!.cancel_reason).not.toBe('');
      expect(one<{ n: number }>(handle, `SELECT count(*) AS n FROM polls WHERE session_number = ?`, cancelled[0]!.number).n).toBe(0);
      // Nobody on a waitlist or who left is marked either way.
      expect(one<{ n: number }>(handle, `SELECT count(*) AS n FROM participants WHERE (waitlisted = 1 OR left_at IS NOT NULL) AND attended <> 'unknown'`).n).toBe(0);
    }
  });

  it('participation improves over the weeks and stays believable', () => {
    const weekly = all<{ week: number; yes: number; marked: number }>(
      full.handle,
      `SELECT CAST((s.starts_at - ?) / 604800000 AS INTEGER) AS week, sum(p.attended = 'yes') AS yes, count(*) AS marked
       FROM sessions s JOIN participants p ON p.team_id = s.team_id AND p.session_number = s.number
       WHERE p.role = 'attendee' AND p.attended IN ('yes', 'no') GROUP BY week ORDER BY week`,
      firstExistingLocalTime(full.summary.firstWeekStart, 0, 'Europe/Berlin'),
    );
    expect(weekly.map((w) => w.week)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const rate = (rows: typeof weekly) => rows.reduce((n, w) => n + w.yes, 0) / rows.reduce((n, w) => n + w.marked, 0);
    expect(rate(weekly.slice(0, 4))).toBeLessThan(0.6);
    expect(rate(weekly.slice(4))).toBeGreaterThan(0.6);
    for (const w of weekly) expect(w.yes / w.marked).toBeLessThan(0.95);
  });

  it('polls the sessions held, with votes 1-5 from people who were there, comments shared and not, and one vote from someone later marked absent', () => {
    for (const { handle, summary } of [full, small]) {
      const votes = all<{ value: number; comment: string | null; comment_shared: number; attended: string; role: string; status: string; starts_at: number }>(
        handle,
        `SELECT v.value, v.comment, v.comment_shared, p.attended, p.role, s.status, s.starts_at FROM poll_votes v
         JOIN participants p ON p.team_id = v.team_id AND p.session_number = v.session_number AND p.user_id = v.user_id
         JOIN sessions s ON s.team_id = v.team_id AND s.number = v.session_number`,
      );
      expect(votes.length).toBe(summary.votes);
      expect(votes.every((v) => v.value >= 1 && v.value <= 5 && v.role === 'attendee' && v.status === 'scheduled' && v.starts_at < NOW)).toBe(true);
      expect(votes.some((v) => v.comment !== null && v.comment_shared === 1)).toBe(true);
      expect(votes.some((v) => v.comment !== null && v.comment_shared === 0)).toBe(true);
      const mean = votes.reduce((n, v) => n + v.value, 0) / votes.length;
      expect(mean).toBeGreaterThan(3.4);
      expect(mean).toBeLessThan(4.6);
    }
    const absentVotes = one<{ n: number }>(
      full.handle,
      `SELECT count(*) AS n FROM poll_votes v JOIN participants p ON p.team_id = v.team_id AND p.session_number = v.session_number AND p.user_id = v.user_id WHERE p.attended = 'no'`,
    );
    expect(absentVotes.n).toBe(1);
    expect(one<{ n: number }>(full.handle, `SELECT count(DISTINCT value) AS n FROM poll_votes`).n).toBeGreaterThanOrEqual(4);
  });

  it('sets the digest channel and a baseline date, with competencies on both sides of it, some taught and confirmed', () => {
    for (const { handle, summary } of [full, small]) {
      const deps = { db: handle.db, clock: createSettableClock(NOW), logger: createLogger('silent') };
      const settings = getSettings(deps, DEMO_TEAM_ID);
      expect(settings.digestChannelId).toBe(summary.digestChannelId);
      expect(settings.competencyBaselineBefore).toBe(summary.firstWeekStart);
      const baseline = firstExistingLocalTime(summary.firstWeekStart, 0, summary.timeZone);
      const learned = all<{ started_at: number; completed_at: number; taught_by: string | null; taught_confirmed_at: number | null; user_id: string }>(
        handle,
        `SELECT started_at, completed_at, taught_by, taught_confirmed_at, user_id FROM member_skills WHERE completed_at IS NOT NULL`,
      );
      expect(learned.length).toBe(summary.competencies);
      expect(learned.filter((r) => r.completed_at < baseline).length).toBeGreaterThanOrEqual(3);
      expect(learned.filter((r) => r.completed_at >= baseline).length).toBeGreaterThanOrEqual(3);
      expect(learned.every((r) => r.started_at < r.completed_at && r.completed_at < NOW && r.taught_by !== r.user_id)).toBe(true);
      expect(learned.some((r) => r.taught_confirmed_at !== null)).toBe(true);
      // Everything a person typed is stored under the key the app would give it.
      for (const s of all<{ key: string; name: string }>(handle, `SELECT key, name FROM skills`)) expect(s.key).toBe(normaliseSkillName(s.name).key);
    }
    // The gap the digest leads with: many want Terraform, one teaches it.
    const terraform = one<{ teach: number; learn: number }>(
      full.handle,
      `SELECT sum(kind = 'teach') AS teach, sum(kind = 'learn' AND completed_at IS NULL AND removed_at IS NULL) AS learn FROM member_skills WHERE skill_key = 'terraform'`,
    );
    expect(terraform).toEqual({ teach: 1, learn: 8 });
  });

  it('runs matching rounds with readable reasons and "Did you meet?" answers, and keeps one member opted out of everything new', () => {
    for (const { handle, summary } of [full, small]) {
      const groups = all<{ reason: string; outcome: string | null; checkin_ts: string | null; members: number }>(
        handle,
        `SELECT g.reason, g.outcome, g.checkin_ts, (SELECT count(*) FROM match_group_members m WHERE m.group_id = g.id) AS members FROM match_groups g`,
      );
      expect(groups.length).toBe(summary.matchGroups);
      expect(groups.every((g) => parseReason(g.reason) !== undefined && g.members >= 2)).toBe(true);
      expect(groups.some((g) => g.outcome === 'met')).toBe(true);
      expect(groups.every((g) => g.outcome === null || g.checkin_ts !== null)).toBe(true);
      const optedOut = all<{ user_id: string }>(handle, `SELECT user_id FROM members WHERE opted_out = 1`);
      expect(optedOut).toHaveLength(1);
      const later = one<{ n: number }>(
        handle,
        `SELECT count(*) AS n FROM participants p JOIN sessions s ON s.team_id = p.team_id AND s.number = p.session_number WHERE p.user_id = ? AND s.starts_at >= ?`,
        optedOut[0]!.user_id,
        NOW - 14 * 86_400_000,
      );
      expect(later.n).toBe(0);
      expect(one<{ n: number }>(handle, `SELECT count(*) AS n FROM match_group_members WHERE user_id = ?`, optedOut[0]!.user_id).n).toBe(0);
    }
  });

  it('writes only its own workspace, and refuses one that exists already', () => {
    const handle = openDb(':memory:');
    handles.push(handle);
    createMember(handle.db, 'T0REAL', 'U0REAL', { name: 'Real Person' });
    const before = workspaceRows(handle, 'T0REAL');
    seedDemo(handle.db, { teamId: DEMO_TEAM_ID, now: NOW, seed: 'x', size: 'small' });
    expect(workspaceRows(handle, 'T0REAL')).toEqual(before);
    expect(nonEmpty(workspaceRows(handle, DEMO_TEAM_ID))).toMatchObject({ workspaces: 1, members: 12, sessions: expect.any(Number), poll_votes: expect.any(Number), match_groups: expect.any(Number) });
    expect(() => seedDemo(handle.db, { teamId: 'T0REAL', now: NOW, seed: 'x', size: 'small' })).toThrow(/already exists/);
    expect(workspaceRows(handle, 'T0REAL')).toEqual(before);
  });
});
