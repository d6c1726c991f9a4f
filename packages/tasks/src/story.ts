import type { TaskRow } from '@charanim/db';
import type { Logger } from './logger.ts';

/**
 * One info line for each change of a task this instance writes, so that a task's lines read as
 * its story: created, sent, each state kie.ai reported, and how it ended. Each names the task and
 * its owner; none holds the client's input.
 */
export function logTaskChange(logger: Logger, task: TaskRow): void {
  const about = { taskId: task.id, owner: task.owner };
  const cost = task.creditsConsumed === null ? {} : { credits: task.creditsConsumed };
  switch (task.state) {
    case 'PENDING':
      logger.info(
        {
          ...about,
          model: task.model,
          ...(task.idempotencyKey !== null && { idempotencyKey: task.idempotencyKey }),
        },
        'task created',
      );
      return;
    case 'WAITING':
      logger.info({ ...about, providerTaskId: task.providerTaskId }, 'task sent to kie.ai');
      return;
    case 'SUCCESS':
      logger.info({ ...about, ...cost }, 'task succeeded');
      return;
    case 'FAIL':
      logger.info({ ...about, code: task.errorCode, ...cost }, `task failed: ${task.errorCode}`);
      return;
    default:
      logger.info({ ...about, state: task.state }, `task is ${task.state} at kie.ai`);
  }
}
