import type { CustomRoute } from '@slack/bolt';
import { calendarRoutes } from './calendar-routes.js';
import type { AppDeps } from './deps.js';

/** GET /healthz: 200 only when a real query against the database file succeeds. */
export function healthRoute(deps: AppDeps): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      const ok = deps.database.isHealthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(ok ? { ok: true } : { ok: false, error: 'database_unavailable' }));
    },
  };
}

/** Extra HTTP routes the app serves beside /slack/events. */
export function createRoutes(deps: AppDeps): CustomRoute[] {
  return [healthRoute(deps), ...calendarRoutes(deps)];
}
