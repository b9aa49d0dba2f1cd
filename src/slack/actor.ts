import type { Member } from '../services/members.js';
import type { Workspace } from '../services/workspaces.js';

/** Who is acting, resolved once per request by the actor middleware. */
export interface Actor {
  teamId: string;
  userId: string;
  member: Member;
  workspace: Workspace;
  /** The zone to show this person times in (their Slack zone, else the workspace's). */
  timeZone: string;
  isAdmin: boolean;
}

/** The actor the middleware resolved; listeners for people-facing payloads can rely on it. */
export function requireActor(context: Record<string, unknown>): Actor {
  const actor = context.actor as Actor | undefined;
  if (actor === undefined) throw new Error('actor middleware did not run for this payload');
  return actor;
}
