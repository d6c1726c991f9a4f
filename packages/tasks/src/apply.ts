import { advanceTask, type TaskChange, type TaskRow } from '@charanim/db';
import type { ModelDefinition, TaskRecord } from '@charanim/provider';
import type { TaskCoreDeps } from './deps.ts';
import { storedResult } from './results.ts';

const stateOf = {
  waiting: 'WAITING',
  queuing: 'QUEUING',
  generating: 'GENERATING',
} as const;

/** What a provider record means for one of our tasks; a SUCCESS carries its typed result. */
export function changeFor(
  task: TaskRow,
  record: TaskRecord,
  model: ModelDefinition | undefined,
): TaskChange {
  if (record.state === 'fail') {
    const failure = {
      code: record.failCode ?? 'GENERATION_FAILED',
      message: record.failMsg ?? 'kie.ai reported that the task failed',
    };
    const advice = model?.adviseOnFailure?.(failure, task.input);
    return {
      state: 'FAIL',
      error: advice ? { ...failure, message: `${failure.message}. ${advice}` } : failure,
      // kie.ai does not charge a generation that failed (kie-models.md): 0 unless it says more.
      creditsConsumed: record.creditsConsumed ?? 0,
    };
  }
  if (record.state !== 'success') return { state: stateOf[record.state] };
  try {
    if (model?.mode !== 'task') throw new Error(`no task model ${task.model}`);
    if (record.resultJson === null) throw new Error('no result');
    const parsed = model.parseResult(record.resultJson);
    const completedAt = record.completeTime ?? Date.now();
    return {
      state: 'SUCCESS',
      result: storedResult(model, task, parsed, completedAt),
      creditsConsumed: record.creditsConsumed,
    };
  } catch (error) {
    const why = record.resultJson === null ? 'it sent no result' : reasonOf(error);
    return {
      state: 'FAIL',
      error: { code: 'INVALID_RESULT', message: `kie.ai reported success, but ${why}` },
      creditsConsumed: record.creditsConsumed,
    };
  }
}

/** Why a result could not be read, in a few words: a zod report would say too much. */
function reasonOf(error: unknown): string {
  if (error instanceof SyntaxError) return 'its resultJson is not JSON';
  if (error instanceof Error && /^resultJson /.test(error.message)) return `its ${error.message}`;
  return 'its result is not of the kind the model makes';
}

/** Applies a provider record; returns the task when it moved, after telling its subscribers. */
export async function applyRecord(
  { db, models, events }: Pick<TaskCoreDeps, 'db' | 'models' | 'events'>,
  task: TaskRow,
  record: TaskRecord,
): Promise<TaskRow | undefined> {
  const moved = await advanceTask(db, task.id, changeFor(task, record, models.get(task.model)));
  if (moved) events.publish(moved);
  return moved;
}
