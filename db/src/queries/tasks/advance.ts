import { and, eq, lt, notInArray, sql } from 'drizzle-orm';
import type { Executor } from '../../database.ts';
import { type TaskRow, type TaskState, tasks } from '../../schema.ts';
import { prepared } from '../prepared.ts';
import { characterRecord, characterWrites, type NewCharacter } from '../results/character-store.ts';
import { type NewVideo, videoRecord, videoWrites } from '../results/video-store.ts';
import { finishedStates, isFinished } from './read.ts';

const ph = sql.placeholder;
const finished = [...finishedStates];

/** A finished task's result: as parsed (kept in `tasks.result`) and the row its kind's store writes. */
export type StoredResult = { value: Record<string, unknown> } & (
  | { kind: 'character'; record: NewCharacter }
  | { kind: 'video'; record: NewVideo }
);

/** Each result kind's store: its record as JSON, and the inserts that write it. */
const stores = {
  character: { record: characterRecord, writes: characterWrites },
  video: { record: videoRecord, writes: videoWrites },
} as const;

export interface TaskChange {
  state: TaskState;
  error?: { code: string; message: string } | undefined;
  /** Frees the task's idempotency key, so that a retry with it makes a new task. */
  releaseIdempotencyKey?: boolean | undefined;
  /** With a SUCCESS: written in the same statement as the task. */
  result?: StoredResult | undefined;
  /** With a final state: what kie.ai said the task cost, which settles its credit charge. */
  creditsConsumed?: number | undefined;
}

/**
 * Moves a task forward, never back and never out of SUCCESS or FAIL (the enum's order is the
 * life of a task). Returns the updated row, or undefined when the change would not move it, which
 * makes duplicate and late news harmless. One statement: a SUCCESS writes its result's rows (its
 * kind's store) in the same statement as the task, so all land or none, without a transaction's
 * extra round trips.
 */
export async function advanceTask(
  db: Executor,
  id: string,
  change: TaskChange,
): Promise<TaskRow | undefined> {
  const shape: AdvanceShape = {
    done: isFinished(change.state),
    error: change.error !== undefined,
    releaseIdempotencyKey: change.releaseIdempotencyKey === true,
    result: change.state === 'SUCCESS' ? change.result?.kind : undefined,
    credits: change.creditsConsumed !== undefined,
  };
  const name = `advanceTask:${Number(shape.done)}${Number(shape.error)}${Number(shape.releaseIdempotencyKey)}${Number(shape.credits)}:${shape.result ?? '-'}`;
  const [row] = await prepared(db, name, (db) => advanceQuery(db, shape)).execute(
    advanceParams(id, change),
  );
  return row;
}

/** Which columns an advance writes and which store it calls: each combination is one statement. */
interface AdvanceShape {
  done: boolean;
  error: boolean;
  releaseIdempotencyKey: boolean;
  result: StoredResult['kind'] | undefined;
  credits: boolean;
}

function advanceQuery(db: Executor, shape: AdvanceShape) {
  const move = db
    .update(tasks)
    .set({
      state: sql`${ph('state')}::task_state`,
      updatedAt: sql`now()`,
      ...(shape.done && { completedAt: sql`now()`, nextPollAt: null, leasedBy: null }),
      ...(shape.error && {
        errorCode: sql`${ph('errorCode')}::text`,
        errorMessage: sql`${ph('errorMessage')}::text`,
      }),
      ...(shape.releaseIdempotencyKey && { idempotencyKey: null }),
      ...(shape.result && { result: sql`${ph('result')}::jsonb` }),
      ...(shape.credits && { creditsConsumed: sql`${ph('creditsConsumed')}::integer` }),
    })
    .where(
      and(eq(tasks.id, ph('id')), notInArray(tasks.state, finished), lt(tasks.state, ph('state'))),
    )
    .returning();
  if (!shape.result) return move;
  const moved = db.$with('moved').as(move);
  const writes = stores[shape.result].writes(db, moved, sql`${ph('record')}::jsonb`);
  return db
    .with(moved, ...writes)
    .select()
    .from(moved);
}

function advanceParams(id: string, change: TaskChange) {
  const result = change.result;
  return {
    id,
    state: change.state,
    errorCode: change.error?.code,
    errorMessage: change.error?.message,
    creditsConsumed: change.creditsConsumed,
    result: result && JSON.stringify(result.value),
    record: result && JSON.stringify(recordOf(result)),
  };
}

function recordOf(result: StoredResult): Record<string, unknown> {
  return result.kind === 'character'
    ? stores.character.record(result.record)
    : stores.video.record(result.record);
}
