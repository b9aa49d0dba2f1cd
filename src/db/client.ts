import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { AppError } from '../errors.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface DbHandle {
  db: Db;
  sqlite: Database.Database;
  path: string;
  /** True while the file we opened is still the one at `path` and a real query succeeds. */
  isHealthy(): boolean;
  close(): void;
}

let migrationsFolder: string | undefined;
const SQLITE_HEADER = 'SQLite format 3\0';
/** Where drizzle's migrator (0.45) records applied migrations; kept so existing databases carry on. */
const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas Peerloop relies on and applies
 * the committed migrations. Refuses, without writing a byte, a file that is not SQLite and a
 * SQLite database that another application made (it has tables but no migration record).
 */
export function openDb(path: string): DbHandle {
  const inMemory = path === ':memory:';
  const fullPath = inMemory ? path : resolve(path);
  if (!inMemory) {
    try {
      mkdirSync(dirname(fullPath), { recursive: true });
    } catch (cause) {
      throw new AppError('database_unavailable', `DATABASE_PATH: cannot create the folder ${dirname(fullPath)} (${describe(cause)}). Pick a folder this user can write to.`, { cause });
    }
    if (assertSqliteOrEmpty(fullPath)) assertPeerloopOrBlank(fullPath);
  }

  let sqlite: Database.Database;
  try {
    sqlite = new Database(fullPath);
  } catch (cause) {
    throw new AppError('database_unavailable', `DATABASE_PATH: cannot open ${fullPath} (${describe(cause)}). Pick a file this user can write to.`, { cause });
  }
  try {
    // First: another process starting on the same file may be switching it to WAL or migrating it.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    // WAL makes NORMAL durable across application crashes; only a power cut can lose the last commit.
    sqlite.pragma('synchronous = NORMAL');
    const db = drizzle(sqlite, { schema });
    migrationsFolder ??= findMigrationsFolder(dirname(fileURLToPath(import.meta.url)));
    applyMigrations(sqlite, migrationsFolder);
    const inode = inMemory ? 0 : statSync(fullPath).ino;
    return {
      db,
      sqlite,
      path: fullPath,
      isHealthy: () => {
        try {
          db.get(schema.healthQuery);
          return inMemory || statSync(fullPath).ino === inode;
        } catch {
          return false;
        }
      },
      close: () => {
        if (sqlite.open) sqlite.close();
      },
    };
  } catch (cause) {
    sqlite.close();
    throw new AppError('database_unavailable', `DATABASE_PATH: ${fullPath} could not be prepared (${describe(cause)}).`, { cause });
  }
}

/** True when `path` is a SQLite file with content, which then needs a closer look. */
function assertSqliteOrEmpty(path: string): boolean {
  if (!existsSync(path)) return false;
  const stat = statSync(path);
  if (stat.isDirectory()) {
    throw new AppError('database_unavailable', `DATABASE_PATH: ${path} is a folder; point it at a file inside it, such as ${path}/peerloop.db.`);
  }
  if (stat.size === 0) return false;
  const header = Buffer.alloc(16);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new AppError('database_unavailable', `DATABASE_PATH: cannot read ${path} (${describe(cause)}).`, { cause });
  }
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) {
    throw new AppError(
      'database_unavailable',
      `DATABASE_PATH: ${path} is not a SQLite database. It was left untouched; move it away or point DATABASE_PATH at another file.`,
    );
  }
  return true;
}

/**
 * Opening for writing would switch the file to WAL and migrating would add Peerloop's tables,
 * so a database with tables but no migration record (another application's) is refused after a
 * read-only look. A database without tables (created but never used) is Peerloop's to fill.
 */
function assertPeerloopOrBlank(path: string): void {
  let names: string[];
  try {
    const look = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      names = look.prepare("select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%' order by name").pluck().all() as string[];
    } finally {
      look.close();
    }
  } catch (cause) {
    throw new AppError('database_unavailable', `DATABASE_PATH: cannot read ${path} (${describe(cause)}). It was left untouched.`, { cause });
  }
  // Another drizzle app has a migration record too, so Peerloop's own first table must be there,
  // unless the record is all there is (a Peerloop start that stopped before its first migration).
  const others = names.filter((name) => name !== MIGRATIONS_TABLE);
  if (others.length === 0 || (names.includes(MIGRATIONS_TABLE) && names.includes('workspaces'))) return;
  const shown = names.slice(0, 3).map((name) => JSON.stringify(name)).join(', ') + (names.length > 3 ? `, and ${names.length - 3} more` : '');
  throw new AppError(
    'database_unavailable',
    `DATABASE_PATH: ${path} is another application's SQLite database (it has tables such as ${shown}, and none of Peerloop's). It was left untouched; point DATABASE_PATH at a new file, such as ./data/peerloop.db.`,
  );
}

/**
 * drizzle's migrator (0.45) reads which migrations are applied before it opens its transaction,
 * and that transaction is a deferred BEGIN: two processes starting on a fresh file could both
 * see none applied and the second would fail on "table already exists". Here the check and the
 * migrations run in one IMMEDIATE transaction, so a second process waits (busy_timeout) for the
 * write lock and then sees them applied. Same files, same record table, same rule as drizzle's
 * (a migration is applied when it is newer than the newest recorded one).
 */
function applyMigrations(sqlite: Database.Database, folder: string): void {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const table = `"${MIGRATIONS_TABLE}"`;
  sqlite
    .transaction(() => {
      sqlite.exec(`CREATE TABLE IF NOT EXISTS ${table} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
      const newest = sqlite.prepare(`SELECT created_at FROM ${table} ORDER BY created_at DESC LIMIT 1`).pluck().get() as number | string | null | undefined;
      const record = sqlite.prepare(`INSERT INTO ${table} ("hash", "created_at") VALUES (?, ?)`);
      for (const migration of migrations) {
        if (newest !== undefined && Number(newest) >= migration.folderMillis) continue;
        for (const statement of migration.sql) sqlite.exec(statement);
        record.run(migration.hash, migration.folderMillis);
      }
    })
    .immediate();
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EROFS') return 'read-only file system';
    if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is a file, not a folder';
    // One line: a failed statement's message can carry its multi-line SQL.
    return cause.message.replace(/\s+/g, ' ').trim();
  }
  return String(cause);
}

/**
 * The committed `migrations/` folder, found upward from this module: it is two levels up from
 * `src/db/` (sources, tests) and one from `dist/main.js` (the bundle `npm start` runs).
 */
function findMigrationsFolder(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    if (dirname(dir) === dir) {
      throw new AppError('database_unavailable', `No migrations/ folder found above ${from}. Reinstall Peerloop: migrations/ ships with it.`);
    }
  }
}
