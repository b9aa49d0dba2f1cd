import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
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

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas Peerloop relies on and applies
 * the committed migrations. Refuses, without writing a byte, a file that is not SQLite.
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
    assertSqliteOrEmpty(fullPath);
  }

  let sqlite: Database.Database;
  try {
    sqlite = new Database(fullPath);
  } catch (cause) {
    throw new AppError('database_unavailable', `DATABASE_PATH: cannot open ${fullPath} (${describe(cause)}). Pick a file this user can write to.`, { cause });
  }
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // WAL makes NORMAL durable across application crashes; only a power cut can lose the last commit.
    sqlite.pragma('synchronous = NORMAL');
    const db = drizzle(sqlite, { schema });
    migrationsFolder ??= findMigrationsFolder(dirname(fileURLToPath(import.meta.url)));
    migrate(db, { migrationsFolder });
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

function assertSqliteOrEmpty(path: string): void {
  if (!existsSync(path)) return;
  const stat = statSync(path);
  if (stat.isDirectory()) {
    throw new AppError('database_unavailable', `DATABASE_PATH: ${path} is a folder; point it at a file inside it, such as ${path}/peerloop.db.`);
  }
  if (stat.size === 0) return;
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
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'EROFS') return 'read-only file system';
    if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is a file, not a folder';
    return cause.message;
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
