import type { TaskRow } from '@charanim/db';
import type { TaskEvents } from '@charanim/schema';
import { createPubSub } from 'graphql-yoga';

/** In-process task events, keyed by task id; `onPublish` sees each change (for metrics). */
export function createTaskEvents(onPublish: (task: TaskRow) => void = () => {}): TaskEvents {
  const pubsub = createPubSub<{ task: [taskId: string, task: TaskRow] }>();
  return {
    publish: (task) => {
      onPublish(task);
      pubsub.publish('task', task.id, task);
    },
    subscribe: (taskId) => pubsub.subscribe('task', taskId)[Symbol.asyncIterator](),
  };
}
