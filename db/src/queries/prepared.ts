import type { Executor } from '../database.ts';

const built = new WeakMap<Executor, Map<string, unknown>>();

/**
 * A query of the hot paths (a create, a callback, a subscriber's reload), built once per database
 * and then only executed: drizzle writes its SQL once, and postgres.js prepares it once per
 * connection, so that PostgreSQL parses and plans it once too. Built anew each time, these
 * statements cost the gateway more than running them (BENCHMARKS.md, create and callbacks).
 * `name` tells the shapes of one query apart; `build` must give the same query for a name.
 */
export function prepared<Query>(db: Executor, name: string, build: (db: Executor) => Query): Query {
  let queries = built.get(db);
  if (!queries) {
    queries = new Map();
    built.set(db, queries);
  }
  let query = queries.get(name) as Query | undefined;
  if (query === undefined) {
    query = build(db);
    queries.set(name, query);
  }
  return query;
}
