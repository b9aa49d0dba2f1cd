import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Authorize } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { toBoltLogger } from './logger.js';
import type { AppDeps } from './slack/deps.js';
import { close, createHttpServer, listen, listenError } from './slack/http-server.js';
import { createPayloadRouter } from './slack/listeners/index.js';
import { createActorMiddleware } from './slack/middleware/actor.js';
import { createRoutes } from './slack/routes.js';

/** Slack payloads are a few KB; anything near this is not from Slack and is refused with 413. */
export const BODY_LIMIT_BYTES = 512 * 1024;
export const EVENTS_PATH = '/slack/events';

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
function createSingleWorkspaceAuthorize(botToken: string, client: WebClient): Authorize<boolean> {
  let identity: Promise<{ botId: string | undefined; botUserId: string | undefined }> | undefined;
  return async ({ isEnterpriseInstall }) => {
    identity ??= client.auth.test({ token: botToken }).then(
      (result) => ({ botId: result.bot_id, botUserId: result.user_id }),
      (error: unknown) => {
        identity = undefined;
        throw error;
      },
    );
    return { botToken, isEnterpriseInstall, ...(await identity) };
  };
}

/** Builds the Bolt app with every listener registered. No side effects until start(). */
export function createApp(deps: AppDeps): PeerloopApp {
  const { config } = deps;
  const boltLogger = toBoltLogger(deps.logger);
  const customRoutes = createRoutes(deps);

  // HTTP mode: Bolt's receiver does signature checks and parsing; we own the server around it.
  // Socket Mode: Bolt's socket receiver, which also serves /healthz on PORT.
  const httpReceiver = config.slack.socketMode
    ? undefined
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: EVENTS_PATH,
        customRoutes,
        logger: boltLogger,
        bodyLimit: BODY_LIMIT_BYTES,
        // The ack goes out as soon as a listener calls ack(); work after it continues (tracked below).
        processBeforeResponse: false,
      });
  const socketReceiver = config.slack.socketMode
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        logger: boltLogger,
        customRoutes,
        // clientOptions: apps.connections.open must go to SLACK_API_URL too (GovSlack, the test fake).
        installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
      })
    : undefined;
  const receiver = httpReceiver ?? socketReceiver!;

  const bolt = new App({
    receiver,
    // Not `token` + `tokenVerificationEnabled: false`: Bolt 5.1 then calls auth.test on every
    // incoming request (its cache is overwritten each time), a Slack round trip before each ack.
    // main.ts verifies the token itself (auth.test) to print a clear message when it is wrong.
    authorize: createSingleWorkspaceAuthorize(config.slack.botToken, deps.messenger.client),
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

  let server: Server | undefined;
  return {
    bolt,
    async start(port = config.port) {
      await bolt.init();
      if (socketReceiver !== undefined) {
        // /healthz is served by the receiver's own HTTP server, which Bolt keeps on a field its
        // types mark private, hence the cast. Bolt listens without an error handler, so a port in
        // use would end the process with a stack trace: it is caught here and said in one line.
        const healthServer = (socketReceiver as unknown as { httpServer?: Server }).httpServer;
        let refuse: ((error: unknown) => void) | undefined;
        const listenFailed = new Promise<never>((_, reject) => {
          refuse = (error) => reject(listenError(error, config.port));
          healthServer?.once('error', refuse);
        });
        try {
          await Promise.race([bolt.start(), listenFailed]);
        } finally {
          if (refuse !== undefined) healthServer?.off('error', refuse);
        }
        // With PORT=0 the system picked the port.
        const address = healthServer?.address();
        return { port: typeof address === 'object' && address !== null ? address.port : port };
      }
      server = createHttpServer(httpReceiver!.requestListener, deps.logger);
      return { port: await listen(server, port) };
    },
    async stop() {
      if (server !== undefined) await close(server);
      else await bolt.stop();
      await Promise.allSettled([...inFlight]);
    },
  };
}
