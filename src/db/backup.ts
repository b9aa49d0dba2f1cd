import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';

/**
 * An online copy of the database with SQLite's backup API: consistent (every transaction
 * committed when it began, including those still in the -wal file, and none half-written) and safe
 * while Peerloop runs and writes. The copy is a single self-contained file (rollback journal, not
 * WAL), ready to be restored by putting it at DATABASE_PATH.
 */

export interface BackupResult {
  path: string;
  bytes: number;
}

/** `backups/peerloop-2026-05-04T09-30-00Z.db`: UTC, and no colons (not allowed in Windows file names). */
export function defaultBackupPath(clock: Clock, folder = 'backups'): string {
  const stamp = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '-');
  return join(folder, `peerloop-${stamp}.db`);
}

/**
 * Copies the database at `databasePath` to `destination` (default: defaultBackupPath; an existing
 * folder gets that file name inside it), creating the folder. Never overwrites a file.
 */
export async function backupDatabase(databasePath: string, destination: string | undefined, clock: Clock): Promise<BackupResult> {
  const source = resolve(databasePath);
  if (!existsSync(source)) {
    throw new AppError('database_unavailable', `DATABASE_PATH: there is no database at ${source}. Check DATABASE_PATH, and run the backup from the folder Peerloop runs in (it reads .env there).`);
  }
  const fallback = defaultBackupPath(clock);
  const target = resolve(
    destination === undefined ? fallback : existsSync(destination) && statSync(destination).isDirectory() ? join(destination, basename(fallback)) : destination,
  );
  if (existsSync(target)) throw new AppError('config_invalid', `${target} already exists: choose another path, or move the old backup away first.`);
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch (cause) {
    throw new AppError('config_invalid', `cannot create the folder ${dirname(target)} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}). Choose a folder this user can write to.`, { cause });
  }

  // Not read-only: a WAL database's reader may need to create the -shm file. Nothing is written.
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // All pages in one step: a step reads one snapshot (in WAL mode writers carry on meanwhile),
    // whereas better-sqlite3's default of 100 pages per step starts over each time another
    // process commits between steps, which a busy scheduler could make endless.
    await db.backup(target, { progress: () => 0x7fffffff });
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('database_unavailable', `could not back up ${source} (${(cause as Error).message}). Check that DATABASE_PATH points at Peerloop's database.`, { cause });
  } finally {
    db.close();
  }

  // The copy inherits WAL mode; a single file is what a backup should be.
  const copy = new Database(target);
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new AppError('database_unavailable', `the backup at ${target} failed SQLite's check (${String(check)}); the database itself may be damaged.`);
  } finally {
    copy.close();
  }
  return { path: target, bytes: statSync(target).size };
}
