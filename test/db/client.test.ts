import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '../../src/db/client.js';
import { AppError } from '../../src/errors.js';

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
