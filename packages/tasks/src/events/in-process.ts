import type { TaskRow } from '@charanim/db';
import type { TaskEventHub } from './index.ts';
import { TaskChannels } from './task-channels.ts';

/**
 * Each change handed to this process's subscribers as it is published: for PGlite, which no other
 * process opens.
 */
export function inProcessTaskEvents(onPublish: (task: TaskRow) => void): TaskEventHub {
  const channels = new TaskChannels();
  return {
    publish(task) {
      onPublish(task);
      channels.deliver(task);
    },
    subscribe: (taskId) => channels.subscribe(taskId),
    endSubscriptions: () => channels.end(),
    close: async () => {},
  };
}
