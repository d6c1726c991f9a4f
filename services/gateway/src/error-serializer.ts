import { stdSerializers } from 'pino';

type Link = Record<string, unknown>;

const isObject = (value: unknown): value is Link => typeof value === 'object' && value !== null;

/** drizzle's query errors and PGlite's carry the statement and the values bound to it. */
const isQueryError = (link: Link): link is Link & { query: string } =>
  typeof link.query === 'string' && ('params' in link || 'parameters' in link);

/** The error, then what it wraps: a GraphQL error's original error, an error's cause. */
function chainOf(error: unknown): Link[] {
  const links: Link[] = [];
  for (let link = error; isObject(link) && !links.includes(link) && links.length < 8; ) {
    links.push(link);
    link = link.originalError ?? link.cause;
  }
  return links;
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * pino's `err` serializer, except for an error that wraps a failed query: its message and stack
 * (drizzle writes the bound values into both), the values themselves and the database's detail
 * may hold what a user sent. Such an error is logged as the statement, the database's error code
 * and its message with every quoted value masked, and the stack's frames.
 */
export function serializeError(error: unknown): unknown {
  const links = chainOf(error);
  const failed = links.find(isQueryError);
  if (!failed) return stdSerializers.err(error as Error);
  const database = links.findLast((link) => typeof link.code === 'string');
  return {
    type: links[0]?.constructor?.name,
    message: 'database query failed',
    query: failed.query,
    path: links[0]?.path,
    code: text(database?.code),
    routine: text(database?.routine),
    constraint: text(database?.constraint ?? database?.constraint_name),
    databaseMessage: text(database?.message)?.replace(/"[^"]*"/g, '"…"'),
    stack: text(failed.stack)
      ?.split('\n')
      .filter((line) => line.startsWith('    at '))
      .join('\n'),
  };
}
