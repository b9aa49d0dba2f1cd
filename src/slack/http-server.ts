import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';

/** A path the server answers itself (health, calendars), outside Slack's events endpoint. */
export interface Route {
  /** The path's segments, e.g. ['calendar', ':token', ':file']; `:name` captures one segment. */
  segments: readonly string[];
  handle(req: IncomingMessage, res: ServerResponse, params: Readonly<Record<string, string>>): void;
}

/** Bytes of an oversized upload we read and discard so the client can see our 413. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/** How long shutdown waits for requests in progress before closing their connections anyway. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Keep-alive idle time, longer than the 60 s idle timeout of common load balancers (AWS ALB's
 * default): the balancer then closes first and never sends a request on a connection we are
 * closing, which it would answer with a sporadic 502.
 */
const KEEP_ALIVE_MS = 65_000;

export interface HttpServerOptions {
  /** Our own routes (/healthz, calendars); answers and returns true when it served the request. */
  routes: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Bolt's request listener (HTTP mode), for everything the routes do not serve. */
  bolt?: (req: IncomingMessage, res: ServerResponse) => void;
  logger: Logger;
}

export interface PeerloopServer {
  server: Server;
  /**
   * Stops taking requests and resolves once those in progress have finished (at most
   * SHUTDOWN_GRACE_MS, then their connections are closed). Requests that still arrive on an open
   * keep-alive connection are answered with `Connection: close`, and every connection is closed
   * as soon as it goes idle, so a busy client cannot keep the process alive.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The HTTP server in front of our routes and Bolt's request listener. Bolt answers 413 for an
 * oversized body but leaves the rest of the upload unread, so the client sees a reset instead of
 * the answer; here whatever a response left unread is drained (up to a bound), and requests
 * nobody routes get a plain 404.
 */
export function createHttpServer(options: HttpServerOptions): PeerloopServer {
  const { routes, bolt, logger } = options;
  let stopping = false;
  // Responses not yet finished: when shutdown begins, those whose headers are not out yet are
  // told to close their connection after them.
  const unfinished = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    unfinished.add(res);
    res.on('close', () => unfinished.delete(res));
    res.on('finish', () => {
      drainUnread(req);
      // During shutdown a connection is closed as soon as its last response is out.
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    if (stopping) res.setHeader('connection', 'close');
    try {
      if (routes(req, res)) return;
      if (bolt === undefined) {
        notFound(res);
        return;
      }
      bolt(req, res);
    } catch (error) {
      // Bolt throws HTTPReceiverDeferredRequestError for paths it does not serve. The path is not
      // logged: a calendar URL carries its secret token.
      if ((error as { code?: string }).code !== 'slack_bolt_http_receiver_deferred_request_error') {
        logger.error({ err: error, method: req.method }, 'request listener failed');
      }
      if (!res.headersSent) notFound(res);
    }
  });
  // Slack retries after 3 s; a connection idle longer than this is not Slack.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return {
    server,
    close(graceMs = SHUTDOWN_GRACE_MS) {
      stopping = true;
      for (const res of unfinished) if (!res.headersSent) res.setHeader('connection', 'close');
      return new Promise((resolve) => {
        const deadline = setTimeout(() => {
          logger.warn({ graceMs }, 'requests still open at the shutdown deadline; closing their connections');
          server.closeAllConnections();
        }, graceMs);
        deadline.unref();
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: false, error: 'not_found' }));
}

function drainUnread(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const refuse = (error: unknown) => reject(listenError(error, port));
    server.once('error', refuse);
    server.listen(port, () => {
      server.off('error', refuse);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/**
 * A port that cannot be had is a setting to fix, said in one line (main.ts prints AppErrors as
 * such); anything else stays the error it was.
 */
export function listenError(error: unknown, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new AppError('config_invalid', `PORT ${port} is already in use by another program: stop that program, or set PORT to a free port.`, { cause: error });
  if (code === 'EACCES') return new AppError('config_invalid', `PORT ${port} needs privileges this user does not have: pick a port above 1023.`, { cause: error });
  return error;
}
