import type { Db } from './client.js';

/**
 * Hot-path queries (read on every request or every job) are built and prepared once per
 * database instead of on every call: drizzle's query builder plus SQLite's prepare cost more
 * than the read itself. Returns a getter for the prepared statement of a given database.
 */
export function preparedPerDb<T>(prepare: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let statement = cache.get(db);
    if (statement === undefined) {
      statement = prepare(db);
      cache.set(db, statement);
    }
    return statement;
  };
}
