import type { Logger as BoltLogger, SocketModeReceiver } from '@slack/bolt';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';

/**
 * Watches over the Socket Mode connection of Bolt's SocketModeReceiver (@slack/socket-mode 3.1):
 *
 * - Slack refreshes each connection every few hours with `{"type":"disconnect","reason":
 *   "refresh_requested"}` (preceded at times by reason `warning`) and expects the app to open a
 *   new connection before the old one goes. The SDK instead closes the old one first and waits
 *   5 s before reconnecting, so commands and clicks sent meanwhile fail. Here the new connection
 *   is opened first, and the old one closed once Slack has said hello on the new one.
 * - It says what the connection is doing (connected, refreshed, lost, still down after a while,
 *   back) in the log, and tells /healthz whether a connection is open.
 *
 * The SDK keeps its socket and its URL request private; they are reached through the narrow
 * `SocketInternals` view below, and test/e2e/socket-lifecycle.test.ts pins the behaviour, so an
 * SDK upgrade that changes them fails there first.
 */

export const SOCKET_OUTAGE_WARN_MS = 15_000;
/** How long a refresh waits for Slack's hello on the new connection before falling back to the SDK's reconnect. */
const REFRESH_HELLO_TIMEOUT_MS = 10_000;

export const SocketMessages = {
  connected: 'Socket Mode connected',
  refreshed: 'Slack asked for a refresh; opened a new connection before closing the old',
  refreshFailed: 'Slack asked for a refresh, but a new connection could not be opened; reconnecting the usual way',
  lost: 'Socket Mode connection lost; reconnecting',
  reconnecting: 'Socket Mode reconnecting',
  reconnected: 'Socket Mode reconnected',
  stillDown: (seconds: number) => `Socket Mode has been disconnected for ${seconds} s; still reconnecting. Check that this machine can reach Slack (SLACK_API_URL and wss://wss-primary.slack.com).`,
} as const;

/** The parts of SlackWebSocket (not exported by @slack/socket-mode) that a refresh needs. */
interface SlackWebSocketLike {
  connect(): void;
  disconnect(): void;
  isActive(): boolean;
  options: Record<string, unknown>;
  logger: unknown;
}

interface SocketInternals {
  websocket?: SlackWebSocketLike;
  reconnectionTimer?: NodeJS.Timeout;
  retrieveWSSURL(): Promise<string>;
  onWebSocketMessage(data: string | ArrayBuffer, isBinary: boolean): Promise<void>;
  send(envelopeId: string, body?: Record<string, unknown>): Promise<void>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  removeAllListeners(event: string): unknown;
}

export interface SocketSupervisorOptions {
  logger: Logger;
  clock: Clock;
  /** After how long without a connection a warning says so (default SOCKET_OUTAGE_WARN_MS). */
  outageWarnMs?: number;
  /**
   * Checks each message before the SDK reads it; returns the envelope_id to acknowledge with
   * nothing done instead of dispatching (request-guard.ts createEnvelopeScreen).
   */
  screenEnvelope?: (message: string) => string | undefined;
}

export interface SocketSupervisor {
  /** True while a Socket Mode connection is open (for /healthz). */
  connected(): boolean;
  /** Shutdown is closing the connection on purpose: not an outage to report. */
  stopping(): void;
}

export function superviseSocketMode(receiver: SocketModeReceiver, options: SocketSupervisorOptions): SocketSupervisor {
  const { logger, clock } = options;
  const outageWarnMs = options.outageWarnMs ?? SOCKET_OUTAGE_WARN_MS;
  const client = receiver.client as unknown as SocketInternals;
  let isConnected = false;
  let everConnected = false;
  let stopping = false;
  let refreshing = false;
  let lostAt: number | undefined;
  let outageTimer: NodeJS.Timeout | undefined;

  const clearOutageTimer = () => {
    clearTimeout(outageTimer);
    outageTimer = undefined;
  };

  client.on('connected', () => {
    isConnected = true;
    if (refreshing) return; // the refresh says it itself
    if (!everConnected) logger.info(SocketMessages.connected);
    else if (lostAt !== undefined) logger.info({ downForMs: clock.now() - lostAt }, SocketMessages.reconnected);
    everConnected = true;
    lostAt = undefined;
    clearOutageTimer();
  });

  client.on('reconnecting', () => {
    if (!stopping) logger.info(SocketMessages.reconnecting);
  });

  // The SDK emits `close` whenever one of its sockets is cleaned up; during a refresh the old one
  // closes while the new one is open, which is no outage.
  client.on('close', () => {
    if (client.websocket?.isActive() === true) return;
    isConnected = false;
    if (stopping || !everConnected || lostAt !== undefined) return;
    lostAt = clock.now();
    logger.warn(SocketMessages.lost);
    outageTimer = setTimeout(() => {
      if (!isConnected && !stopping) logger.warn({ downForMs: clock.now() - (lostAt ?? clock.now()) }, SocketMessages.stillDown(Math.round(outageWarnMs / 100) / 10));
    }, outageWarnMs);
    outageTimer.unref();
  });

  // Every message from Slack passes here first: a refresh is handled by opening the new
  // connection first; everything else goes to the SDK as before.
  client.removeAllListeners('ws_message');
  client.on('ws_message', (data: string | ArrayBuffer, isBinary: boolean) => {
    const reason = refreshReason(data, isBinary);
    if (reason !== undefined) {
      void refresh(reason);
      return;
    }
    const refused = isBinary ? undefined : options.screenEnvelope?.(typeof data === 'string' ? data : new TextDecoder().decode(data));
    if (refused !== undefined) {
      client.send(refused).catch((error: unknown) => logger.warn({ err: error }, 'could not acknowledge a refused Socket Mode envelope'));
      return;
    }
    // The SDK's handler is async and reads the payload unchecked: a failure is logged, not left unhandled.
    client.onWebSocketMessage(data, isBinary).catch((error: unknown) => logger.error({ err: error }, 'the Socket Mode SDK failed on a message'));
  });

  async function refresh(reason: string): Promise<void> {
    // A `warning` and then `refresh_requested` on the same connection, or either one on the
    // connection being replaced: one new connection is enough.
    if (refreshing || stopping) return;
    const old = client.websocket;
    if (old === undefined) return;
    refreshing = true;
    let next: SlackWebSocketLike | undefined;
    try {
      const url = await client.retrieveWSSURL();
      const SlackWebSocket = old.constructor as new (options: Record<string, unknown>) => SlackWebSocketLike;
      next = new SlackWebSocket({ ...old.options, url, logger: old.logger });
      const hello = waitForHello(client, REFRESH_HELLO_TIMEOUT_MS);
      next.connect();
      await hello;
      if (stopping) {
        next.disconnect();
        return;
      }
      // Acks now go out on the new connection; the old one is closed after the switch, so its
      // `close` finds an open connection and the SDK does not reconnect.
      client.websocket = next;
      // If Slack closed the old one before the new one was ready, the SDK has a reconnect
      // queued: the new connection makes it unnecessary (it would open a third).
      clearTimeout(client.reconnectionTimer);
      client.reconnectionTimer = undefined;
      old.disconnect();
      logger.info({ reason }, SocketMessages.refreshed);
    } catch (error) {
      next?.disconnect();
      logger.warn({ reason, err: error }, SocketMessages.refreshFailed);
      old.disconnect();
    } finally {
      refreshing = false;
      if (client.websocket?.isActive() === true) {
        isConnected = true;
        everConnected = true;
        // Slack closed the old connection before the new one was ready: that short outage is over.
        if (lostAt !== undefined) logger.info({ downForMs: clock.now() - lostAt }, SocketMessages.reconnected);
        lostAt = undefined;
        clearOutageTimer();
      }
    }
  }

  return {
    connected: () => isConnected,
    stopping: () => {
      stopping = true;
      clearOutageTimer();
    },
  };
}

/** `refresh_requested` or `warning` for a Slack `disconnect` message; undefined for anything else. */
function refreshReason(data: string | ArrayBuffer, isBinary: boolean): string | undefined {
  if (isBinary) return undefined;
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  // Cheap test first: every envelope passes here.
  if (!text.includes('"disconnect"')) return undefined;
  try {
    const message = JSON.parse(text) as { type?: unknown; reason?: unknown };
    if (message.type === 'disconnect' && (message.reason === 'refresh_requested' || message.reason === 'warning')) return message.reason;
  } catch {
    // Not JSON: the SDK decides what to do with it.
  }
  return undefined;
}

function waitForHello(client: SocketInternals, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onHello = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('connected', onHello);
      reject(new Error(`no hello on the new connection within ${ms / 1000} s`));
    }, ms);
    timer.unref();
    client.once('connected', onHello);
  });
}

/**
 * The SDK logs a dropped connection as two error lines with no detail ("WebSocket error
 * occurred: " and "WebSocket error! SMWebsocketError"); the supervisor's warn line says what
 * happened instead, so those are kept at debug.
 */
export function socketModeLogger(logger: BoltLogger): BoltLogger {
  const detailless = /^WebSocket error( occurred: ?|! SMWebsocketError:? ?)$/;
  return {
    ...logger,
    error: (...msg: unknown[]) => {
      const text = msg.map(String).join(' ');
      if (detailless.test(text)) logger.debug(...msg);
      else logger.error(...msg);
    },
    // Spread copies the methods; these must stay bound to the original.
    debug: (...msg: unknown[]) => logger.debug(...msg),
    info: (...msg: unknown[]) => logger.info(...msg),
    warn: (...msg: unknown[]) => logger.warn(...msg),
    setLevel: (level) => logger.setLevel(level),
    getLevel: () => logger.getLevel(),
    setName: (name) => logger.setName(name),
  };
}
