import { eq } from 'drizzle-orm';
import { workspaces } from '../db/schema.js';
import type { ServiceDeps } from './context.js';

export type Workspace = typeof workspaces.$inferSelect;

/** Creates the workspace row on first contact; later calls only read it. */
export function ensureWorkspace(deps: ServiceDeps, teamId: string, defaults: { timeZone: string; name?: string | undefined }): Workspace {
  const now = deps.clock.now();
  deps.db
    .insert(workspaces)
    .values({ teamId, name: defaults.name ?? null, timeZone: defaults.timeZone, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .run();
  return getWorkspace(deps, teamId)!;
}

export function getWorkspace(deps: ServiceDeps, teamId: string): Workspace | undefined {
  return deps.db.select().from(workspaces).where(eq(workspaces.teamId, teamId)).get();
}

/**
 * Uninstalling (or revoking the token) deletes everything the workspace stored: every table
 * references workspaces with ON DELETE CASCADE.
 */
export function deleteWorkspaceData(deps: ServiceDeps, teamId: string): boolean {
  const result = deps.db.delete(workspaces).where(eq(workspaces.teamId, teamId)).run();
  return result.changes > 0;
}
