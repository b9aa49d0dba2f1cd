import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './built-app.js';
import type { FakeSlack } from './fake-slack.js';
import { TEST_SIGNING_SECRET } from './sign.js';

/** A built Peerloop (dist/main.js, as `npm start` runs it) in a child process, for tests that kill or race real processes. */
export interface AppProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  /** Whether it has said it is serving. */
  started: () => boolean;
  exited: Promise<void>;
}

/** Starts one on `databasePath` against `fake`, with `env` on top (SCHEDULER_TICK, ...); killed after `guardMs` whatever happens. */
export function launchApp(work: string, fake: FakeSlack, databasePath: string, env: Record<string, string> = {}, guardMs = 180_000): AppProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'dist/main.js')], {
    cwd: work,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? work,
      SLACK_BOT_TOKEN: fake.validToken!,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      DATABASE_PATH: databasePath,
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
  const exited = new Promise<void>((resolve) =>
    child.on('close', () => {
      clearTimeout(guard);
      resolve();
    }),
  );
  return { child, output: () => output, started: () => output.includes('Peerloop is running'), exited };
}

/** Polls `condition` until it holds, or throws after `ms` naming `what`. */
export async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
