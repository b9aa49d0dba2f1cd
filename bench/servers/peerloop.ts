import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config.js';
import { openDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createMessenger } from '../../src/slack/messenger.js';
import { startFakeSlack } from '../../test/support/fake-slack.js';
import { TEST_SIGNING_SECRET } from '../../test/support/sign.js';
import { announceProgress, announceReady, exitWhenParentGoes, seedNameFromArgv } from './protocol.js';
import { SEEDS } from './seeds.js';

/**
 * The real Peerloop, composed as test/support/app.ts does it (config, SQLite temp file, messenger
 * pointed at a fake Slack running in this same process, createApp), with the system clock and
 * logs silenced. `--seed <name>` fills the database (bench/servers/seeds.ts) before start.
 */
const fake = await startFakeSlack();
const dir = mkdtempSync(join(tmpdir(), 'peerloop-bench-'));
const databasePath = join(dir, 'peerloop.db');
const parsed = parseConfig({
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
  SLACK_API_URL: fake.apiUrl,
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

const messenger = createMessenger(config, logger);
const app = createApp({ config, database, clock: systemClock, logger, messenger });
const { port } = await app.start(0);

// The fake records every call, reply and upload for tests to inspect; here nobody reads them, and
// keeping them would count the fake's memory as Peerloop's. Before forgetting them, count the
// response_url posts and tell the parent (bench/lib/compare.ts waits for the replies to land).
// BENCH_TRACE_REPLIES=1 also prints the running totals on stderr once a second.
const trace = process.env.BENCH_TRACE_REPLIES === '1';
const startedAt = Date.now();
let replies = 0;
let calls = 0;
let lastTrace = 0;
setInterval(() => {
  const fresh = fake.responses.length + fake.calls.length;
  replies += fake.responses.length;
  calls += fake.calls.length;
  fake.reset();
  if (fresh > 0) announceProgress(replies, calls);
  if (trace && Date.now() - lastTrace >= 1_000) {
    lastTrace = Date.now();
    process.stderr.write(`[peerloop ${((lastTrace - startedAt) / 1000).toFixed(0)} s] response_url posts ${replies}, Slack calls ${calls}\n`);
  }
}, 100).unref();

exitWhenParentGoes(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});
announceReady(port, fake.url);
