import { isRowId, type Page, type Position } from '@charanim/tasks';
import { GraphQLError } from 'graphql';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

/** A keyset position; `rank` too in a list ordered by relevance. */
export interface CursorPosition extends Position {
  rank?: number | undefined;
}

export function encodeCursor({ createdAt, id, rank }: CursorPosition): string {
  const parts = [createdAt.toISOString(), id, ...(rank === undefined ? [] : [rank])];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** A time as encodeCursor writes it, in years 1 to 9999: PostgreSQL reads no other in this form. */
const ISO_TIME = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A cursor's position. One encodeCursor could not have written is the caller's error, found here, not by the database. */
function decodeCursor(cursor: string): CursorPosition {
  try {
    const [createdAt, id, rank] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString(),
    ) as unknown[];
    const timeOk =
      typeof createdAt === 'string' &&
      ISO_TIME.test(createdAt) &&
      new Date(createdAt).toISOString() === createdAt;
    const rankOk = rank === undefined || (typeof rank === 'number' && Number.isFinite(rank));
    if (timeOk && typeof id === 'string' && isRowId(id) && rankOk) {
      return {
        createdAt: new Date(createdAt),
        id,
        ...(rank !== undefined && { rank: rank as number }),
      };
    }
  } catch {
    // reported below
  }
  throw badInput('after is not a cursor returned by this API', 'after');
}

/** Checks `first` and `after` and turns them into a page request. */
export function pageArgs(args: { first?: number | null; after?: string | null }): {
  first: number;
  after: CursorPosition | undefined;
} {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first is ${first}; must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return { first, after: args.after ? decodeCursor(args.after) : undefined };
}

/** What a connection's `totalCount` says, and how it is counted: only when a client asks. */
export const totalCount = {
  description:
    'How many items the list holds over all its pages: its filter and search applied, `first` and `after` not. Counted only when asked for.',
  resolve: (connection: unknown) => (connection as { count: () => Promise<number> }).count(),
};

/**
 * A Relay connection of rows in keyset order; `edgeOf` gives each row's node, position and extras,
 * `count` the number of rows over every page, for `totalCount`.
 */
export function toConnection<Row, Edge extends { position: CursorPosition }>(
  page: Page<Row>,
  hadCursor: boolean,
  edgeOf: (row: Row) => Edge,
  count: () => Promise<number>,
) {
  const edges = page.rows.map((row) => {
    const { position, ...edge } = edgeOf(row);
    return { ...edge, cursor: encodeCursor(position) };
  });
  return {
    edges,
    count,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
