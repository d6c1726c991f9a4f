import type { Executor } from '../database.ts';

const built = new WeakMap<Executor, Map<string, unknown>>();

/** A query drizzle can prepare: any select, insert or update builder. */
interface Preparable {
  prepare(name: string): unknown;
}

/**
 * A query of the hot paths (a create, a callback, a subscriber's reload), built and prepared once
 * per database and then only executed: drizzle writes its SQL once, and postgres.js prepares it
 * once per connection, so that PostgreSQL parses and plans it once too. Built anew each time, these
 * statements cost the gateway more than running them (BENCHMARKS.md, create and callbacks).
 * `name` tells the shapes of one query apart; `build` must give the same query for a name.
 */
export function prepared<Query extends Preparable>(
  db: Executor,
  name: string,
  build: (db: Executor) => Query,
): ReturnType<Query['prepare']> {
  let queries = built.get(db);
  if (!queries) {
    queries = new Map();
    built.set(db, queries);
  }
  let query = queries.get(name) as ReturnType<Query['prepare']> | undefined;
  if (query === undefined) {
    query = build(db).prepare(name) as ReturnType<Query['prepare']>;
    queries.set(name, query);
  }
  return query;
}
