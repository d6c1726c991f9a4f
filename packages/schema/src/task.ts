import {
  findCharacterByTask,
  findTask,
  isFinished,
  listTasks,
  type TaskRow,
  taskStates,
} from '@charanim/db';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { pageArgs, toConnection } from './connection.ts';
import type { Context } from './context.ts';
import { findByGlobalId, isRowId, rowIdOf } from './ids.ts';
import { Character, Task } from './refs.ts';

export const TaskState = builder.enumType('TaskState', {
  values: taskStates,
  description:
    'PENDING until kie.ai accepts the task, then its states; SUCCESS and FAIL are final.',
});

const TaskError = builder.objectRef<{ code: string; message: string }>('TaskError').implement({
  fields: (t) => ({
    code: t.exposeString('code', {
      description: "The provider's failCode, or the gateway's own code such as TIMEOUT.",
    }),
    message: t.exposeString('message'),
  }),
});

builder.node(Task, {
  id: { resolve: (task) => task.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'model' in value,
  loadOne: (id, ctx) => (isRowId(id) ? findTask(ctx.db, ctx.viewer.owner, id) : undefined),
  fields: (t) => ({
    model: t.exposeString('model'),
    state: t.expose('state', { type: TaskState }),
    providerTaskId: t.exposeString('providerTaskId', {
      nullable: true,
      description: "kie.ai's task id, once kie.ai has accepted the task.",
    }),
    input: t.expose('input', { type: 'JSON', description: 'The input as it was accepted.' }),
    error: t.field({
      type: TaskError,
      nullable: true,
      resolve: (task) =>
        task.errorCode === null
          ? null
          : { code: task.errorCode, message: task.errorMessage ?? task.errorCode },
    }),
    character: t.field({
      type: Character,
      nullable: true,
      resolve: async (task, _args, ctx) =>
        task.state === 'SUCCESS' ? ((await findCharacterByTask(ctx.db, task.id)) ?? null) : null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
  }),
});

const TaskConnection = builder.connectionObject({ type: Task, name: 'TaskConnection' });

builder.queryFields((t) => ({
  task: t.field({
    type: Task,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      findByGlobalId(String(args.id), 'Task', (id) => findTask(ctx.db, ctx.viewer.owner, id)),
  }),
  tasks: t.field({
    type: TaskConnection,
    description: 'Your tasks, newest first.',
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      state: t.arg({ type: TaskState }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageArgs(args);
      const rows = await listTasks(ctx.db, ctx.viewer.owner, {
        ...page,
        state: args.state ?? undefined,
      });
      return toConnection(rows, page.after !== undefined, (task) => ({
        node: task,
        position: task,
      }));
    },
  }),
}));

const order = (task: TaskRow) => taskStates.indexOf(task.state);

builder.subscriptionFields((t) => ({
  taskUpdated: t.field({
    type: Task,
    description:
      'The task as it is now, then every change in order; completes after SUCCESS or FAIL.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_root, args, ctx) => followTask(String(args.id), ctx),
    resolve: (task) => task,
  }),
}));

async function* followTask(globalId: string, ctx: Context): AsyncGenerator<TaskRow> {
  const id = rowIdOf(globalId, 'Task');
  // Subscribe before reading, so that a change between the read and the subscription is not lost.
  const changes = id ? ctx.pubsub.subscribe(id) : undefined;
  try {
    const current = id ? await findTask(ctx.db, ctx.viewer.owner, id) : undefined;
    if (!current || !changes) {
      throw new GraphQLError(`No task has the id ${globalId}`, {
        extensions: { code: 'NOT_FOUND', argument: 'id' },
      });
    }
    let last = current;
    yield last;
    if (isFinished(last.state)) return;
    for await (const task of changes) {
      // Duplicate and out-of-order news never moves a subscriber back.
      if (order(task) <= order(last)) continue;
      last = task;
      yield last;
      if (isFinished(last.state)) return;
    }
  } finally {
    await changes?.return?.();
  }
}
