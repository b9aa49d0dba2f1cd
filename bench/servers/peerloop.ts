import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composePeerloop } from '../../src/compose.js';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config.js';
import { startCheckpointer } from '../../src/db/checkpointer.js';
import { openDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { applyRuntimeSettings } from '../../src/runtime.js';
import { TEST_SIGNING_SECRET } from '../../test/support/sign.js';
import { announceReady, exitWhenParentGoes, flagValue, FROM_FLAG, SEED_ONLY_FLAG, seedNameFromArgv, SLACK_FLAG } from './protocol.js';
import { SEEDS } from './seeds.js';

/**
 * The real Peerloop, composed with composePeerloop like main.ts (runtime settings, config, a
 * SQLite temp file) but with logs silenced and no scheduler running, pointed at the fake Slack
 * process whose Web API URL comes in `--slack <url>`. `--seed <name>` fills the database
 * (bench/servers/seeds.ts) before start; `--seed <name> --seed-only <file>` only fills that file
 * and exits, and `--from <file>` starts on a copy of it (see protocol.ts).
 */
const seedOnly = flagValue(SEED_ONLY_FLAG);
if (seedOnly !== undefined) {
  const name = seedNameFromArgv();
  const seed = name === undefined ? undefined : SEEDS[name];
  if (seed === undefined) throw new Error(`${SEED_ONLY_FLAG} needs a known --seed; known: ${Object.keys(SEEDS).join(', ')}`);
  const db = openDb(seedOnly);
  seed(db.sqlite, systemClock.now());
  db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  process.exit(0);
}
applyRuntimeSettings();
const slackApiUrl = flagValue(SLACK_FLAG);
if (slackApiUrl === undefined) throw new Error(`usage: peerloop.js ${SLACK_FLAG} <fake Slack API URL> [--seed <name>]`);
const dir = mkdtempSync(join(tmpdir(), 'peerloop-bench-'));
const databasePath = join(dir, 'peerloop.db');
const from = flagValue(FROM_FLAG);
if (from !== undefined) copyFileSync(from, databasePath);
const parsed = parseConfig({
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
  SLACK_API_URL: slackApiUrl,
  DATABASE_PATH: databasePath,
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
  PORT: '0',
});
if (!parsed.ok) throw new Error(`bench config invalid: ${parsed.problems.join('; ')}`);
const config = parsed.config;
const logger = createLogger(config.logLevel, process.stderr);
const database = openDb(databasePath);

const seedName = seedNameFromArgv();
if (seedName !== undefined) {
  const seed = SEEDS[seedName];
  if (seed === undefined) throw new Error(`unknown seed "${seedName}"; known: ${Object.keys(SEEDS).join(', ')}`);
  seed(database.sqlite, systemClock.now());
}

// Composed like main.ts; the scheduler is built but never started (the bench times requests).
await startCheckpointer(database, logger);
const { app } = composePeerloop({ config, database, clock: systemClock, logger, kick: false });
const { port } = await app.start(0);

exitWhenParentGoes(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});
announceReady(port);
