import type { Page, Position } from '@charanim/db';
import { GraphQLError } from 'graphql';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

function badInput(message: string, argument: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

export function encodeCursor({ createdAt, id }: Position): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    const date = new Date(String(createdAt));
    if (typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) && !Number.isNaN(date.getTime())) {
      return { createdAt: date, id };
    }
  } catch {
    // reported below
  }
  throw badInput('after is not a cursor returned by this API', 'after');
}

/** Checks `first` and `after` and turns them into a page request. */
export function pageArgs(args: { first?: number | null; after?: string | null }): {
  first: number;
  after: Position | undefined;
} {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first is ${first}; must be between 0 and ${MAX_PAGE_SIZE}`, 'first');
  }
  return { first, after: args.after ? decodeCursor(args.after) : undefined };
}

/** A Relay connection of rows in keyset order. */
export function toConnection<Row extends Position>(page: Page<Row>, hadCursor: boolean) {
  const edges = page.rows.map((node) => ({ node, cursor: encodeCursor(node) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
