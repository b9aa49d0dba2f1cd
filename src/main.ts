import type { BotIdentity } from './app.js';
import { systemClock } from './clock.js';
import { loadConfig } from './config.js';
import { startCheckpointer } from './db/checkpointer.js';
import { openDb, type DbHandle } from './db/client.js';
import { isAppError } from './errors.js';
import { composePeerloop } from './compose.js';
import { createLogger } from './logger.js';
import { applyRuntimeSettings } from './runtime.js';
import { createAppMessenger, toSlackCallError } from './slack/messenger.js';

/*
 * Start-up: config -> database -> token check -> compose (compose.ts) -> listen -> scheduler.
 * SIGTERM and SIGINT stop it all.
 */

/** Problems a person can fix (settings, the database file, the token): plain sentences on stderr, exit 1. */
function fail(lines: string[]): never {
  process.stderr.write(`Peerloop cannot start:\n${lines.map((l) => `  - ${l}`).join('\n')}\n\nSee README.md ("Configuration") and .env.example for what each setting means.\n`);
  process.exit(1);
}

/** A repeat of the first stop signal within this long is a duplicate delivery, not a second Ctrl-C. */
const SAME_SIGNAL_MS = 1_000;

/** What Slack answers for a token that is wrong, revoked or belongs to a disabled account. */
const REFUSED_TOKEN_CODES = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'team_disabled', 'user_removed_from_team']);

async function main(): Promise<void> {
  applyRuntimeSettings();
  const loaded = loadConfig();
  if (!loaded.ok) fail(loaded.problems);
  const config = loaded.config;
  const logger = createLogger(config.logLevel);
  for (const warning of loaded.warnings) logger.warn({ setting: warning.split(' ', 1)[0] }, warning);

  let database: DbHandle;
  try {
    database = openDb(config.databasePath);
  } catch (error) {
    if (isAppError(error)) fail([error.message]);
    throw error;
  }

  const checkpointer = await startCheckpointer(database, logger);
  const messenger = createAppMessenger(config, logger, { db: database.db, clock: systemClock, logger });
  let botIdentity: BotIdentity | undefined;
  try {
    const auth = await messenger.client.auth.test();
    botIdentity = { botId: auth.bot_id, botUserId: auth.user_id };
    logger.info({ team: auth.team, botUserId: auth.user_id }, 'connected to Slack');
  } catch (error) {
    const { code } = toSlackCallError('auth.test', error);
    if (REFUSED_TOKEN_CODES.has(code)) {
      database.close();
      fail([`SLACK_BOT_TOKEN was refused by Slack (${code}): copy the Bot User OAuth Token again from OAuth & Permissions, and reinstall the app if you changed its scopes.`]);
    }
    // Slack unreachable is not fatal: requests will be served once it is back.
    logger.warn({ err: error }, 'could not verify the Slack token at start-up; continuing');
  }

  const { app, scheduler } = composePeerloop({ config, database, clock: systemClock, logger, messenger, appOptions: botIdentity === undefined ? {} : { botIdentity } });
  let port: number;
  try {
    ({ port } = await app.start());
  } catch (error) {
    database.close();
    if (isAppError(error)) fail([error.message]);
    // Socket Mode opens its connection here, with the app-level token; HTTP mode cannot fail like this.
    if (!config.slack.socketMode) throw error;
    const { code } = toSlackCallError('apps.connections.open', error);
    fail([
      REFUSED_TOKEN_CODES.has(code)
        ? `SLACK_APP_TOKEN was refused by Slack (${code}): copy the App-Level Token (starts with xapp-, scope connections:write) again from Basic Information > App-Level Tokens.`
        : `SLACK_APP_TOKEN: could not open the Socket Mode connection (${code}). Check that this machine can reach ${config.slack.apiUrl}.`,
    ]);
  }
  await scheduler.start();

  let stopping = false;
  let firstSignal: { signal: string; at: number } | undefined;
  const shutdown = async (signal: string) => {
    // Ctrl-C under `npm start` reaches Peerloop twice: from the terminal and forwarded by npm.
    // The same signal within a second is that one request, not a second "stop now".
    if (firstSignal !== undefined && firstSignal.signal === signal && systemClock.now() - firstSignal.at < SAME_SIGNAL_MS) return;
    firstSignal ??= { signal, at: systemClock.now() };
    if (stopping) {
      // A second Ctrl-C means "now": whatever is still running is cut off (a job mid-send is
      // retried by the next start, as after a crash).
      logger.warn({ signal }, 'second signal while stopping: exiting at once');
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing work in flight');
    try {
      await app.stop();
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
    }
    try {
      // Jobs already sending finish and are recorded; claimed-but-unstarted ones go back to pending.
      await scheduler.stop();
    } catch (error) {
      logger.error({ err: error }, 'error while stopping the scheduler');
    }
    await checkpointer.stop();
    database.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // A stray rejection is a bug to log, not a reason to drop every other workspace's requests.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  // Said last, once the stop signals are handled: a supervisor that stops Peerloop as soon as it
  // reads this line must get a clean stop, not Node's default death by signal (exit 143).
  logger.info({ port, mode: config.slack.socketMode ? 'socket' : 'http' }, 'Peerloop is running');
}

main().catch((error: unknown) => {
  process.stderr.write(`Peerloop stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
