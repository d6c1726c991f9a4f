import { findTask, isFinished, isRowId, type TaskRow, taskStates } from '@charanim/db';
import type { TaskCoreDeps } from './deps.ts';

/** The task to follow does not exist, or is not the caller's. */
export class TaskNotFound extends Error {
  override readonly name = 'TaskNotFound';
}

const order = (task: TaskRow) => taskStates.indexOf(task.state);

/**
 * The task as it is now, then every change in order, until SUCCESS or FAIL. Duplicate and
 * out-of-order news never moves a follower back. Throws TaskNotFound before yielding anything for
 * a task that is not the owner's.
 */
export async function* followTask(
  { db, events }: Pick<TaskCoreDeps, 'db' | 'events'>,
  owner: string,
  id: string,
): AsyncGenerator<TaskRow> {
  // Subscribe before reading, so that a change between the read and the subscription is not lost.
  const changes = isRowId(id) ? events.subscribe(id) : undefined;
  try {
    const current = changes ? await findTask(db, owner, id) : undefined;
    if (!current || !changes) throw new TaskNotFound(`no task ${id}`);
    let last = current;
    yield last;
    if (isFinished(last.state)) return;
    for await (const task of changes) {
      if (order(task) <= order(last)) continue;
      last = task;
      yield last;
      if (isFinished(last.state)) return;
    }
  } finally {
    await changes?.return?.();
  }
}
