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
