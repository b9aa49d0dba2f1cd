import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';

/** Bytes of an oversized upload we read and discard so the client can see our 413. */
const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * The HTTP server in front of Bolt's request listener. Bolt answers 413 for an oversized body
 * but leaves the rest of the upload unread, so the client sees a reset instead of the answer;
 * here whatever a response left unread is drained (up to a bound), and requests Bolt does not
 * route get a plain 404.
 */
export function createHttpServer(listener: (req: IncomingMessage, res: ServerResponse) => void, logger: Logger): Server {
  const server = createServer((req, res) => {
    res.on('finish', () => drainUnread(req));
    try {
      listener(req, res);
    } catch (error) {
      // Bolt throws HTTPReceiverDeferredRequestError for paths it does not serve.
      if ((error as { code?: string }).code !== 'slack_bolt_http_receiver_deferred_request_error') {
        logger.error({ err: error, path: req.url }, 'request listener failed');
      }
      if (!res.headersSent) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'not_found' }));
      }
    }
  });
  // Slack retries after 3 s; a connection idle longer than this is not Slack.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  return server;
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

/** Stops accepting connections and resolves once the ones in progress have finished. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
