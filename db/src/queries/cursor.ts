import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** A keyset position in a newest-first list: the row's creation time, then its id. */
export interface Position {
  createdAt: Date;
  id: string;
}

export interface Page<Row> {
  rows: Row[];
  hasNextPage: boolean;
}

/** Fetches one row more than asked, to learn whether another page follows. */
export function toPage<Row>(rows: Row[], first: number): Page<Row> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}

/** Rows after `position` in newest-first order; undefined (no condition) without a position. */
export function olderThan(
  columns: { createdAt: PgColumn; id: PgColumn },
  position: Position | undefined,
): SQL | undefined {
  if (!position) return undefined;
  return or(
    lt(columns.createdAt, position.createdAt),
    and(eq(columns.createdAt, position.createdAt), lt(columns.id, position.id)),
  );
}
