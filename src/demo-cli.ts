import { runDemo } from './cli/run-demo.js';
import { systemClock } from './clock.js';
import { createLogger } from './logger.js';

/**
 * `npm run demo [-- --out DIR] [--seed S] [--small]`: a demo database, the digest as it reads in
 * Slack, its chart and an HTML rendering (cli/run-demo.ts). Needs no Slack token and no .env.
 * Bundled into dist/demo.js by scripts/build.mjs.
 */
runDemo(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  clock: systemClock,
  logger: createLogger('warn', process.stderr),
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`Demo failed on an unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
