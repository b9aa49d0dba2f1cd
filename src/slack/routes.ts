import type { IncomingMessage, ServerResponse } from 'node:http';
import { calendarRoutes } from './calendar-routes.js';
import type { AppDeps } from '../deps.js';
import type { Route } from './http-server.js';

/*
 * The plain HTTP routes Peerloop serves beside Slack's /slack/events: /healthz and the calendar
 * files, routed in front of Bolt and in both modes (in Socket Mode there is no Bolt HTTP server
 * at all).
 */
const METHODS = new Set(['GET', 'HEAD']);

export interface ServerState {
  /** True once shutdown has begun: /healthz then answers 503 so a load balancer drains us. */
  stopping(): boolean;
  /** Socket Mode only: whether a connection to Slack is open (nothing can arrive without one). */
  socketConnected?(): boolean;
}

/** GET or HEAD /healthz: 200 only when a real query against the database file succeeds. */
export function healthRoute(deps: AppDeps, state: ServerState): Route {
  return {
    segments: ['healthz'],
    handle: (req, res) => {
      const error = state.stopping()
        ? 'shutting_down'
        : !deps.database.isHealthy()
          ? 'database_unavailable'
          : state.socketConnected?.() === false
            ? 'socket_disconnected'
            : undefined;
      const body = JSON.stringify(error === undefined ? { ok: true } : { ok: false, error });
      res.writeHead(error === undefined ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i]!;
    const got = segments[i]!;
    if (want.startsWith(':')) params[want.slice(1)] = got;
    else if (want !== got) return undefined;
  }
  return params;
}

/**
 * Returns a request handler that answers the routes and says whether it did; anything else
 * (POST /slack/events in HTTP mode) is left to the caller. GET and HEAD only; another method on
 * a known path gets 405. Paths are matched on their raw segments: nothing is URL-decoded, so a
 * malformed escape such as `%zz` is just a path that matches nothing (Bolt's path-to-regexp
 * routing throws on it, and in Socket Mode that left the connection hanging).
 */
export function createRoutes(deps: AppDeps, state: ServerState): (req: IncomingMessage, res: ServerResponse) => boolean {
  const routes = [healthRoute(deps, state), ...calendarRoutes(deps)];
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const segments = path.split('/').slice(1);
    for (const route of routes) {
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      if (!METHODS.has(req.method ?? '')) {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        res.end('Method not allowed\n');
        return true;
      }
      route.handle(req, res, params);
      return true;
    }
    return false;
  };
}
