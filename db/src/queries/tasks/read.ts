import { and, count, desc, eq, gt, lt, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../database.ts';
import { type TaskRow, type TaskState, tasks } from '../../schema.ts';
import { olderThan, type Page, type Position, toPage } from '../cursor.ts';
import { prepared } from '../prepared.ts';

const ph = sql.placeholder;

const finished: readonly TaskState[] = ['SUCCESS', 'FAIL'];

/** SUCCESS and FAIL: a task in either never changes again. */
export const finishedStates = finished;

export function isFinished(state: TaskState): boolean {
  return finished.includes(state);
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

/** Which of an owner's tasks a list holds: every condition given must hold. */
export interface TaskFilter {
  state?: TaskState | undefined;
  model?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
}

export interface TaskListOptions {
  first: number;
  after?: Position | undefined;
  /** The filter's own `state` may be given too: both must hold then. */
  state?: TaskState | undefined;
  filter?: TaskFilter | undefined;
}

function taskConditions(
  owner: string,
  { state, filter = {} }: Pick<TaskListOptions, 'state' | 'filter'>,
): (SQL | undefined)[] {
  return [
    eq(tasks.owner, owner),
    state && eq(tasks.state, state),
    filter.state && eq(tasks.state, filter.state),
    filter.model === undefined ? undefined : eq(tasks.model, filter.model),
    filter.createdAfter && gt(tasks.createdAt, filter.createdAfter),
    filter.createdBefore && lt(tasks.createdAt, filter.createdBefore),
  ];
}

/** Newest first. */
export async function listTasks(
  db: Executor,
  owner: string,
  { first, after, ...which }: TaskListOptions,
): Promise<Page<TaskRow>> {
  const rows = await db
    .select()
    .from(tasks)
    .where(and(...taskConditions(owner, which), olderThan(tasks, after)))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(first + 1);
  return toPage(rows, first);
}

/** How many tasks the list holds, over all its pages. */
export async function countTasks(
  db: Executor,
  owner: string,
  which: Pick<TaskListOptions, 'state' | 'filter'>,
): Promise<number> {
  const [row] = await db
    .select({ total: count() })
    .from(tasks)
    .where(and(...taskConditions(owner, which)));
  return row?.total ?? 0;
}
