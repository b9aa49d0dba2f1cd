import { getHomeData } from '../../services/home.js';
import { getSkillsProfile } from '../../services/skills.js';
import { resolvePersonZone, getMember, setOptedOut } from '../../services/members.js';
import { serviceDeps, type AppDeps } from '../../deps.js';
import { buildHomeView } from '../blocks/home.js';
import { getMatchingPause, getNextRoundFor } from '../../services/match-participation.js';
import { PAUSED_UNTIL_RESUMED } from '../../services/match-people.js';
import { buildNextRoundBlocks } from '../blocks/next-round.js';
import { followUps } from '../follow-ups.js';
import type { Actor } from '../actor.js';

/**
 * App Home: published from the database when someone opens it, and again after what they did
 * changes it.
 *
 * A flow (src/slack/flows/) is what a listener or a job sets going in Slack: it calls services
 * and the messenger and renders with blocks; it never imports a listener or a job.
 */

/**
 * Publishes a person's App Home from the database. Called when they open the tab, and (fire and
 * forget) after they join, leave or cancel, so the tab is current the next time they look.
 * Never throws: a stale Home is not worth failing the click that triggered it.
 */
export async function refreshHome(deps: AppDeps, teamId: string, userId: string): Promise<void> {
  try {
    const svc = serviceDeps(deps);
    const member = getMember(svc, teamId, userId);
    const zone = resolvePersonZone(svc, teamId, userId, deps.config.defaultTimeZone);
    const pause = getMatchingPause(svc, teamId, userId);
    const matching = buildNextRoundBlocks({
      next: getNextRoundFor(svc, teamId, userId, deps.config.defaultTimeZone),
      pause: pause === undefined ? undefined : { ...pause, untilResumed: pause.until >= PAUSED_UNTIL_RESUMED },
      timeZone: zone,
    });
    const view = buildHomeView({
      userId,
      timeZone: zone,
      data: getHomeData(svc, teamId, userId),
      optedOut: member?.optedOut ?? false,
      profile: getSkillsProfile(svc, teamId, userId),
      now: deps.clock.now(),
      matching,
    });
    await deps.messenger.publishHome(teamId, { user_id: userId, view });
  } catch (error) {
    deps.logger.warn({ err: error, teamId, userId }, 'App Home not published');
  }
}

/**
 * Turns a person's DMs off (or back on), from `/peer optout|optin` or the App Home toggle. Home
 * is republished fire and forget: it shows the new state next time, and refreshHome never throws.
 */
export function setDmPreference(deps: AppDeps, actor: Pick<Actor, 'teamId' | 'userId'>, optedOut: boolean): void {
  setOptedOut(serviceDeps(deps), actor.teamId, actor.userId, optedOut);
  deps.logger.info({ teamId: actor.teamId, userId: actor.userId, optedOut }, 'opt-out changed');
  void refreshHome(deps, actor.teamId, actor.userId);
}

/**
 * Re-publishes a person's App Home (refreshHome) in the app's Home lane (follow-ups.ts), after
 * the replies and card updates waiting meanwhile: several clicks in a row become one publish.
 */
export function queueHomeRefresh(deps: AppDeps, teamId: string, userId: string): Promise<void> {
  return followUps(deps, deps.logger, 'home').run(`home:${teamId}:${userId}`, () => refreshHome(deps, teamId, userId));
}
