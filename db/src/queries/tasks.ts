import {
  and,
  desc,
  eq,
  getTableColumns,
  isNotNull,
  isNull,
  lt,
  lte,
  notInArray,
  sql,
} from 'drizzle-orm';
import type { Executor } from '../database.ts';
import {
  characters,
  type SourceVideo,
  type TaskRow,
  type TaskState,
  taskStates,
  tasks,
} from '../schema.ts';
import { olderThan, type Page, type Position, toPage } from './cursor.ts';
import { prepared } from './prepared.ts';

const finished: TaskState[] = ['SUCCESS', 'FAIL'];

export function isFinished(state: TaskState): boolean {
  return finished.includes(state);
}

export interface NewTask {
  owner: string;
  model: string;
  input: Record<string, unknown>;
  sourceVideo?: SourceVideo | undefined;
  idempotencyKey?: string | undefined;
  inputFingerprint?: string | undefined;
  /**
   * The request making the task is the only one that can ever send it (it has no idempotency key
   * that a repeat could name): its claim to send it is written with it, saving a statement.
   */
  claimed?: boolean | undefined;
}

const ph = sql.placeholder;

/** A new task's columns as placeholders (see {@link newTaskParams}); the rest take defaults. */
const newTaskValues = {
  owner: ph('owner'),
  model: ph('model'),
  input: ph('input'),
  // Cast rather than encoded by the column: drizzle would write a missing value as JSON null.
  sourceVideo: sql`${ph('sourceVideo')}::jsonb`,
  idempotencyKey: ph('idempotencyKey'),
  inputFingerprint: ph('inputFingerprint'),
  submittedAt: sql`case when ${ph('claimed')}::boolean then now() end`,
};

function newTaskParams(task: NewTask) {
  return {
    owner: task.owner,
    model: task.model,
    input: task.input,
    sourceVideo: task.sourceVideo === undefined ? null : JSON.stringify(task.sourceVideo),
    idempotencyKey: task.idempotencyKey ?? null,
    inputFingerprint: task.inputFingerprint ?? null,
    claimed: task.claimed ?? false,
  };
}

export async function insertTask(db: Executor, task: NewTask): Promise<TaskRow> {
  const [row] = await prepared(db, 'insertTask', (db) =>
    db.insert(tasks).values(newTaskValues).returning(),
  ).execute(newTaskParams(task));
  if (!row) throw new Error('insert into tasks returned no row');
  return row;
}

/**
 * Inserts a task, or fetches the owner's task that already holds its idempotency key. The unique
 * index decides, so that requests arriving at the same moment make one task between them.
 */
export async function insertOrFetchTask(
  db: Executor,
  task: NewTask & { idempotencyKey: string },
): Promise<{ task: TaskRow; created: boolean }> {
  const [row] = await prepared(db, 'insertTaskUnlessKeyHeld', (db) =>
    db
      .insert(tasks)
      .values(newTaskValues)
      .onConflictDoNothing({
        target: [tasks.owner, tasks.idempotencyKey],
        where: sql`${tasks.idempotencyKey} is not null`,
      })
      .returning(),
  ).execute(newTaskParams(task));
  if (row) return { task: row, created: true };
  const [existing] = await prepared(db, 'findTaskByKey', (db) =>
    db
      .select()
      .from(tasks)
      .where(and(eq(tasks.owner, ph('owner')), eq(tasks.idempotencyKey, ph('key')))),
  ).execute({ owner: task.owner, key: task.idempotencyKey });
  // The holder released the key in between (its submission was refused): try again.
  if (!existing) return insertOrFetchTask(db, task);
  return { task: existing, created: false };
}

/** For callbacks, which name our task by the id in their URL and carry no owner. */
export async function findTaskById(db: Executor, id: string): Promise<TaskRow | undefined> {
  const [row] = await prepared(db, 'findTaskById', (db) =>
    db
      .select()
      .from(tasks)
      .where(eq(tasks.id, ph('id'))),
  ).execute({ id });
  return row;
}

/**
 * Claims the one right to send a PENDING task to kie.ai; false when another request holds it.
 * Claimed before each createTask attempt, so that a task is never sent twice, even by two racing
 * requests, and one left unclaimed was surely never sent.
 */
export async function claimSubmission(db: Executor, id: string): Promise<boolean> {
  const claimed = await prepared(db, 'claimSubmission', (db) =>
    db
      .update(tasks)
      .set({ submittedAt: sql`now()` })
      .where(and(eq(tasks.id, ph('id')), eq(tasks.state, 'PENDING'), isNull(tasks.submittedAt)))
      .returning({ id: tasks.id }),
  ).execute({ id });
  return claimed.length > 0;
}

/**
 * Gives the claim back after kie.ai surely refused the attempt, so that while the request waits to
 * try again, a repeat of it (after this process died) knows the task was never sent.
 */
export async function releaseSubmission(db: Executor, id: string): Promise<void> {
  await db
    .update(tasks)
    .set({ submittedAt: null })
    .where(and(eq(tasks.id, id), eq(tasks.state, 'PENDING'), isNull(tasks.providerTaskId)));
}

/** Records where a PENDING task's uploaded video now lives. */
export async function attachVideo(
  db: Executor,
  id: string,
  sourceVideo: SourceVideo,
): Promise<TaskRow | undefined> {
  const [row] = await db
    .update(tasks)
    .set({
      input: sql`${tasks.input} || jsonb_build_object('videoUrl', ${sourceVideo.url}::text)`,
      sourceVideo,
      updatedAt: sql`now()`,
    })
    .where(and(eq(tasks.id, id), eq(tasks.state, 'PENDING')))
    .returning();
  return row;
}

/**
 * Ends the PENDING tasks that never got a provider id and were last sent (or, never sent, made)
 * before `sentBefore`: their createTask was lost (the process died, or kie.ai never answered) and
 * no callback came. They are never submitted again. Judged by the last send, not the creation, so
 * that a repeat sending a task long after it was made is not cut off while kie.ai answers it.
 */
export async function failLostSubmissions(
  db: Executor,
  sentBefore: Date,
  error: { code: string; message: string },
): Promise<TaskRow[]> {
  return db
    .update(tasks)
    .set({
      state: 'FAIL',
      errorCode: error.code,
      errorMessage: error.message,
      completedAt: sql`now()`,
      updatedAt: sql`now()`,
      nextPollAt: null,
    })
    .where(
      and(
        eq(tasks.state, 'PENDING'),
        isNull(tasks.providerTaskId),
        lt(
          sql`coalesce(${tasks.submittedAt}, ${tasks.createdAt})`,
          sql`${sentBefore.toISOString()}::timestamptz`,
        ),
      ),
    )
    .returning();
}

export async function findTask(
  db: Executor,
  owner: string,
  id: string,
): Promise<TaskRow | undefined> {
  const [row] = await prepared(db, 'findTask', (db) =>
    db
      .select()
      .from(tasks)
      .where(and(eq(tasks.owner, ph('owner')), eq(tasks.id, ph('id')))),
  ).execute({ owner, id });
  return row;
}

/** For callbacks, which name the provider's id and no owner. */
export async function findTaskByProviderId(
  db: Executor,
  providerTaskId: string,
): Promise<TaskRow | undefined> {
  const [row] = await prepared(db, 'findTaskByProviderId', (db) =>
    db
      .select()
      .from(tasks)
      .where(eq(tasks.providerTaskId, ph('providerTaskId'))),
  ).execute({ providerTaskId });
  return row;
}

export interface TaskListOptions {
  first: number;
  after?: Position | undefined;
  state?: TaskState | undefined;
}

/** Newest first. */
export async function listTasks(
  db: Executor,
  owner: string,
  { first, after, state }: TaskListOptions,
): Promise<Page<TaskRow>> {
  const rows = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.owner, owner), state && eq(tasks.state, state), olderThan(tasks, after)))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(first + 1);
  return toPage(rows, first);
}

/** The provider accepted the task: it is WAITING there and the poller takes it from `nextPollAt`. */
export async function recordSubmission(
  db: Executor,
  id: string,
  providerTaskId: string,
  nextPollAt: Date,
): Promise<TaskRow | undefined> {
  const [row] = await prepared(db, 'recordSubmission', (db) =>
    db
      .update(tasks)
      .set({
        providerTaskId: sql`${ph('providerTaskId')}::text`,
        state: 'WAITING',
        nextPollAt: sql`${ph('nextPollAt')}::timestamptz`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(tasks.id, ph('id')), eq(tasks.state, 'PENDING')))
      .returning(),
  ).execute({ id, providerTaskId, nextPollAt: nextPollAt.toISOString() });
  return row;
}

export interface NewCharacter {
  characterId: string;
  prompt: string | null;
  safetyInstruction: string | null;
  sourceVideo: SourceVideo;
}

/** A video the client linked to: only its URL is known. */
export function linkedVideo(url: string): SourceVideo {
  return {
    url,
    format: null,
    durationSeconds: null,
    sizeBytes: null,
    sha256: null,
    expiresAt: null,
  };
}

export interface TaskChange {
  state: TaskState;
  error?: { code: string; message: string } | undefined;
  /** Frees the task's idempotency key, so that a retry with it makes a new task. */
  releaseIdempotencyKey?: boolean | undefined;
  /** Written with a SUCCESS, in the same transaction. */
  character?: NewCharacter | undefined;
}

/**
 * Moves a task forward, never back and never out of SUCCESS or FAIL (the enum's order is the
 * life of a task). Returns the updated row, or undefined when the change would not move it, which
 * makes duplicate and late news harmless. One statement: a SUCCESS writes its character in the same
 * statement as the task, so both land or neither, without a transaction's extra round trips.
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
    character: change.state === 'SUCCESS' && change.character !== undefined,
  };
  const name = `advanceTask:${Object.values(shape).map(Number).join('')}`;
  const [row] = await prepared(db, name, (db) => advanceQuery(db, shape)).execute(
    advanceParams(id, change),
  );
  return row;
}

/** Which columns an advance writes: each combination is one prepared statement. */
interface AdvanceShape {
  done: boolean;
  error: boolean;
  releaseIdempotencyKey: boolean;
  character: boolean;
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
    })
    .where(
      and(eq(tasks.id, ph('id')), notInArray(tasks.state, finished), lt(tasks.state, ph('state'))),
    )
    .returning();
  if (!shape.character) return move;
  const moved = db.$with('moved').as(move);
  // Every column but the generated search vector, in the table's order, as INSERT … SELECT
  // takes them (drizzle's typed select would want the generated column too).
  const made = db.$with('made').as(
    db
      .insert(characters)
      .select(
        sql`select gen_random_uuid(), ${moved.owner}, ${moved.id}, ${ph('characterId')}::text,
          ${ph('prompt')}::text, ${ph('safetyInstruction')}::text, ${ph('sourceVideoUrl')}::text,
          ${ph('sourceVideoExpiresAt')}::timestamptz, ${ph('sourceVideoFormat')}::text,
          ${ph('sourceVideoDurationSeconds')}::real, ${ph('sourceVideoSizeBytes')}::integer,
          ${ph('sourceVideoSha256')}::text, now()
        from ${moved}`,
      )
      .onConflictDoNothing({ target: characters.taskId })
      .returning({ id: characters.id }),
  );
  return db.with(moved, made).select().from(moved);
}

function advanceParams(id: string, change: TaskChange) {
  const video = change.character?.sourceVideo;
  return {
    id,
    state: change.state,
    errorCode: change.error?.code,
    errorMessage: change.error?.message,
    characterId: change.character?.characterId,
    prompt: change.character?.prompt,
    safetyInstruction: change.character?.safetyInstruction,
    sourceVideoUrl: video?.url,
    sourceVideoExpiresAt: video?.expiresAt,
    sourceVideoFormat: video?.format,
    sourceVideoDurationSeconds: video?.durationSeconds,
    sourceVideoSizeBytes: video?.sizeBytes,
    sourceVideoSha256: video?.sha256,
  };
}

/** A task an instance has leased for one poll. */
export interface ClaimedTask {
  /** The task as claimed: its `nextPollAt` is the end of the lease, and the lease's token. */
  task: TaskRow;
  /** When its poll was due, for the poller's lag. */
  dueAt: Date;
}

/**
 * Leases up to `limit` due tasks to `instance`, oldest due first: their next poll moves to the
 * end of the lease, so that no other instance takes them meanwhile, and a lease whose holder died
 * runs out by itself. SKIP LOCKED lets instances claiming at the same moment split the due tasks
 * instead of queueing behind each other. The database's clock decides, so that instances whose
 * clocks differ still agree on when a lease ends.
 */
export async function claimDueTasks(
  db: Executor,
  instance: string,
  limit: number,
  leaseMs: number,
): Promise<ClaimedTask[]> {
  const due = db
    .select({ id: tasks.id, dueAt: tasks.nextPollAt })
    .from(tasks)
    .where(
      and(
        notInArray(tasks.state, finished),
        isNotNull(tasks.providerTaskId),
        lte(tasks.nextPollAt, sql`now()`),
      ),
    )
    .orderBy(tasks.nextPollAt)
    .limit(limit)
    .for('update', { skipLocked: true })
    .as('due');
  const rows = await db
    .update(tasks)
    .set({ nextPollAt: sql`now() + ${leaseMs} * interval '1 millisecond'`, leasedBy: instance })
    .from(due)
    .where(eq(tasks.id, due.id))
    .returning({ task: getTableColumns(tasks), dueAt: due.dueAt });
  // The WHERE above leaves no task without a due time.
  return rows
    .map(({ task, dueAt }) => ({ task, dueAt: dueAt as Date }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/**
 * Ends a poll's lease by scheduling the next poll `delayMs` from now; false when the lease was
 * lost (it ran out and another instance holds the task now, or the task finished meanwhile).
 */
export async function schedulePoll(
  db: Executor,
  claimed: TaskRow,
  delayMs: number,
  pollAttempts: number,
): Promise<boolean> {
  const lease = claimed.nextPollAt;
  if (!lease) throw new Error(`task ${claimed.id} is not leased`);
  const scheduled = await db
    .update(tasks)
    .set({
      nextPollAt: sql`now() + ${delayMs} * interval '1 millisecond'`,
      pollAttempts,
      leasedBy: null,
    })
    .where(
      and(eq(tasks.id, claimed.id), notInArray(tasks.state, finished), eq(tasks.nextPollAt, lease)),
    )
    .returning({ id: tasks.id });
  return scheduled.length > 0;
}

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
