import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { App, HTTPReceiver, SocketModeReceiver, type Authorize } from '@slack/bolt';
import { toBoltLogger } from './logger.js';
import type { AppDeps } from './deps.js';
import { AppError } from './errors.js';
import { createHttpServer, listen, SHUTDOWN_GRACE_MS, type PeerloopServer } from './slack/http-server.js';
import { createPayloadRouter } from './slack/listeners/index.js';
import { createActorMiddleware } from './slack/middleware/actor.js';
import type { Messenger } from './slack/messenger.js';
import { createRoutes } from './slack/routes.js';
import { createEnvelopeScreen, guardSlackRequests } from './slack/request-guard.js';
import { createSignatureHint } from './slack/signature-hint.js';
import { socketModeLogger, superviseSocketMode, type SocketSupervisor } from './slack/socket-connection.js';

/** Slack payloads are a few KB; anything near this is not from Slack and is refused with 413. */
export const BODY_LIMIT_BYTES = 512 * 1024;
export const EVENTS_PATH = '/slack/events';
/** How long a first Socket Mode connection may take before start-up gives up with one line. */
export const SOCKET_CONNECT_DEADLINE_MS = 30_000;

export interface PeerloopApp {
  bolt: App;
  /** Starts listening; resolves with the bound HTTP port once ready. */
  start(port?: number): Promise<{ port: number }>;
  /** Stops taking requests and waits for listeners still running after their ack. */
  stop(): Promise<void>;
}

/**
 * Bolt's single-workspace authorization, but asking auth.test (for the bot's own ids, which
 * ignoreSelf needs) once and keeping the answer; a failed ask is retried on the next request.
 */
function createSingleWorkspaceAuthorize(botToken: string, client: Messenger['client'], known?: BotIdentity): { authorize: Authorize<boolean>; warm(): Promise<void> } {
  let identity: Promise<BotIdentity> | undefined = known === undefined ? undefined : Promise.resolve(known);
  const ask = () =>
    (identity ??= client.auth.test({ token: botToken }).then(
      (result) => ({ botId: result.bot_id, botUserId: result.user_id }),
      (error: unknown) => {
        identity = undefined;
        throw error;
      },
    ));
  return {
    authorize: async ({ isEnterpriseInstall }) => ({ botToken, isEnterpriseInstall, ...(await ask()) }),
    // Asked at start-up, so the first request's ack does not wait for a Slack round trip (a
    // failure is not fatal here: it is asked again on the first request).
    warm: () => ask().then(() => undefined, () => undefined),
  };
}

/** Builds the Bolt app with every listener registered. No side effects until start(). */
export interface AppOptions {
  /** How long a first Socket Mode connection may take (default SOCKET_CONNECT_DEADLINE_MS). */
  socketConnectDeadlineMs?: number;
  /** The bot's ids, when the caller already asked auth.test (main.ts does, to check the token). */
  botIdentity?: BotIdentity;
  /** After how long without a Socket Mode connection a warning says so (default 15 s). */
  socketOutageWarnMs?: number;
  /**
   * The Socket Mode SDK's ping timeout, which is also its reconnect back-off step (default 5 s;
   * tests shorten it so a reconnect does not take seconds).
   */
  socketClientPingTimeoutMs?: number;
}

export interface BotIdentity {
  botId: string | undefined;
  botUserId: string | undefined;
}

/** How long start-up waits for the bot's ids before listening anyway (they are asked again on a request). */
const WARM_WAIT_MS = 1_000;

export function createApp(deps: AppDeps, options: AppOptions = {}): PeerloopApp {
  const connectDeadlineMs = options.socketConnectDeadlineMs ?? SOCKET_CONNECT_DEADLINE_MS;
  const { config } = deps;
  const boltLogger = toBoltLogger(deps.logger);
  // Set when shutdown begins: /healthz answers 503 from then on.
  let stopping = false;
  let socketSupervisor: SocketSupervisor | undefined;
  const routes = createRoutes(deps, {
    stopping: () => stopping,
    ...(config.slack.socketMode ? { socketConnected: () => socketSupervisor?.connected() ?? false } : {}),
  });

  // HTTP mode: the request guard checks signatures and payload shapes, Bolt's receiver parses and
  // dispatches; we own the server around it.
  // Socket Mode: Bolt's socket receiver for Slack's payloads; our own server still serves
  // /healthz and the calendars on PORT (Bolt's would route them through path-to-regexp).
  const httpReceiver = config.slack.socketMode
    ? undefined
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: EVENTS_PATH,
        logger: boltLogger,
        bodyLimit: BODY_LIMIT_BYTES,
        // The request guard in front of it (httpListener below, the only way requests reach it)
        // verifies the signature first, so Bolt need not hash every body a second time.
        signatureVerification: false,
        // The ack goes out as soon as a listener calls ack(); work after it continues (tracked below).
        processBeforeResponse: false,
      });
  // Signature first, then the payload's shape, before Bolt sees a request (see request-guard.ts).
  const httpListener =
    httpReceiver === undefined
      ? undefined
      : guardSlackRequests(httpReceiver.requestListener, { signingSecret: config.slack.signingSecret!, logger: deps.logger, bodyLimit: BODY_LIMIT_BYTES, path: EVENTS_PATH });
  const socketReceiver = config.slack.socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        logger: socketModeLogger(boltLogger),
        ...(options.socketClientPingTimeoutMs === undefined ? {} : { clientPingTimeout: options.socketClientPingTimeoutMs }),
        // clientOptions: apps.connections.open must go to SLACK_API_URL too (GovSlack, the test fake).
        installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } },
      })
    : undefined;
  const receiver = httpReceiver ?? socketReceiver!;
  if (socketReceiver !== undefined) {
    socketSupervisor = superviseSocketMode(socketReceiver, {
      logger: deps.logger,
      clock: deps.clock,
      // The same checks as over HTTP, before the SDK reads the envelope.
      screenEnvelope: createEnvelopeScreen(deps.logger),
      ...(options.socketOutageWarnMs === undefined ? {} : { outageWarnMs: options.socketOutageWarnMs }),
    });
  }
  // A wrong signing secret is named in the log, not just Bolt's "signature mismatch".
  const signatureHint = httpReceiver === undefined ? undefined : createSignatureHint({ signingSecret: config.slack.signingSecret!, clock: deps.clock, logger: deps.logger });
  const withSignatureHint = (listener: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse) => {
    signatureHint?.(req, res);
    listener(req, res);
  };

  const botAuthorization = createSingleWorkspaceAuthorize(config.slack.botToken, deps.messenger.client, options.botIdentity);
  const bolt = new App({
    receiver,
    // Not `token` + `tokenVerificationEnabled: false`: Bolt 5.1 then calls auth.test on every
    // incoming request (its cache is overwritten each time), a Slack round trip before each ack.
    // main.ts verifies the token itself (auth.test) to print a clear message when it is wrong.
    authorize: botAuthorization.authorize,
    logger: boltLogger,
    // Listeners send through deps.messenger; Bolt's own client is only pointed at the same API.
    clientOptions: { slackApiUrl: config.slack.apiUrl },
    deferInitialization: true,
  });

  // Every listener run is tracked so shutdown can wait for work that continues after ack().
  const inFlight = new Set<Promise<unknown>>();
  bolt.use(async ({ next }) => {
    const run = next();
    inFlight.add(run);
    try {
      await run;
    } finally {
      inFlight.delete(run);
    }
  });
  bolt.use(createActorMiddleware(deps));
  bolt.use(createPayloadRouter(deps));

  bolt.error(async (error) => {
    deps.logger.error({ err: error }, 'unhandled error in a listener');
  });

  let http: PeerloopServer | undefined;
  // Waits for `work`, or `ms` at most; the timer never holds the process open.
  const atMost = (work: Promise<unknown>, ms: number) => Promise.race([work, sleep(ms, undefined, { ref: false })]);
  const settle = (graceMs: number) => atMost(Promise.allSettled([...inFlight]), graceMs);
  return {
    bolt,
    async start(port = config.port) {
      await bolt.init();
      // Briefly: with Slack unreachable, /healthz and the calendars must not wait for it.
      await atMost(botAuthorization.warm(), WARM_WAIT_MS);
      http = createHttpServer({ routes, ...(httpListener === undefined ? {} : { bolt: withSignatureHint(httpListener) }), logger: deps.logger });
      const bound = await listen(http.server, port);
      if (socketReceiver !== undefined) {
        // The SDK retries apps.connections.open for many minutes (right for reconnects later); a
        // first connection that cannot be made is a setting to check, said within a minute.
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new AppError('slack_error', `SLACK_APP_TOKEN: could not open the Socket Mode connection within ${Math.ceil(connectDeadlineMs / 1000)} s. Check that this machine can reach ${config.slack.apiUrl}.`)),
            connectDeadlineMs,
          );
        });
        try {
          await Promise.race([bolt.start(), deadline]);
        } catch (error) {
          await bolt.stop().catch(() => undefined);
          await http.close(0);
          throw error;
        } finally {
          clearTimeout(timer);
        }
      }
      return { port: bound };
    },
    async stop() {
      stopping = true;
      // One deadline for the whole stop, so it fits an orchestrator's grace period (30 s in Kubernetes).
      const deadline = performance.now() + SHUTDOWN_GRACE_MS;
      const left = () => Math.max(0, deadline - performance.now());
      if (socketReceiver !== undefined) {
        // Acks travel on the socket: let work in flight answer before it closes.
        await settle(left());
        socketSupervisor?.stopping();
        await bolt.stop();
      }
      await http?.close(left());
      await settle(left());
    },
  };
}
