import type { ViewsPublishArguments } from '@slack/web-api';
import { getHomeData } from '../services/home.js';
import { getMember, memberTimeZone } from '../services/members.js';
import { getWorkspace } from '../services/workspaces.js';
import { buildHomeView } from './blocks/home.js';
import { serviceDeps, type AppDeps } from './deps.js';

/**
 * Publishes a person's App Home from the database. Called when they open the tab, and (fire and
 * forget) after they join, leave or cancel, so the tab is current the next time they look.
 * Never throws: a stale Home is not worth failing the click that triggered it.
 */
export async function refreshHome(deps: AppDeps, teamId: string, userId: string): Promise<void> {
  try {
    const svc = serviceDeps(deps);
    const member = getMember(svc, teamId, userId);
    const zone = memberTimeZone(member, getWorkspace(svc, teamId)?.timeZone ?? deps.config.defaultTimeZone);
    const view = buildHomeView({ userId, timeZone: zone, data: getHomeData(svc, teamId, userId), optedOut: member?.optedOut ?? false });
    // Builders emit plain JSON (checked against Block Kit limits in tests), not the SDK's block unions.
    await deps.messenger.publishHome(teamId, { user_id: userId, view: view as unknown as ViewsPublishArguments['view'] });
  } catch (error) {
    deps.logger.warn({ err: error, teamId, userId }, 'App Home not published');
  }
}
