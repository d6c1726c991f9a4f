import {
  advanceTask,
  type Database,
  linkedVideo,
  type TaskChange,
  type TaskRow,
} from '@charanim/db';
import type { ModelRegistry, TaskRecord } from '@charanim/provider';
import type { TaskEvents } from '@charanim/schema';

export interface TaskUpdater {
  db: Database;
  models: ModelRegistry;
  pubsub: TaskEvents;
}

const stateOf = {
  waiting: 'WAITING',
  queuing: 'QUEUING',
  generating: 'GENERATING',
} as const;

/** What a provider record means for one of our tasks. */
export function changeFor(task: TaskRow, record: TaskRecord, models: ModelRegistry): TaskChange {
  if (record.state === 'fail') {
    return {
      state: 'FAIL',
      error: {
        code: record.failCode ?? 'GENERATION_FAILED',
        message: record.failMsg ?? 'kie.ai reported that the task failed',
      },
    };
  }
  if (record.state !== 'success') return { state: stateOf[record.state] };
  const model = models.get(task.model);
  try {
    if (!model || record.resultJson === null) throw new Error('no result');
    const { characterId } = model.parseResult(record.resultJson) as { characterId: string };
    const input = task.input as { videoUrl: string; prompt?: string; safetyInstruction?: string };
    return {
      state: 'SUCCESS',
      character: {
        characterId,
        prompt: input.prompt ?? null,
        safetyInstruction: input.safetyInstruction ?? null,
        sourceVideo: task.sourceVideo ?? linkedVideo(input.videoUrl),
      },
    };
  } catch {
    return {
      state: 'FAIL',
      error: { code: 'INVALID_RESULT', message: 'kie.ai reported success without a character id' },
    };
  }
}

/** Applies a provider record; returns the task when it moved, after telling its subscribers. */
export async function applyRecord(
  { db, models, pubsub }: TaskUpdater,
  task: TaskRow,
  record: TaskRecord,
): Promise<TaskRow | undefined> {
  const moved = await advanceTask(db, task.id, changeFor(task, record, models));
  if (moved) pubsub.publish(moved);
  return moved;
}
