import { isRowId } from '@charanim/tasks';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';

/**
 * The row id inside a Relay global id of the given type, or undefined for anything else, so that
 * a malformed or foreign id reads exactly like an id that does not exist.
 */
export function rowIdOf(globalId: string, typename: string): string | undefined {
  try {
    const { typename: actual, id } = decodeGlobalID(globalId);
    return actual === typename && isRowId(id) ? id.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
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

/** The global id of a row of the given type, as the API gives it out (webhook bodies too). */
export function globalId(typename: string, id: string): string {
  return encodeGlobalID(typename, id);
}
