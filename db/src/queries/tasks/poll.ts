import {
  and,
  eq,
  getTableColumns,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  notInArray,
  sql,
} from 'drizzle-orm';
import type { Executor } from '../../database.ts';
import { type TaskRow, tasks } from '../../schema.ts';
import { finishedStates } from './read.ts';

const finished = [...finishedStates];

/** Which tasks a bound applies to: those of some models, or of every model but some. */
export type ModelScope = { in: string[] } | { notIn: string[] };

function inScope(scope: ModelScope) {
  if ('in' in scope) return scope.in.length === 0 ? sql`false` : inArray(tasks.model, scope.in);
  return scope.notIn.length === 0 ? undefined : notInArray(tasks.model, scope.notIn);
}

/**
 * Ends the PENDING tasks in `scope` that never got a provider id and were last sent (or, never
 * sent, made) before `sentBefore`: their createTask was lost (the process died, or kie.ai never
 * answered) and no callback came. They are never submitted again. Judged by the last send, not the
 * creation, so that a repeat sending a task long after it was made is not cut off while kie.ai
 * answers it.
 */
export async function failLostSubmissions(
  db: Executor,
  scope: ModelScope,
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
        inScope(scope),
        lt(
          sql`coalesce(${tasks.submittedAt}, ${tasks.createdAt})`,
          sql`${sentBefore.toISOString()}::timestamptz`,
        ),
      ),
    )
    .returning();
}

/** A task an instance has leased for one poll. */
export interface ClaimedTask {
  /** The task as claimed: its `nextPollAt` is the end of the lease, and the lease's token. */
  task: TaskRow;
  /** When its poll was due, for the poller's lag. */
  dueAt: Date;
  /** The instance whose lease ran out on it, when its poll never ended (it died, or hung). */
  takenFrom: string | null;
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
    .select({ id: tasks.id, dueAt: tasks.nextPollAt, takenFrom: tasks.leasedBy })
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
    .returning({ task: getTableColumns(tasks), dueAt: due.dueAt, takenFrom: due.takenFrom });
  // The WHERE above leaves no task without a due time.
  return rows
    .map(({ task, dueAt, takenFrom }) => ({ task, dueAt: dueAt as Date, takenFrom }))
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
