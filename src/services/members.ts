import { and, eq, sql } from 'drizzle-orm';
import { preparedPerDb } from '../db/prepared.js';
import { members } from '../db/schema.js';
import { isValidTimeZone } from '../time-zones.js';
import type { ServiceDeps } from './context.js';
import { getWorkspace } from './workspaces.js';

export type Member = typeof members.$inferSelect;

/** What Slack's users.info told us about a person, reduced to what Peerloop keeps. */
export interface MemberProfile {
  name: string | null;
  timeZone: string | null;
  isSlackAdmin: boolean;
}

/** Profiles are re-read from Slack after a day so renamed people and moved zones catch up. */
export const PROFILE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

// Read on every request by the actor middleware.
const selectMember = preparedPerDb((db) =>
  db
    .select()
    .from(members)
    .where(and(eq(members.teamId, sql.placeholder('teamId')), eq(members.userId, sql.placeholder('userId'))))
    .prepare(),
);

export function getMember(deps: ServiceDeps, teamId: string, userId: string): Member | undefined {
  return selectMember(deps.db).get({ teamId, userId });
}

export function isProfileStale(deps: ServiceDeps, member: Member | undefined): boolean {
  return member?.profileFetchedAt == null || deps.clock.now() - member.profileFetchedAt > PROFILE_MAX_AGE_MS;
}

/**
 * Records a person the first time they interact and refreshes their profile when one is given.
 * A missing profile (users.info failed) still records the person, so they are never blocked.
 */
export function upsertMember(deps: ServiceDeps, teamId: string, userId: string, profile: MemberProfile | undefined): Member {
  const now = deps.clock.now();
  const fields = profile === undefined ? {} : { ...profile, profileFetchedAt: now };
  deps.db
    .insert(members)
    .values({ teamId, userId, firstSeenAt: now, ...fields })
    .onConflictDoUpdate({ target: [members.teamId, members.userId], set: profile === undefined ? { teamId } : fields })
    .run();
  return getMember(deps, teamId, userId)!;
}

/** Admins are Slack admins/owners, or people named in PEERLOOP_ADMINS. */
export function isAdmin(member: Pick<Member, 'userId' | 'isSlackAdmin'> | undefined, extraAdmins: readonly string[]): boolean {
  if (member === undefined) return false;
  return member.isSlackAdmin || extraAdmins.includes(member.userId);
}

function isKnownZone(zone: string | null | undefined): zone is string {
  return zone != null && isValidTimeZone(zone);
}

/**
 * The first zone of member, workspace, fallback that the runtime knows. A zone Slack sent (or an
 * admin saved) that this Node's Intl does not know would otherwise throw deep in the date maths.
 * For callers that already hold both zones (the weekly planner reads them in one query).
 */
export function chooseZone(memberZone: string | null | undefined, workspaceZone: string | null | undefined, fallbackZone: string): string {
  if (isKnownZone(memberZone)) return memberZone;
  if (isKnownZone(workspaceZone)) return workspaceZone;
  return fallbackZone;
}

/** The zone to show a workspace-wide message (a channel post) in: the workspace's, else the fallback. */
export function resolveWorkspaceZone(deps: ServiceDeps, teamId: string, fallbackZone: string): string {
  return chooseZone(undefined, getWorkspace(deps, teamId)?.timeZone, fallbackZone);
}

/** The zone to show this person times in: their Slack zone, else the workspace's, else the fallback. */
export function resolvePersonZone(deps: ServiceDeps, teamId: string, userId: string, fallbackZone: string): string {
  return chooseZone(getMember(deps, teamId, userId)?.timeZone, getWorkspace(deps, teamId)?.timeZone, fallbackZone);
}

export function setOptedOut(deps: ServiceDeps, teamId: string, userId: string, optedOut: boolean): void {
  deps.db
    .update(members)
    .set({ optedOut })
    .where(and(eq(members.teamId, teamId), eq(members.userId, userId)))
    .run();
}

/**
 * The bot's DM channel with each person, kept on their member row so that after a restart a
 * reminder does not first ask Slack for it again (conversations.open is rate-limited per
 * workspace, and a busy minute after a deploy would otherwise spend it on every person).
 * People Peerloop has no row for are simply not remembered.
 */
export interface DmChannelStore {
  get(teamId: string, userId: string): string | undefined;
  set(teamId: string, userId: string, channelId: string | null): void;
}

const selectDmChannel = preparedPerDb((db) =>
  db
    .select({ channel: members.dmChannelId })
    .from(members)
    .where(and(eq(members.teamId, sql.placeholder('teamId')), eq(members.userId, sql.placeholder('userId'))))
    .prepare(),
);

export function memberDmChannels(deps: ServiceDeps): DmChannelStore {
  return {
    get: (teamId, userId) => selectDmChannel(deps.db).get({ teamId, userId })?.channel ?? undefined,
    set: (teamId, userId, channelId) => {
      deps.db
        .update(members)
        .set({ dmChannelId: channelId })
        .where(and(eq(members.teamId, teamId), eq(members.userId, userId)))
        .run();
    },
  };
}

/** Everyone's stored display name (members Slack never named are left out), for text without Slack: `npm run report`. */
export function listMemberNames(deps: ServiceDeps, teamId: string): Map<string, string> {
  const rows = deps.db.select({ userId: members.userId, name: members.name }).from(members).where(eq(members.teamId, teamId)).all();
  return new Map(rows.flatMap((r) => (r.name === null || r.name.trim() === '' ? [] : [[r.userId, r.name] as const])));
}
