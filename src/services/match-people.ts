import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServiceDeps } from './context.js';
import { chooseZone } from './members.js';
import type { MatchPerson, PastGroup } from './matching.js';
import { getWorkspace } from './workspaces.js';

/**
 * Who can be matched, as the matcher (services/matching.ts) needs them: opted in, not paused,
 * not opted out of DMs (an introduction is a message), with the skills they teach and want to
 * learn right now, their role and their zone. Also the history of who met whom.
 */

/** A pause Peerloop set after rounds without an answer has no end date: it lasts until the person resumes. */
export const PAUSED_UNTIL_RESUMED = Date.UTC(9999, 11, 31);

export const DAY_MS = 24 * 60 * 60_000;
export const WEEK_MS = 7 * DAY_MS;

/** Slack user ids as they arrive in payloads and job payloads. */
export const SlackUserId = z.string().regex(/^[UW][A-Z0-9]{2,30}$/, 'not a Slack user id');

interface EligibleRow {
  userId: string;
}

/**
 * Of `userIds`, those who may be matched at `at`: a profile with matching switched on, no pause
 * in force, and DMs not turned off. Order follows `userIds`.
 */
export function filterMatchable(deps: ServiceDeps, teamId: string, userIds: readonly string[], at: number): string[] {
  if (userIds.length === 0) return [];
  const rows = deps.db.all<EligibleRow>(sql`
    SELECT p.user_id AS userId FROM profiles p
    LEFT JOIN members m ON m.team_id = p.team_id AND m.user_id = p.user_id
    WHERE p.team_id = ${teamId} AND p.matching_opt_in = 1
      AND (p.paused_until IS NULL OR p.paused_until <= ${at})
      AND coalesce(m.opted_out, 0) = 0
      AND p.user_id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`);
  const ok = new Set(rows.map((r) => r.userId));
  return userIds.filter((u) => ok.has(u));
}

/** Everyone in the workspace who may be matched at `at` (for `/peer match`), but `exceptUserId`. */
export function listMatchableUserIds(deps: ServiceDeps, teamId: string, at: number, exceptUserId: string): string[] {
  return deps.db
    .all<EligibleRow>(
      sql`SELECT p.user_id AS userId FROM profiles p
      LEFT JOIN members m ON m.team_id = p.team_id AND m.user_id = p.user_id
      WHERE p.team_id = ${teamId} AND p.matching_opt_in = 1 AND p.user_id != ${exceptUserId}
        AND (p.paused_until IS NULL OR p.paused_until <= ${at})
        AND coalesce(m.opted_out, 0) = 0
      ORDER BY p.user_id`,
    )
    .map((r) => r.userId);
}

interface PersonRow {
  userId: string;
  roleKey: string | null;
  timeZone: string | null;
}

interface SkillRow {
  userId: string;
  skillKey: string;
  kind: 'teach' | 'learn';
}

/**
 * The matcher's view of these people: active teach and learn skills (not removed, not yet
 * learned), role key and zone (their Slack zone, else the workspace's). People without a
 * profile row come back with no skills and no role.
 */
export function loadMatchPeople(deps: ServiceDeps, teamId: string, userIds: readonly string[], fallbackZone: string): MatchPerson[] {
  if (userIds.length === 0) return [];
  const ids = JSON.stringify(userIds);
  const workspaceZone = getWorkspace(deps, teamId)?.timeZone;
  const rows = deps.db.all<PersonRow>(sql`
    SELECT u.value AS userId, p.role_key AS roleKey, m.time_zone AS timeZone
    FROM json_each(${ids}) u
    LEFT JOIN profiles p ON p.team_id = ${teamId} AND p.user_id = u.value
    LEFT JOIN members m ON m.team_id = ${teamId} AND m.user_id = u.value`);
  const skills = deps.db.all<SkillRow>(sql`
    SELECT user_id AS userId, skill_key AS skillKey, kind FROM member_skills
    WHERE team_id = ${teamId} AND removed_at IS NULL AND completed_at IS NULL
      AND user_id IN (SELECT value FROM json_each(${ids}))
    ORDER BY id`);
  const teach = new Map<string, string[]>();
  const learn = new Map<string, string[]>();
  for (const s of skills) {
    const map = s.kind === 'teach' ? teach : learn;
    const list = map.get(s.userId) ?? [];
    if (!list.includes(s.skillKey)) list.push(s.skillKey);
    map.set(s.userId, list);
  }
  return rows.map((r) => ({
    userId: r.userId,
    teach: teach.get(r.userId) ?? [],
    learn: learn.get(r.userId) ?? [],
    roleKey: r.roleKey,
    timeZone: chooseZone(r.timeZone, workspaceZone, fallbackZone),
  }));
}

/**
 * Groups since `sinceMs`, from rounds and from `/peer match`: who met whom and when. A round's
 * group is dated by its round's scheduled instant (`roundAt(date, hour)`, the channel's hour),
 * so a round that ran late (Peerloop was down, up to a day) does not stretch the repeat window;
 * a `/peer match` pair by when it was made. Every stored group counts, introduced or still
 * waiting for its intro job: two channels whose rounds run at the same time must not introduce
 * the same pair twice. Only a group whose intro failed for good (its `match_intro:<group>` job
 * is `failed`) is not history, as they were never introduced. (`/peer match` deletes a pair
 * whose intro Slack refused.)
 */
export function loadMatchHistory(deps: ServiceDeps, teamId: string, sinceMs: number, roundAt?: (roundDate: string, hour: number) => number): PastGroup[] {
  // A round group is stored at most a day after its round's instant: read a day more, then date and filter.
  const rows = deps.db.all<{ createdAt: number; roundDate: string | null; hour: number | null; users: string }>(sql`
    SELECT g.created_at AS createdAt, g.round_date AS roundDate, c.hour AS hour, json_group_array(m.user_id) AS users
    FROM match_groups g JOIN match_group_members m ON m.team_id = g.team_id AND m.group_id = g.id
    LEFT JOIN match_channels c ON c.team_id = g.team_id AND c.channel_id = g.channel_id
    WHERE g.team_id = ${teamId} AND g.created_at >= ${sinceMs - DAY_MS}
      AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.team_id = g.team_id AND j.key = 'match_intro:' || g.id AND j.status = 'failed')
    GROUP BY g.id ORDER BY g.created_at`);
  return rows
    .map((r) => ({
      at: roundAt !== undefined && r.roundDate !== null && r.hour !== null ? Math.min(r.createdAt, roundAt(r.roundDate, r.hour)) : r.createdAt,
      userIds: z.array(z.string()).parse(JSON.parse(r.users)),
    }))
    .filter((g) => g.at >= sinceMs)
    .sort((a, b) => a.at - b.at);
}

/** Display names of skill keys ("sql" -> "SQL", as the workspace first spelled it); an unknown key shows as itself. */
export function skillNames(deps: ServiceDeps, teamId: string, keys: readonly string[]): Record<string, string> {
  if (keys.length === 0) return {};
  const rows = deps.db.all<{ key: string; name: string }>(sql`
    SELECT key, name FROM skills WHERE team_id = ${teamId} AND key IN (SELECT value FROM json_each(${JSON.stringify([...new Set(keys)])}))`);
  const names: Record<string, string> = Object.fromEntries(keys.map((k) => [k, k]));
  for (const r of rows) names[r.key] = r.name;
  return names;
}

/** A role's display name for its key (the first spelling kept on any profile). */
export function roleName(deps: ServiceDeps, teamId: string, roleKey: string | null): string | null {
  if (roleKey === null) return null;
  const row = deps.db.get<{ role: string | null }>(sql`SELECT role FROM profiles WHERE team_id = ${teamId} AND role_key = ${roleKey} AND role IS NOT NULL ORDER BY created_at LIMIT 1`);
  return row?.role ?? roleKey;
}
