import type { DbHandle } from '../../src/db/client.js';

/** Every row a workspace holds, table by table (each table that has a team_id column), in insertion order. */
export function workspaceRows(database: DbHandle, teamId: string): Record<string, unknown[]> {
  const tables = database.sqlite
    .prepare(`SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'team_id' ORDER BY m.name`)
    .pluck()
    .all() as string[];
  return Object.fromEntries(tables.map((name) => [name, database.sqlite.prepare(`SELECT * FROM "${name}" WHERE team_id = ? ORDER BY rowid`).all(teamId)]));
}

/** The tables in `rows` that hold anything, with their row counts. */
export function nonEmpty(rows: Record<string, unknown[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(rows).filter(([, r]) => r.length > 0).map(([name, r]) => [name, r.length]));
}

/** Every row of every table (migrations included), table by table in rowid order: compare two to prove nothing changed. */
export function allRows(database: DbHandle): Record<string, unknown[]> {
  const tables = database.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  return Object.fromEntries(tables.map((name) => [name, database.sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
}
