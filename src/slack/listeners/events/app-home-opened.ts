import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { refreshHome } from '../../home.js';

/** app_home_opened: publish the Home tab. The Messages and About tabs are Slack's own. */
export function createAppHomeOpenedListener(deps: AppDeps) {
  return async ({ body, event }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== 'home') return;
    await refreshHome(deps, body.team_id, event.user);
  };
}
