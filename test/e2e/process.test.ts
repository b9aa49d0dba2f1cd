import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useBuiltApp, repoRoot } from '../support/built-app.js';
import { TEST_SIGNING_SECRET } from '../support/sign.js';

/**
 * The real entry point as `npm start` runs it (its prestart bundles src/ into dist/main.js, then
 * plain Node runs that), as a child process with a clean environment and a temp working
 * directory, so no developer `.env` leaks in. These check what a person sees in their terminal:
 * one line per problem, exit 1, no stack trace; and a clean start and stop.
 */

const root = repoRoot;
const entry = join(root, 'dist/main.js');
const used = useBuiltApp('process');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How to start it: the bundle with plain Node (the default), or `npm start` in the repository. */
interface Command {
  file: string;
  args: string[];
  cwd: string;
}

function launch(env: Record<string, string>, command: Command = { file: process.execPath, args: [entry], cwd: used.work }): { child: ChildProcess; exited: Promise<Exit>; output: () => { stdout: string; stderr: string } } {
  const child = spawn(command.file, command.args, {
    cwd: command.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? used.work, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A process that hangs is a failure, not a stuck suite.
  const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Runs Peerloop until it exits by itself. */
function run(env: Record<string, string>): Promise<Exit> {
  return launch(env).exited;
}

/** The bullet lines of "Peerloop cannot start:" on stderr. */
function problemLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('  - '))
    .map((l) => l.slice(4));
}

function expectCleanRefusal(exit: Exit): string[] {
  expect(exit.code).toBe(1);
  expect(exit.stderr).toContain('Peerloop cannot start:');
  expect(exit.stderr).not.toContain('    at ');
  expect(exit.stderr).not.toMatch(/Error:|TypeError|ZodError/);
  return problemLines(exit.stderr);
}

function validEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: used.fake.validToken!,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: used.fake.apiUrl,
    DATABASE_PATH: join(used.work, `db-${Math.random().toString(36).slice(2)}`, 'peerloop.db'),
    PORT: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/**
 * A spawn costs about a CPU-second of start-up (Node, Bolt, the migrations); with the rest of the suite on the
 * same two cores a start can take over ten seconds, hence the generous per-test limit. They are
 * independent, so they run side by side.
 */
const SPAWN_TIMEOUT_MS = 60_000;

describe.concurrent('npm start refuses a bad setting with one clear line and exit 1', () => {
  it('no Slack settings at all: names SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, each on its own line', async () => {
    const lines = expectCleanRefusal(await run({}));
    expect(lines).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith('SLACK_BOT_TOKEN '))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('SLACK_SIGNING_SECRET '))).toHaveLength(1);
  }, SPAWN_TIMEOUT_MS);

  it('PORT=abc', async () => {
    const lines = expectCleanRefusal(await run(validEnv({ PORT: 'abc' })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^PORT /);
  }, SPAWN_TIMEOUT_MS);

  it('SLACK_API_URL=notaurl', async () => {
    const lines = expectCleanRefusal(await run(validEnv({ SLACK_API_URL: 'notaurl' })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^SLACK_API_URL /);
  }, SPAWN_TIMEOUT_MS);

  it('DATABASE_PATH under a regular file', async () => {
    const file = join(used.work, 'plain-file');
    writeFileSync(file, 'x');
    const lines = expectCleanRefusal(await run(validEnv({ DATABASE_PATH: join(file, 'x', 'peerloop.db') })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^DATABASE_PATH: cannot create the folder /);
  }, SPAWN_TIMEOUT_MS);

  it('DATABASE_PATH pointing at a file that is not SQLite, which is left untouched', async () => {
    const path = join(used.work, 'garbage.db');
    const garbage = Buffer.from('definitely not SQLite\n'.repeat(200));
    writeFileSync(path, garbage);
    const lines = expectCleanRefusal(await run(validEnv({ DATABASE_PATH: path })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('is not a SQLite database');
    expect(readFileSync(path).equals(garbage)).toBe(true);
  }, SPAWN_TIMEOUT_MS);

  it("DATABASE_PATH pointing at another application's SQLite database, which is left untouched", async () => {
    const path = join(used.work, 'other-app.db');
    const other = new Database(path);
    other.exec("create table invoices (id integer primary key, total integer); insert into invoices (total) values (42)");
    other.close();
    const bytes = readFileSync(path);
    const lines = expectCleanRefusal(await run(validEnv({ DATABASE_PATH: path })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^DATABASE_PATH: /);
    expect(lines[0]).toContain("another application's SQLite database");
    expect(lines[0]).toContain('"invoices"');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  }, SPAWN_TIMEOUT_MS);

  it('a token Slack refuses (invalid_auth): names SLACK_BOT_TOKEN', async () => {
    const lines = expectCleanRefusal(await run(validEnv({ SLACK_BOT_TOKEN: 'xoxb-revoked-or-mistyped' })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)/);
    expect(lines[0]).not.toContain('xoxb-revoked-or-mistyped');
  }, SPAWN_TIMEOUT_MS);

  it.each([
    ['HTTP mode', {}],
    ['Socket Mode', { SLACK_APP_TOKEN: 'xapp-test-token', SLACK_SIGNING_SECRET: '' }],
  ])('PORT already in use (%s): names PORT', async (_mode, extra: Record<string, string>) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const lines = expectCleanRefusal(await run(validEnv({ PORT: String(port), ...extra })));
      expect(lines).toEqual([`PORT ${port} is already in use by another program: stop that program, or set PORT to a free port.`]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, SPAWN_TIMEOUT_MS);

  it('an app-level token Slack refuses (Socket Mode): names SLACK_APP_TOKEN', async () => {
    const lines = expectCleanRefusal(await run(validEnv({ SLACK_APP_TOKEN: 'xapp-revoked-or-mistyped', SLACK_SIGNING_SECRET: '' })));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^SLACK_APP_TOKEN was refused by Slack \(invalid_auth\)/);
    expect(lines[0]).not.toContain('xapp-revoked-or-mistyped');
  }, SPAWN_TIMEOUT_MS);
});

describe('npm start with a valid environment', () => {
  it('starts, logs JSON, answers /healthz, and exits 0 on SIGTERM', async () => {
    const proc = launch(validEnv());
    const running = await waitForLog(proc, 'Peerloop is running');
    const port = Number(running.port);
    expect(port).toBeGreaterThan(0);
    expect(running.mode).toBe('http');

    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    // It verified the token once at start-up.
    expect(used.fake.callsTo('auth.test').some((c) => c.token === used.fake.validToken)).toBe(true);

    const exit = await stopWithSigterm(proc);
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe('');
    const messages = jsonLines(exit.stdout).map((l) => l.msg);
    expect(messages).toContain('stopped');
    // Every stdout line is a structured JSON log record.
    expect(exit.stdout.trim().split('\n').every((l) => l.startsWith('{'))).toBe(true);
  }, SPAWN_TIMEOUT_MS);
});

describe('npm start with a token in quotes (as Docker --env-file passes it)', () => {
  it('starts, with one warn line naming the variable and the quotes', async () => {
    const proc = launch(validEnv({ SLACK_BOT_TOKEN: `\u201C${used.fake.validToken}\u201D` }));
    await waitForLog(proc, 'Peerloop is running');
    const exit = await stopWithSigterm(proc);
    expect(exit.code).toBe(0);
    const warnings = jsonLines(exit.stdout).filter((l) => String(l.msg).includes('wrapped in quotes'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', setting: 'SLACK_BOT_TOKEN' });
    expect(warnings[0]!.msg).toContain('SLACK_BOT_TOKEN is wrapped in quotes (\u201C…\u201D)');
    expect(exit.stdout).not.toContain(used.fake.validToken!);
  }, SPAWN_TIMEOUT_MS);
});

describe('npm start in Socket Mode', () => {
  it('connects through SLACK_API_URL with the app token, serves /healthz, and exits 0 on SIGTERM', async () => {
    const proc = launch(validEnv({ SLACK_APP_TOKEN: used.fake.validAppToken, SLACK_SIGNING_SECRET: '' }));
    const running = await waitForLog(proc, 'Peerloop is running');
    expect(running.mode).toBe('socket');
    expect(used.fake.callsTo('apps.connections.open').some((c) => c.token === used.fake.validAppToken)).toBe(true);
    const res = await fetch(`http://127.0.0.1:${Number(running.port)}/healthz`);
    expect(res.status).toBe(200);

    const exit = await stopWithSigterm(proc);
    expect(exit.code).toBe(0);
    expect(exit.stderr).toBe('');
  }, SPAWN_TIMEOUT_MS);
});

describe('npm start under a process manager (systemd, docker stop)', () => {
  it('SIGTERM to the npm process reaches Peerloop, which stops cleanly, and npm exits 0', async () => {
    // npm runs its script through `sh -c`; without `exec` in the script, sh died of the SIGTERM npm
    // forwarded to it, npm exited 143, and Peerloop was left running without ever seeing the signal.
    const proc = launch(
      validEnv({
        // Every setting given, so a developer's .env in the repository cannot change the run.
        SLACK_APP_TOKEN: '',
        PUBLIC_URL: '',
        PEERLOOP_ADMINS: '',
        DEFAULT_TIMEZONE: 'UTC',
        SCHEDULER_TICK: '* * * * *',
        npm_config_update_notifier: 'false',
        npm_config_fund: 'false',
        npm_config_cache: join(used.work, 'npm-cache'),
      }),
      { file: 'npm', args: ['start'], cwd: root },
    );
    const running = await waitForLog(proc, 'Peerloop is running');
    expect(running.mode).toBe('http');
    const exit = await stopWithSigterm(proc);
    const messages = jsonLines(exit.stdout).map((l) => l.msg);
    expect(messages).toContain('shutting down: no new requests, finishing work in flight');
    expect(messages).toContain('stopped');
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(0);
  }, SPAWN_TIMEOUT_MS);
});

/** SIGTERM, then the exit. Idle, it has nothing in flight: a generous bound that only a hang would exceed. */
function stopWithSigterm(proc: ReturnType<typeof launch>): Promise<Exit> {
  proc.child.kill('SIGTERM');
  return Promise.race([
    proc.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no exit within 10 s of SIGTERM')), 10_000)),
  ]);
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function waitForLog(proc: ReturnType<typeof launch>, msg: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 50_000;
  for (;;) {
    const found = jsonLines(proc.output().stdout).find((l) => l.msg === msg);
    if (found !== undefined) return found;
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      const { stdout, stderr } = proc.output();
      throw new Error(`Peerloop did not log "${msg}" (exit ${proc.child.exitCode}).\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
