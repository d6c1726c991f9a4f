import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { callbackEvents, tasks } from '../schema.ts';
import { prepared } from './prepared.ts';

const ph = sql.placeholder;

export type CallbackOutcome = 'applied' | 'stale' | 'unknown_task' | 'rejected';

/** At most this many callbacks of one task are kept for audit: kie.ai sends one or two. */
export const MAX_CALLBACK_EVENTS_PER_TASK = 20;

export interface NewCallbackEvent {
  /** What identifies it: an identical one is stored once. */
  rawBody: string;
  /** What is kept of it: the body, or the small form of an unsigned one. */
  body: unknown;
  providerTaskId: string | null;
  taskId: string | null;
  owner: string | null;
  signatureValid: boolean | null;
  outcome: CallbackOutcome;
}

/**
 * Stores a callback once, unless its task has MAX_CALLBACK_EVENTS_PER_TASK already; returns false
 * when an identical one was stored before (or the task's audit is full). One statement: the
 * count is judged in the insert, on the callback's hot path.
 */
export async function recordCallbackEvent(db: Executor, event: NewCallbackEvent): Promise<boolean> {
  const { rawBody, body, ...rest } = event;
  const inserted = await prepared(db, 'recordCallbackEvent', (db) =>
    db
      .insert(callbackEvents)
      .select(
        sql`select gen_random_uuid(), ${ph('owner')}::text, ${ph('taskId')}::uuid,
          ${ph('providerTaskId')}::text, ${ph('bodySha256')}::text, ${ph('body')}::jsonb,
          ${ph('signatureValid')}::boolean, ${ph('outcome')}::text, now()
        where (select count(*) from ${callbackEvents} e where e.task_id = ${ph('taskId')}::uuid)
          < ${MAX_CALLBACK_EVENTS_PER_TASK}`,
      )
      .onConflictDoNothing({ target: callbackEvents.bodySha256 })
      .returning({ id: callbackEvents.id }),
  ).execute({ ...rest, body: JSON.stringify(body), bodySha256: sha256(rawBody) });
  return inserted.length > 0;
}

/**
 * Takes one of a task's reads of kie.ai that unsigned callbacks may ask for: at most `perMinute`
 * in a minute, counted in the task's row so that every instance counts together. False when the
 * minute's reads are spent.
 */
export async function takeHintRead(
  db: Executor,
  taskId: string,
  perMinute: number,
): Promise<boolean> {
  const fresh = sql`${tasks.hintWindowAt} is null or ${tasks.hintWindowAt} < now() - interval '1 minute'`;
  const [row] = await db
    .update(tasks)
    .set({
      hintWindowAt: sql`case when ${fresh} then now() else ${tasks.hintWindowAt} end`,
      hintReads: sql`case when ${fresh} then 1 else ${tasks.hintReads} + 1 end`,
    })
    .where(eq(tasks.id, taskId))
    .returning({ reads: tasks.hintReads });
  return row !== undefined && row.reads <= perMinute;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
