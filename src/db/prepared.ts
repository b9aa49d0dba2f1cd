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

/**
 * Whether `db` is the database itself rather than a transaction handle. Prepared statements are
 * cached per database (preparedPerDb); a transaction handle is a new object each time, so there
 * the query is built as usual. better-sqlite3 runs a transaction on the same connection, so a
 * statement prepared on the database may also be run inside one, and sees its writes.
 */
export function isRootDb(db: Db): boolean {
  return '$client' in db;
}
