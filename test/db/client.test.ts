import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../src/db/client.js';
import { AppError } from '../../src/errors.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const migrationsFolder = join(root, 'migrations');

let dir: string;
const opened: DbHandle[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peerloop-db-'));
});
afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(path: string): DbHandle {
  const handle = openDb(path);
  opened.push(handle);
  return handle;
}

/** Runs `fn`, expects an AppError, and returns it. */
function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected openDb to refuse the path');
}

describe('openDb on a fresh path', () => {
  it('creates the missing folders, the file, and applies the migrations', () => {
    const path = join(dir, 'nested', 'deeper', 'peerloop.db');
    const handle = open(path);
    expect(existsSync(path)).toBe(true);
    const tables = handle.sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'")
      .pluck()
      .all();
    expect(tables).toEqual(expect.arrayContaining(['workspaces', 'members', 'sessions', 'participants', 'jobs', 'polls', 'poll_votes']));
    // drizzle records each applied migration, which is how a restart knows not to re-apply it.
    const applied = handle.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get() as number;
    expect(applied).toBeGreaterThanOrEqual(1);
    expect(handle.isHealthy()).toBe(true);
  });

  it('sets WAL, foreign_keys and a busy timeout', () => {
    const handle = open(join(dir, 'peerloop.db'));
    expect(handle.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(handle.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(handle.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(1000);
  });

  it('reopens an existing database without re-applying migrations or losing rows', () => {
    const path = join(dir, 'peerloop.db');
    const first = openDb(path);
    first.sqlite.prepare("insert into workspaces (team_id, time_zone, created_at, updated_at) values ('T1', 'UTC', 1, 1)").run();
    const migrations = first.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get();
    first.close();
    const second = open(path);
    expect(second.sqlite.prepare('select team_id from workspaces').pluck().all()).toEqual(['T1']);
    expect(second.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get()).toBe(migrations);
  });

  it('accepts a SQLite database with no tables yet and migrates it', () => {
    const path = join(dir, 'blank.db');
    const blank = new Database(path);
    blank.pragma('user_version = 7');
    blank.close();
    expect(statSync(path).size).toBeGreaterThan(0);
    const handle = open(path);
    expect(handle.sqlite.prepare("select count(*) from sqlite_master where name = 'sessions'").pluck().get()).toBe(1);
  });

  it('accepts a database migrated by drizzle\'s own migrator (earlier Peerloop versions) without re-applying anything', () => {
    const path = join(dir, 'older.db');
    const older = new Database(path);
    migrate(drizzle(older), { migrationsFolder });
    older.prepare("insert into workspaces (team_id, time_zone, created_at, updated_at) values ('T1', 'UTC', 1, 1)").run();
    const recorded = older.prepare('select hash, created_at from __drizzle_migrations order by created_at').all();
    older.close();
    const handle = open(path);
    expect(handle.sqlite.prepare('select hash, created_at from __drizzle_migrations order by created_at').all()).toEqual(recorded);
    expect(handle.sqlite.prepare('select team_id from workspaces').pluck().all()).toEqual(['T1']);
  });

  it('accepts an empty existing file (touch peerloop.db) and migrates it', () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');
    const handle = open(path);
    expect(handle.sqlite.prepare("select count(*) from sqlite_master where name = 'sessions'").pluck().get()).toBe(1);
  });
});

describe('openDb refuses what it cannot use, with a clear message', () => {
  it('a file that is not SQLite, leaving its bytes untouched', () => {
    const path = join(dir, 'notes.db');
    const garbage = Buffer.concat([Buffer.from('this is not a database\n'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256))]);
    writeFileSync(path, garbage);
    const before = statSync(path);
    const error = refusal(() => open(path));
    expect(error.code).toBe('database_unavailable');
    expect(error.message).toContain('DATABASE_PATH');
    expect(error.message).toContain('is not a SQLite database');
    expect(error.message).toContain('untouched');
    expect(readFileSync(path).equals(garbage)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    // No journal or WAL file was created beside it either.
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-journal`)).toBe(false);
  });

  it.each([
    ['rollback journal', 'delete'],
    ['WAL', 'wal'],
  ])("another application's SQLite database (%s), leaving its bytes untouched", (_kind, journalMode) => {
    const path = join(dir, 'other-app.db');
    const other = new Database(path);
    other.pragma(`journal_mode = ${journalMode}`);
    other.exec("create table customers (id integer primary key, name text); insert into customers (name) values ('Ada'); create table orders (id integer primary key)");
    other.close();
    const bytes = readFileSync(path);
    const before = statSync(path);
    const error = refusal(() => open(path));
    expect(error.code).toBe('database_unavailable');
    expect(error.message).toMatch(/^DATABASE_PATH: /);
    expect(error.message).toContain(path);
    expect(error.message).toContain('"customers"');
    expect(error.message).toContain('untouched');
    expect(error.message).not.toContain('\n');
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(existsSync(`${path}-journal`)).toBe(false);
    // Still the other app's: no Peerloop table was added.
    const check = new Database(path, { readonly: true });
    expect(check.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all()).toEqual(['customers', 'orders']);
    check.close();
  });

  it("another drizzle application's database (a migration record, but none of Peerloop's tables), leaving it untouched", () => {
    const path = join(dir, 'other-drizzle-app.db');
    const other = new Database(path);
    other.exec('create table "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric); create table invoices (id integer primary key)');
    other.close();
    const bytes = readFileSync(path);
    const error = refusal(() => open(path));
    expect(error.message).toContain("another application's SQLite database");
    expect(error.message).toContain('"invoices"');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('a file whose SQLite header is damaged', () => {
    const path = join(dir, 'damaged.db');
    const good = openDb(path);
    good.close();
    const bytes = readFileSync(path);
    bytes.write('SQLite format 2', 0, 'latin1');
    writeFileSync(path, bytes);
    const error = refusal(() => open(path));
    expect(error.message).toContain('is not a SQLite database');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('a path under a regular file (cannot create the folder, even as root)', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const error = refusal(() => open(join(file, 'x', 'peerloop.db')));
    expect(error.code).toBe('database_unavailable');
    expect(error.message).toMatch(/^DATABASE_PATH: cannot create the folder /);
    expect(error.message).toContain('a part of the path is a file, not a folder');
    expect(error.message).not.toContain('\n');
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('a directory', () => {
    const folder = join(dir, 'data');
    mkdirSync(folder);
    const error = refusal(() => open(folder));
    expect(error.code).toBe('database_unavailable');
    expect(error.message).toContain('is a folder');
    expect(error.message).toContain('DATABASE_PATH');
  });
});

/**
 * Child processes that each call openDb on the same file. They load the sources (through tsx,
 * a dev dependency), say "ready", and open the database only when told to on stdin, so the
 * opens start together rather than staggered by start-up time.
 */
const CHILD = String.raw`
import { openDb } from ${JSON.stringify(join(root, 'src/db/client.ts'))};
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  try {
    const handle = openDb(process.argv[1]);
    const tables = handle.sqlite.prepare("select count(*) from sqlite_master where name = 'sessions'").pluck().get();
    handle.close();
    process.stdout.write('opened ' + tables + '\n');
    process.exit(0);
  } catch (error) {
    process.stdout.write('failed ' + String(error && error.message).replace(/\s+/g, ' ') + '\n');
    process.exit(1);
  }
});
`;

interface Opener {
  child: ChildProcess;
  ready: Promise<void>;
  result: Promise<{ code: number | null; output: string }>;
}

function startOpener(path: string): Opener {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, path], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (output.includes('ready\n')) markReady();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const result = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(guard);
      markReady();
      resolve({ code, output: output + stderr });
    }),
  );
  return { child, ready, result };
}

function go(openers: Opener[]): void {
  for (const opener of openers) opener.child.stdin!.end('go\n');
}

describe('openDb from several processes at once', () => {
  it('two processes opening the same fresh file together both succeed, and each migration is applied once', async () => {
    // A few rounds: one round rarely lines the two up badly enough, several together usually did before.
    for (let round = 0; round < 3; round++) {
      const path = join(dir, `fresh-${round}.db`);
      const openers = [startOpener(path), startOpener(path), startOpener(path)];
      await Promise.all(openers.map((o) => o.ready));
      go(openers);
      const results = await Promise.all(openers.map((o) => o.result));
      for (const result of results) expect(result, result.output).toMatchObject({ code: 0, output: expect.stringContaining('opened 1') });
      const check = new Database(path, { readonly: true });
      expect(check.prepare('select count(*) from __drizzle_migrations').pluck().get()).toBe(readMigrationFiles({ migrationsFolder }).length);
      check.close();
    }
  }, 60_000);

  it('a process that arrives while another is still migrating waits for it, then finds the migrations applied', async () => {
    // What an earlier Peerloop (drizzle's migrator) does: record table committed first, then the
    // migrations in a transaction. This connection stops inside that transaction until the child is waiting.
    const path = join(dir, 'busy.db');
    const first = new Database(path);
    first.pragma('journal_mode = WAL');
    first.exec('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
    first.exec('BEGIN IMMEDIATE');
    for (const migration of readMigrationFiles({ migrationsFolder })) {
      for (const statement of migration.sql) first.exec(statement);
      first.prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)').run(migration.hash, migration.folderMillis);
    }
    const opener = startOpener(path);
    await opener.ready;
    go([opener]);
    // Long enough for the child to read what is committed and reach the lock; well inside its busy_timeout.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(opener.child.exitCode).toBeNull();
    first.exec('COMMIT');
    first.close();
    const result = await opener.result;
    expect(result, result.output).toMatchObject({ code: 0, output: expect.stringContaining('opened 1') });
  }, 60_000);
});
