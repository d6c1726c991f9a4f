import { type DatabaseHandle, findTaskById, type TaskRow } from '@charanim/db';
import type { Logger } from '../logger.ts';
import { inProcessTaskEvents } from './in-process.ts';
import { notifyTaskEvents } from './postgres-notify.ts';

/** Task changes, as they are written: what subscriptions read. */
export interface TaskEvents {
  publish(task: TaskRow): void;
  /** Every change of one task from now on, until the iterator is returned. */
  subscribe(taskId: string): AsyncIterableIterator<TaskRow>;
}

/** The task events of a running gateway, which it closes when it stops. */
export interface TaskEventHub extends TaskEvents {
  /**
   * Ends every subscription's feed, and those made later, so that the subscriptions complete:
   * the first step of a shutdown, before the server waits for its connections to end.
   */
  endSubscriptions(): void;
  /** Stops listening, and waits for the deliveries in flight. */
  close(): Promise<void>;
}

/**
 * Task events for the gateway's database: through PostgreSQL's LISTEN/NOTIFY on a server, which
 * several instances may share, so that a change written by one reaches subscribers on all; in
 * process for the embedded PGlite, which one process alone opens. `onPublish` sees each change
 * this instance writes (for metrics).
 */
export async function createTaskEvents(
  database: DatabaseHandle,
  logger: Logger,
  onPublish: (task: TaskRow) => void,
): Promise<TaskEventHub> {
  if (!database.listen) return inProcessTaskEvents(onPublish);
  return notifyTaskEvents({
    listen: database.listen,
    load: (taskId) => findTaskById(database.db, taskId),
    onPublish,
    logger,
  });
}
