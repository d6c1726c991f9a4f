import { type TaskState, taskStates } from '../../schema.ts';

/** The channel on which migration 0011's trigger announces each task state change, on commit. */
export const TASK_CHANGES_CHANNEL = 'task_changes';

/** One announcement: which task moved, to which state, when. The row itself is reloaded. */
export interface TaskChangeNotice {
  id: string;
  state: TaskState;
  updatedAt: Date;
}

/** Reads a `task_changes` payload; undefined for one this version does not understand. */
export function parseTaskChangeNotice(payload: string): TaskChangeNotice | undefined {
  try {
    const { id, state, updatedAt } = JSON.parse(payload) as Record<string, unknown>;
    const at = new Date(String(updatedAt));
    if (typeof id !== 'string' || !taskStates.includes(state as TaskState)) return undefined;
    if (Number.isNaN(at.getTime())) return undefined;
    return { id, state: state as TaskState, updatedAt: at };
  } catch {
    return undefined;
  }
}
