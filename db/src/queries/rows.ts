/** The rows of a raw query, as postgres.js (an array) or PGlite (`{ rows }`) returns them. */
export function rowsOf<Row>(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : ((result as { rows: Row[] }).rows ?? []);
}
