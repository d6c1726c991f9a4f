const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A row id is a uuid; anything else cannot name a row and must not reach the database. */
export function isRowId(id: string): boolean {
  return uuid.test(id);
}
