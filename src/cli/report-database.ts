import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseConfigResult } from '../config.js';
import { openDb, type DbHandle } from '../db/client.js';
import { isAppError } from '../errors.js';
import type { ServiceDeps } from '../services/context.js';
import { getWorkspace, listWorkspaces, type Workspace } from '../services/workspaces.js';

/**
 * Finding the database and the workspace for `npm run report`, with one clear line for each
 * way it can go wrong. A report reads: a database file that is not there is named, never
 * created (openDb would make an empty one).
 */

export type Opened = { ok: true; handle: DbHandle } | { ok: false; message: string };

/**
 * `--db` when given, else DATABASE_PATH as the app reads it (environment or .env, default
 * ./data/peerloop.db) through loadDatabaseConfig: the same file `npm start` uses, and no Slack
 * token needed.
 */
export function openReportDatabase(flagPath: string | undefined, fromConfig: () => DatabaseConfigResult): Opened {
  let path: string;
  let where: string;
  if (flagPath !== undefined) {
    path = resolve(flagPath);
    where = '--db';
  } else {
    const loaded = fromConfig();
    if (!loaded.ok) return { ok: false, message: `Cannot tell where the database is: ${loaded.problems.join('; ')}.` };
    path = resolve(loaded.databasePath);
    where = 'DATABASE_PATH (or its default, ./data/peerloop.db)';
  }
  if (!existsSync(path)) return { ok: false, message: `No database at ${path} (from ${where}). Point --db at Peerloop's database file, such as --db data/peerloop.db.` };
  if (statSync(path).isDirectory()) return { ok: false, message: `${path} is a folder (from ${where}): point --db at the database file inside it, such as ${path}/peerloop.db.` };
  try {
    return { ok: true, handle: openDb(path) };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { ok: false, message: error.message.replace(/^DATABASE_PATH: /, '') };
  }
}

/** The workspace, or the line that says it is not there and which ones are. */
export function findWorkspace(deps: ServiceDeps, teamId: string, path: string): { ok: true; workspace: Workspace } | { ok: false; message: string } {
  const workspace = getWorkspace(deps, teamId);
  if (workspace !== undefined) return { ok: true, workspace };
  const teams = listWorkspaces(deps);
  const shown = teams.slice(0, 10).map((t) => (t.name === null || t.name === '' ? t.teamId : `${t.teamId} (${t.name})`));
  const more = teams.length > shown.length ? `, and ${teams.length - shown.length} more` : '';
  const here = teams.length === 0 ? 'This database has no workspaces yet.' : `Teams here: ${shown.join(', ')}${more}.`;
  return { ok: false, message: `No workspace ${teamId} in ${path}. ${here}` };
}
