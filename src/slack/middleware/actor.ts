import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { ensureWorkspace } from '../../services/workspaces.js';
import { chooseZone, getMember, isAdmin, isProfileStale, upsertMember, type MemberProfile } from '../../services/members.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import type { Actor } from '../actor.js';
import { refreshProfile } from '../flows/people.js';

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v !== '');
}

/**
 * Team and user of any payload Slack sends (slash command, interaction or event). The team is
 * the workspace the payload belongs to, in Bolt's own order (App.js buildSource): the
 * installation the event was delivered for, the command's workspace, the workspace a modal was
 * opened from, the workspace whose message was clicked, and only then the clicker's own
 * workspace. In a Slack Connect or Grid shared channel `user.team_id` is the clicker's home
 * workspace, not the one whose card they clicked, so it must come last: a Join on workspace A's
 * card #1 means A's session #1.
 */
export function payloadIdentity(body: unknown): { teamId: string; userId: string | undefined; teamName: string | undefined } | undefined {
  const teamId = firstString(
    field(body, 'authorizations', '0', 'team_id'),
    field(body, 'team_id'),
    field(body, 'view', 'app_installed_team_id'),
    field(body, 'team', 'id'),
    field(body, 'user', 'team_id'),
    field(body, 'view', 'team_id'),
  );
  if (teamId === undefined) return undefined;
  const userId = firstString(field(body, 'user_id'), field(body, 'user', 'id'), field(body, 'event', 'user'), field(body, 'event', 'user', 'id'));
  return { teamId, userId, teamName: firstString(field(body, 'team_domain'), field(body, 'team', 'domain')) };
}

/**
 * Resolves the acting person before any listener runs: the workspace row, the member row and
 * their zone and admin rights. Listeners read `context.actor`.
 *
 * Nothing here may make the ack late (Slack gives 3 s, and a late ack is an error the person
 * sees even though the command ran): a known person is served from their stored profile and, at
 * most once a day, users.info refreshes it after the listener has answered. Only a first
 * contact asks Slack before the listener runs, once and briefly (QUICK_CALL_TIMEOUT_MS); if
 * that does not answer the person is recorded without a profile (times then show in the
 * workspace's zone) and it is asked again, patiently, after the reply.
 */
export function createActorMiddleware(deps: AppDeps): Middleware<AnyMiddlewareArgs> {
  const services = serviceDeps(deps);
  return async ({ body, context, next }) => {
    const identity = payloadIdentity(body);
    // Events about the workspace itself (app_uninstalled) have no acting person.
    if (identity?.userId === undefined || field(body, 'event', 'type') === 'app_uninstalled' || field(body, 'event', 'type') === 'tokens_revoked') {
      await next();
      return;
    }
    const { teamId, userId } = identity;
    const workspace = ensureWorkspace(services, teamId, { timeZone: deps.config.defaultTimeZone, name: identity.teamName });
    let member = getMember(services, teamId, userId);
    let refreshAfter = member !== undefined && isProfileStale(services, member);
    if (member === undefined) {
      let profile: MemberProfile | undefined;
      try {
        profile = await deps.messenger.fetchProfile(teamId, userId, { quick: true });
      } catch (error) {
        deps.logger.warn({ teamId, userId, err: error }, 'users.info did not answer in time on first contact; continuing without a profile');
        refreshAfter = true;
      }
      member = upsertMember(services, teamId, userId, profile);
    }
    const actor: Actor = {
      teamId,
      userId,
      member,
      workspace,
      // Validated: a zone this runtime does not know would throw deep in the date maths.
      timeZone: chooseZone(member.timeZone, workspace.timeZone, deps.config.defaultTimeZone),
      isAdmin: isAdmin(member, deps.config.admins),
    };
    context.actor = actor;
    await next();
    if (refreshAfter) await refreshProfile(deps, teamId, userId);
  };
}
