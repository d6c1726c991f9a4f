import {
  type DeletedTask,
  deleteFinishedTask,
  findCharacter,
  findTask,
  isFinished,
  isRowId,
  type TaskState,
} from '@charanim/db';
import type { TaskCoreDeps } from './deps.ts';

/** What a delete came to. */
export type DeleteOutcome =
  | ({ kind: 'deleted' } & DeletedTask)
  | { kind: 'not-found' }
  /** The task has not ended: it is kept until it does, so that nothing it makes is orphaned. */
  | { kind: 'in-flight'; state: TaskState };

type Deps = Pick<TaskCoreDeps, 'db' | 'logger'>;

/**
 * Deletes one of the owner's tasks that has ended, and what it made. kie.ai keeps its own copy
 * (its record, its result files until they expire); the gateway forgets it: lists, search and
 * look-ups no longer find it. Its subscriptions ended with it, and a new one finds no task.
 */
export async function deleteTask(
  { db, logger }: Deps,
  owner: string,
  id: string,
): Promise<DeleteOutcome> {
  const task = isRowId(id) ? await findTask(db, owner, id) : undefined;
  if (!task) return { kind: 'not-found' };
  if (!isFinished(task.state)) return { kind: 'in-flight', state: task.state };
  const deleted = await deleteFinishedTask(db, owner, task.id);
  // Another request deleted it in between.
  if (!deleted) return { kind: 'not-found' };
  logger.info({ taskId: task.id, owner, ...made(deleted) }, 'task deleted');
  return { kind: 'deleted', ...deleted };
}

/**
 * Deletes one of the owner's characters with the task that made it: a character is its task's
 * result, and a task kept without it would read as a success that made nothing. Videos that used
 * it keep their files and no longer list it; a video task in flight that names it goes on at
 * kie.ai, which has the character, and its video will not list it.
 */
export async function deleteCharacter(
  deps: Deps,
  owner: string,
  id: string,
): Promise<DeleteOutcome> {
  const character = isRowId(id) ? await findCharacter(deps.db, owner, id) : undefined;
  if (!character) return { kind: 'not-found' };
  return deleteTask(deps, owner, character.taskId);
}

function made({ characterId, videoId }: DeletedTask) {
  return {
    ...(characterId !== null && { characterId }),
    ...(videoId !== null && { videoId }),
  };
}
