import { eq, sql } from 'drizzle-orm';
import { preparedPerDb } from '../db/prepared.js';
import { workspaces } from '../db/schema.js';
import type { ServiceDeps } from './context.js';

export type Workspace = typeof workspaces.$inferSelect;

// Read on every request by the actor middleware.
const selectWorkspace = preparedPerDb((db) => db.select().from(workspaces).where(eq(workspaces.teamId, sql.placeholder('teamId'))).prepare());

/** Creates the workspace row on first contact; later calls only read it (no write per request). */
export function ensureWorkspace(deps: ServiceDeps, teamId: string, defaults: { timeZone: string; name?: string | undefined }): Workspace {
  const existing = getWorkspace(deps, teamId);
  if (existing !== undefined) return existing;
  const now = deps.clock.now();
  deps.db
    .insert(workspaces)
    .values({ teamId, name: defaults.name ?? null, timeZone: defaults.timeZone, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .run();
  return getWorkspace(deps, teamId)!;
}

/** Every installed workspace. */
export function listWorkspaceIds(deps: ServiceDeps): string[] {
  return deps.db
    .select({ teamId: workspaces.teamId })
    .from(workspaces)
    .all()
    .map((w) => w.teamId);
}

/** Every installed workspace with its name, by team id: what `npm run report` lists for an unknown team. */
export function listWorkspaces(deps: ServiceDeps): { teamId: string; name: string | null }[] {
  return deps.db.select({ teamId: workspaces.teamId, name: workspaces.name }).from(workspaces).orderBy(workspaces.teamId).all();
}

export function getWorkspace(deps: ServiceDeps, teamId: string): Workspace | undefined {
  return selectWorkspace(deps.db).get({ teamId });
}

/**
 * Uninstalling (or revoking the token) deletes everything the workspace stored: every table
 * references workspaces with ON DELETE CASCADE.
 */
export function deleteWorkspaceData(deps: ServiceDeps, teamId: string): boolean {
  const result = deps.db.delete(workspaces).where(eq(workspaces.teamId, teamId)).run();
  return result.changes > 0;
}
