import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { matchRoundPeople, profiles } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { ServiceDeps } from './context.js';
import { getMatchChannel, getRound, listActiveMatchChannels, nextRoundAt } from './match-rounds.js';
import { resolveWorkspaceZone } from './members.js';

/**
 * A person's own part in matching rounds: the next round they are in (App Home), skipping it
 * (and changing their mind), and resuming after a pause.
 */

export interface NextRound {
  channelId: string;
  roundDate: string;
  at: number;
  mode: 'skill-swap' | 'pods';
  skipping: boolean;
}

/**
 * The soonest upcoming round of the channels this person was in a round of before (matched,
 * sat out or skipping): Peerloop only learns who is in a channel when a round reads it. Someone
 * who was never in a round sees the soonest round of the workspace, which is what they will be
 * in once they join its channel. Undefined when the workspace has no active rounds, or the person
 * never turned matching on or turned DMs off (they are in no round).
 */
export function getNextRoundFor(deps: ServiceDeps, teamId: string, userId: string, fallbackZone: string): NextRound | undefined {
  // Someone who never turned matching on, or turned DMs off, is in no round: no "next round … Skip".
  const me = deps.db.get<{ optIn: number; optedOut: number }>(sql`
    SELECT p.matching_opt_in AS optIn, coalesce(m.opted_out, 0) AS optedOut FROM profiles p
    LEFT JOIN members m ON m.team_id = p.team_id AND m.user_id = p.user_id
    WHERE p.team_id = ${teamId} AND p.user_id = ${userId}`);
  if (me === undefined || !me.optIn || me.optedOut) return undefined;
  const active = listActiveMatchChannels(deps, teamId);
  if (active.length === 0) return undefined;
  const mine = new Set(
    deps.db
      .all<{ channelId: string }>(sql`
        SELECT g.channel_id AS channelId FROM match_group_members m JOIN match_groups g ON g.team_id = m.team_id AND g.id = m.group_id
        WHERE m.team_id = ${teamId} AND m.user_id = ${userId} AND g.channel_id IS NOT NULL
        UNION SELECT channel_id FROM match_round_people WHERE team_id = ${teamId} AND user_id = ${userId}`)
      .map((r) => r.channelId),
  );
  const candidates = active.some((c) => mine.has(c.channelId)) ? active.filter((c) => mine.has(c.channelId)) : active;
  const zone = resolveWorkspaceZone(deps, teamId, fallbackZone);
  const now = deps.clock.now();
  const next = candidates
    .map((c) => ({ channel: c, ...nextRoundAt(c, zone, now) }))
    .sort((a, b) => a.at - b.at || a.channel.channelId.localeCompare(b.channel.channelId))[0];
  if (next === undefined) return undefined;
  const skipping = deps.db
    .select({ userId: matchRoundPeople.userId })
    .from(matchRoundPeople)
    .where(
      and(
        eq(matchRoundPeople.teamId, teamId),
        eq(matchRoundPeople.channelId, next.channel.channelId),
        eq(matchRoundPeople.roundDate, next.roundDate),
        eq(matchRoundPeople.userId, userId),
        eq(matchRoundPeople.state, 'skipping'),
      ),
    )
    .get();
  return { channelId: next.channel.channelId, roundDate: next.roundDate, at: next.at, mode: next.channel.mode, skipping: skipping !== undefined };
}

/** Only the coming round of an active channel can be skipped (or un-skipped). */
function requireUpcomingRound(deps: ServiceDeps, teamId: string, channelId: string, roundDate: string, fallbackZone: string): void {
  const channel = getMatchChannel(deps, teamId, channelId);
  if (channel === undefined || !channel.active) throw new AppError('not_found', 'That channel has no matching rounds any more.');
  if (getRound(deps, teamId, channelId, roundDate) !== undefined) throw new AppError('conflict', 'That round has already run, so it can no longer be skipped or rejoined.');
  const next = nextRoundAt(channel, resolveWorkspaceZone(deps, teamId, fallbackZone), deps.clock.now());
  if (next.roundDate !== roundDate) throw new AppError('conflict', 'That round is not the next one any more. Open App Home again to see the next round.');
}

/** Skip this round: the round leaves the person out (and says they skipped). Idempotent. */
export function skipRound(deps: ServiceDeps, teamId: string, userId: string, channelId: string, roundDate: string, fallbackZone: string): void {
  deps.db.transaction(() => {
    requireUpcomingRound(deps, teamId, channelId, roundDate, fallbackZone);
    deps.db
      .insert(matchRoundPeople)
      .values({ teamId, channelId, roundDate, userId, state: 'skipping', reason: 'chosen', at: deps.clock.now() })
      .onConflictDoNothing()
      .run();
  });
}

/** Changed their mind: back in the coming round. Idempotent. */
export function unskipRound(deps: ServiceDeps, teamId: string, userId: string, channelId: string, roundDate: string, fallbackZone: string): void {
  deps.db.transaction(() => {
    requireUpcomingRound(deps, teamId, channelId, roundDate, fallbackZone);
    deps.db
      .delete(matchRoundPeople)
      .where(
        and(
          eq(matchRoundPeople.teamId, teamId),
          eq(matchRoundPeople.channelId, channelId),
          eq(matchRoundPeople.roundDate, roundDate),
          eq(matchRoundPeople.userId, userId),
          eq(matchRoundPeople.state, 'skipping'),
        ),
      )
      .run();
  });
}

/** Ends a pause (Peerloop's after unanswered rounds, or one the person chose). Returns whether there was one. */
export function resumeMatching(deps: ServiceDeps, teamId: string, userId: string): boolean {
  const res = deps.db
    .update(profiles)
    .set({ pausedUntil: null, pauseReason: null, updatedAt: deps.clock.now() })
    .where(and(eq(profiles.teamId, teamId), eq(profiles.userId, userId), isNotNull(profiles.pausedUntil)))
    .run();
  return res.changes === 1;
}

/** A person's pause in force at `at` (ended pauses are none), for App Home. */
export function getMatchingPause(deps: ServiceDeps, teamId: string, userId: string): { until: number; reason: 'chosen' | 'no_answers' | null } | undefined {
  const row = deps.db
    .select({ pausedUntil: profiles.pausedUntil, pauseReason: profiles.pauseReason })
    .from(profiles)
    .where(and(eq(profiles.teamId, teamId), eq(profiles.userId, userId)))
    .get();
  if (row?.pausedUntil == null || row.pausedUntil <= deps.clock.now()) return undefined;
  return { until: row.pausedUntil, reason: row.pauseReason };
}
