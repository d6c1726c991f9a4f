import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../database.ts';
import { type SourceImage, type SourceVideo, type TaskRow, tasks } from '../../schema.ts';
import { prepared } from '../prepared.ts';

const ph = sql.placeholder;

export interface NewTask {
  owner: string;
  model: string;
  input: Record<string, unknown>;
  sourceVideo?: SourceVideo | undefined;
  /** The images known before anything is sent (the linked ones), by their input field. */
  sourceImages?: Record<string, SourceImage> | undefined;
  idempotencyKey?: string | undefined;
  inputFingerprint?: string | undefined;
  /**
   * The request making the task is the only one that can ever send it (it has no idempotency key
   * that a repeat could name): its claim to send it is written with it, saving a statement.
   */
  claimed?: boolean | undefined;
}

/** A new task's columns as placeholders (see {@link newTaskParams}); the rest take defaults. */
const newTaskValues = {
  owner: ph('owner'),
  model: ph('model'),
  input: ph('input'),
  // Cast rather than encoded by the column: drizzle would write a missing value as JSON null.
  sourceVideo: sql`${ph('sourceVideo')}::jsonb`,
  sourceImages: sql`${ph('sourceImages')}::jsonb`,
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
    sourceImages: JSON.stringify(task.sourceImages ?? {}),
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

/** What an upload became once stored: a video's or an image's measurements. */
export type AttachedSource =
  | { media: 'video'; source: SourceVideo }
  | { media: 'image'; source: SourceImage };

/**
 * Records where a PENDING task's uploaded file now lives: its URL goes into the input under
 * `field`, and its measurements beside it.
 */
export async function attachUpload(
  db: Executor,
  id: string,
  field: string,
  attached: AttachedSource,
): Promise<TaskRow | undefined> {
  const { url } = attached.source;
  const [row] = await db
    .update(tasks)
    .set({
      input: sql`${tasks.input} || jsonb_build_object(${field}::text, ${url}::text)`,
      ...(attached.media === 'video'
        ? { sourceVideo: attached.source }
        : {
            sourceImages: sql`${tasks.sourceImages} || jsonb_build_object(${field}::text, ${JSON.stringify(attached.source)}::jsonb)`,
          }),
      updatedAt: sql`now()`,
    })
    .where(and(eq(tasks.id, id), eq(tasks.state, 'PENDING')))
    .returning();
  return row;
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
