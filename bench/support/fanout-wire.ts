/**
 * What the fan-out benchmark's two servers send and their subscribers read: the gateway's
 * `taskUpdated` selection, and the baseline's copy of the graphql-ws message it produces.
 */

export const FOLLOW =
  'subscription($id: ID!) { taskUpdated(id: $id) { id state updatedAt completedAt } }';

/** The Relay global id of a task row (Pothos: base64 of `Task:<row id>`). */
export function taskGlobalId(rowId: string): string {
  return Buffer.from(`Task:${rowId}`).toString('base64');
}

/**
 * The graphql-ws `next` message the gateway sends for FOLLOW when a task reaches `state`, as one
 * string for all of the task's subscribers. The baseline names a subscription by its task's row id,
 * as long as graphql-ws's own ids.
 */
export function nextMessage(rowId: string, state: string, final: boolean): string {
  const at = new Date().toISOString();
  const taskUpdated = {
    id: taskGlobalId(rowId),
    state,
    updatedAt: at,
    completedAt: final ? at : null,
  };
  return JSON.stringify({ id: rowId, type: 'next', payload: { data: { taskUpdated } } });
}

/**
 * Wall-clock milliseconds with a fraction, comparable between processes on one machine: each
 * process's monotonic clock from its `performance.timeOrigin`, which Node takes from the system
 * clock as the process starts (within 0.01 ms of `Date.now()` on this machine).
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}
