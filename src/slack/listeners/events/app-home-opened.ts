import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../../deps.js';
import { refreshHome } from '../../flows/home.js';
import { requireActor } from '../../actor.js';

/** app_home_opened: publish the Home tab. The Messages and About tabs are Slack's own. */
export function createAppHomeOpenedListener(deps: AppDeps) {
  return async ({ event, context }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== 'home') return;
    // The workspace the actor middleware resolved, so Home and every other reply agree on it.
    await refreshHome(deps, requireActor(context).teamId, event.user);
  };
}
