import { decodeGlobalID } from '@pothos/plugin-relay';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The row id inside a Relay global id of the given type, or undefined for anything else, so that
 * a malformed or foreign id reads exactly like an id that does not exist.
 */
export function rowIdOf(globalId: string, typename: string): string | undefined {
  try {
    const { typename: actual, id } = decodeGlobalID(globalId);
    return actual === typename && uuid.test(id) ? id.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** A row id is a uuid; anything else cannot name a row and must not reach the database. */
export function isRowId(id: string): boolean {
  return uuid.test(id);
}

/** The row a global id of the given type names, or null when there is none (or not for you). */
export async function findByGlobalId<Row>(
  globalId: string,
  typename: string,
  find: (id: string) => Promise<Row | undefined>,
): Promise<Row | null> {
  const id = rowIdOf(globalId, typename);
  return id ? ((await find(id)) ?? null) : null;
}
