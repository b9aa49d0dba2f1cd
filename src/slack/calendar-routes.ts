import type { ServerResponse } from 'node:http';
import { buildFeedForToken, buildSessionIcsForToken, sessionIcsFilename } from '../services/calendar.js';
import { serviceDeps, type AppDeps } from '../deps.js';
import type { Route } from './http-server.js';

/** `<token>.ics`: the token is 43 base64url characters (see services/calendar.ts). */
const FEED_FILE = /^([A-Za-z0-9_-]{43})\.ics$/;
const SESSION_FILE = /^session-([1-9][0-9]{0,8})\.ics$/;

function sendCalendar(res: ServerResponse, method: string | undefined, body: string, filename: string): void {
  res.writeHead(200, {
    'content-type': 'text/calendar; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}"`,
    // The URL is the secret: keep it out of shared caches, referrers and search engines.
    'cache-control': 'private, max-age=300',
    'referrer-policy': 'no-referrer',
    'x-robots-tag': 'noindex',
    'content-length': Buffer.byteLength(body, 'utf8'),
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/** One answer for every miss (bad token, other workspace's session, unknown number): nothing leaks. */
function sendNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end('Not found\n');
}

/**
 * GET /calendar/<token>.ics (the workspace feed) and GET /calendar/<token>/session-<n>.ics
 * (one session). Always served; the URLs are only shown when PUBLIC_URL is set.
 */
export function calendarRoutes(deps: AppDeps): Route[] {
  const handle = (res: ServerResponse, method: string | undefined, build: () => { body: string; filename: string } | undefined) => {
    try {
      const found = build();
      if (found === undefined) sendNotFound(res);
      else sendCalendar(res, method, found.body, found.filename);
    } catch (error) {
      deps.logger.error({ err: error }, 'calendar route failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal error\n');
      }
    }
  };
  return [
    {
      segments: ['calendar', ':file'],
      handle: (req, res, params) =>
        handle(res, req.method, () => {
          const token = FEED_FILE.exec(params.file ?? '')?.[1];
          if (token === undefined) return undefined;
          const body = buildFeedForToken(serviceDeps(deps), token);
          return body === undefined ? undefined : { body, filename: 'peerloop-sessions.ics' };
        }),
    },
    {
      segments: ['calendar', ':token', ':file'],
      handle: (req, res, params) =>
        handle(res, req.method, () => {
          const number = SESSION_FILE.exec(params.file ?? '')?.[1];
          if (number === undefined) return undefined;
          const body = buildSessionIcsForToken(serviceDeps(deps), params.token ?? '', Number(number));
          return body === undefined ? undefined : { body, filename: sessionIcsFilename(Number(number)) };
        }),
    },
  ];
}
