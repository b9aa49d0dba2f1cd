import { runReport } from './cli/run-report.js';
import { systemClock } from './clock.js';
import { loadDatabaseConfig } from './config.js';
import { createLogger } from './logger.js';

/**
 * `npm run report -- --team T123 [--week 2026-11-16] [--json] [--chart out.png] [--db path]`:
 * the digest's KPIs from the database, without Slack (cli/run-report.ts). Reads only
 * DATABASE_PATH (environment or .env) when --db is not given, so it needs no Slack tokens.
 * Bundled into dist/report.js by scripts/build.mjs.
 */
runReport(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  clock: systemClock,
  // Warnings only, and never on stdout: `--json` output stays parseable.
  logger: createLogger('warn', process.stderr),
  databaseConfig: () => loadDatabaseConfig(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Report failed on an unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
