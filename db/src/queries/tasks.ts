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
}

export async function insertTask(db: Executor, task: NewTask): Promise<TaskRow> {
  const [row] = await db.insert(tasks).values(task).returning();
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
  const [row] = await db
    .insert(tasks)
    .values(task)
    .onConflictDoNothing({
      target: [tasks.owner, tasks.idempotencyKey],
      where: sql`${tasks.idempotencyKey} is not null`,
    })
    .returning();
  if (row) return { task: row, created: true };
  const [existing] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.owner, task.owner), eq(tasks.idempotencyKey, task.idempotencyKey)));
  // The holder released the key in between (its submission was refused): try again.
  if (!existing) return insertOrFetchTask(db, task);
  return { task: existing, created: false };
}

/** For callbacks, which name our task by the id in their URL and carry no owner. */
export async function findTaskById(db: Executor, id: string): Promise<TaskRow | undefined> {
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
  return row;
}

/**
 * Claims the one right to send a PENDING task to kie.ai; false when another request holds it.
 * Claimed before each createTask attempt, so that a task is never sent twice, even by two racing
 * requests, and one left unclaimed was surely never sent.
 */
export async function claimSubmission(db: Executor, id: string): Promise<boolean> {
  const claimed = await db
    .update(tasks)
    .set({ submittedAt: sql`now()` })
    .where(and(eq(tasks.id, id), eq(tasks.state, 'PENDING'), isNull(tasks.submittedAt)))
    .returning({ id: tasks.id });
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
 * Ends the PENDING tasks that never got a provider id and were created before `createdBefore`:
 * their createTask was lost (the process died, or kie.ai never answered) and no callback came.
 * They are never submitted again.
 */
export async function failLostSubmissions(
  db: Executor,
  createdBefore: Date,
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
        lt(tasks.createdAt, createdBefore),
      ),
    )
    .returning();
}

export async function findTask(
  db: Executor,
  owner: string,
  id: string,
): Promise<TaskRow | undefined> {
  const [row] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.owner, owner), eq(tasks.id, id)));
  return row;
}

/** For callbacks, which name the provider's id and no owner. */
export async function findTaskByProviderId(
  db: Executor,
  providerTaskId: string,
): Promise<TaskRow | undefined> {
  const [row] = await db.select().from(tasks).where(eq(tasks.providerTaskId, providerTaskId));
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
  const [row] = await db
    .update(tasks)
    .set({ providerTaskId, state: 'WAITING', nextPollAt, updatedAt: sql`now()` })
    .where(and(eq(tasks.id, id), eq(tasks.state, 'PENDING')))
    .returning();
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
 * makes duplicate and late news harmless.
 */
export async function advanceTask(
  db: Executor,
  id: string,
  change: TaskChange,
): Promise<TaskRow | undefined> {
  const done = isFinished(change.state);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(tasks)
      .set({
        state: change.state,
        updatedAt: sql`now()`,
        ...(done && { completedAt: sql`now()`, nextPollAt: null, leasedBy: null }),
        ...(change.error && { errorCode: change.error.code, errorMessage: change.error.message }),
        ...(change.releaseIdempotencyKey && { idempotencyKey: null }),
      })
      .where(
        and(eq(tasks.id, id), notInArray(tasks.state, finished), lt(tasks.state, change.state)),
      )
      .returning();
    if (row && change.state === 'SUCCESS' && change.character) {
      const { sourceVideo: video, ...character } = change.character;
      await tx
        .insert(characters)
        .values({
          ...character,
          owner: row.owner,
          taskId: row.id,
          sourceVideoUrl: video.url,
          sourceVideoFormat: video.format,
          sourceVideoDurationSeconds: video.durationSeconds,
          sourceVideoSizeBytes: video.sizeBytes,
          sourceVideoSha256: video.sha256,
          sourceVideoExpiresAt: video.expiresAt === null ? null : new Date(video.expiresAt),
        })
        .onConflictDoNothing({ target: characters.taskId });
    }
    return row;
  });
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
