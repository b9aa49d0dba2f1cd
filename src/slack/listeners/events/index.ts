import type { AppDeps } from '../../../deps.js';
import { createRoutingTable, type EventArgs, type Route } from '../dispatch.js';
import { createAppHomeOpenedListener } from './app-home-opened.js';
import { createUninstallListener } from './app-uninstalled.js';

/** Every Events API listener, filed by event type (manifest.yml subscribes to exactly these). */
export function eventRoutes(deps: AppDeps): Route<EventArgs>[] {
  const uninstall = createUninstallListener(deps);
  return [
    { id: 'app_uninstalled', handler: uninstall },
    { id: 'tokens_revoked', handler: uninstall },
    { id: 'app_home_opened', handler: createAppHomeOpenedListener(deps) },
  ];
}

/** Events API payloads, dispatched by event type. Bolt acknowledges events itself. */
export function createEventListener(deps: AppDeps): (args: EventArgs) => Promise<void> {
  const routes = createRoutingTable(eventRoutes(deps));
  return async (args) => {
    await routes.find(args.event.type)?.(args);
  };
}
