import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DatabaseHandle,
  isFinished,
  parseTaskChangeNotice,
  TASK_CHANGES_CHANNEL,
  type TaskChangeNotice,
  type TaskRow,
  taskStates,
} from '@charanim/db';
import type { Logger } from '../logger.ts';
import type { TaskEventHub } from './index.ts';
import { TaskChannels } from './task-channels.ts';

export interface NotifyTaskEventsOptions {
  listen: NonNullable<DatabaseHandle['listen']>;
  /** Reads a task as it is now. */
  load(taskId: string): Promise<TaskRow | undefined>;
  /** Sees each change this instance writes (for metrics). */
  onPublish(task: TaskRow): void;
  logger: Logger;
  /** The wait before reading a changed task again after a failed read. Default 1000. */
  retryMs?: number;
}

/**
 * Task events shared by every instance on one PostgreSQL database. The database announces each
 * state change itself (a trigger NOTIFYs `task_changes` on commit, whichever instance wrote it);
 * each instance LISTENs, and reloads a changed task only when one of its own subscribers follows
 * it, once for all of them. A task's notices are handled one after the other, in the order they
 * came, so that its subscribers see its changes in order.
 */
export async function notifyTaskEvents(options: NotifyTaskEventsOptions): Promise<TaskEventHub> {
  const { load, logger, retryMs = 1_000 } = options;
  const channels = new TaskChannels();
  const queues = new Map<string, Promise<void>>();
  let listening = false;
  let closed = false;

  const enqueue = (taskId: string, work: () => Promise<void>) => {
    const queued = (queues.get(taskId) ?? Promise.resolve()).then(work);
    queues.set(taskId, queued);
    void queued.finally(() => {
      if (queues.get(taskId) === queued) queues.delete(taskId);
    });
  };

  /** Hands the task to its followers here, as the notice announced it, or as it is now. */
  const deliver = async (taskId: string, notice?: TaskChangeNotice) => {
    // A failed read is tried again for as long as someone follows the task: dropping the notice
    // would leave its followers waiting for a change that already happened.
    for (let attempt = 1; channels.isFollowed(taskId) && !closed; attempt++) {
      try {
        const task = await load(taskId);
        if (task) channels.deliver(notice ? asAnnounced(task, notice) : task);
        return;
      } catch (error) {
        logger.warn({ err: error, taskId, attempt }, 'could not read a changed task, trying again');
        await sleep(retryMs);
      }
    }
  };

  const unlisten = await options.listen(
    TASK_CHANGES_CHANNEL,
    (payload) => {
      const notice = parseTaskChangeNotice(payload);
      if (!notice) {
        logger.warn({ payload }, 'a task change notice this version does not understand');
        return;
      }
      if (channels.isFollowed(notice.id)) enqueue(notice.id, () => deliver(notice.id, notice));
    },
    () => {
      if (listening) {
        // Notices sent while the connection was down are lost: the followed tasks are read again,
        // and subscribers get those that moved meanwhile.
        const followed = channels.followed();
        logger.warn({ followedTasks: followed.length }, 'listening for task changes again');
        for (const taskId of followed) enqueue(taskId, () => deliver(taskId));
      }
      listening = true;
    },
  );

  return {
    // The trigger has announced the change already, to this instance as to the others.
    publish: (task) => options.onPublish(task),
    subscribe: (taskId) => channels.subscribe(taskId),
    endSubscriptions: () => channels.end(),
    async close() {
      closed = true;
      await unlisten();
      await Promise.all(queues.values());
    },
  };
}

const order = (state: TaskRow['state']) => taskStates.indexOf(state);

/**
 * The task as its notice announced it. The row may have moved on before it was read, and the
 * later change comes with a notice of its own, so this one's state is rebuilt from the row: only an
 * unfinished state can have been passed, and unfinished states differ only in their state and
 * time (an error and a completion time come with SUCCESS and FAIL alone).
 */
function asAnnounced(task: TaskRow, notice: TaskChangeNotice): TaskRow {
  if (order(task.state) <= order(notice.state) || isFinished(notice.state)) return task;
  return {
    ...task,
    state: notice.state,
    updatedAt: notice.updatedAt,
    completedAt: null,
    errorCode: null,
    errorMessage: null,
  };
}
