import { TaskNotFound, type TaskRow, taskStates } from '@charanim/tasks';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { pageArgs, toConnection, totalCount } from './connection.ts';
import type { Context } from './context.ts';
import { findByGlobalId, rowIdOf } from './ids.ts';
import { Character, Task, Video } from './refs.ts';

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

/** The input as the client gave it: the characters it references by their global ids. */
function inputAsGiven(task: TaskRow): Record<string, unknown> {
  const { characters } = task.input;
  if (!Array.isArray(characters)) return task.input;
  return {
    ...task.input,
    characters: characters.map((id) => encodeGlobalID('Character', String(id))),
  };
}

builder.node(Task, {
  id: { resolve: (task) => task.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'providerTaskId' in value,
  loadOne: (id, ctx) => ctx.tasks.find(ctx.viewer.owner, id),
  fields: (t) => ({
    model: t.exposeString('model'),
    state: t.expose('state', { type: TaskState }),
    providerTaskId: t.exposeString('providerTaskId', {
      nullable: true,
      description: "kie.ai's task id, once kie.ai has accepted the task.",
    }),
    input: t.field({
      type: 'JSON',
      description: 'The input as it was accepted.',
      resolve: inputAsGiven,
    }),
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
      description: 'The character the task made, once SUCCESS (for a character model).',
      resolve: async (task, _args, ctx) =>
        task.state === 'SUCCESS' ? ((await ctx.characters.ofTask(task.id)) ?? null) : null,
    }),
    video: t.field({
      type: Video,
      nullable: true,
      description: 'The video the task made, once SUCCESS (for a video model).',
      resolve: async (task, _args, ctx) =>
        task.state === 'SUCCESS' ? ((await ctx.videos.ofTask(task.id)) ?? null) : null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
  }),
});

const TaskConnection = builder.connectionObject({
  type: Task,
  name: 'TaskConnection',
  fields: (t) => ({ totalCount: t.int(totalCount) }),
});

const TaskFilter = builder.inputType('TaskFilter', {
  description: 'Which of your tasks to list: every condition given must hold.',
  fields: (t) => ({
    state: t.field({ type: TaskState }),
    model: t.string({ description: "The model's id, such as google/gemini-omni-flash-1-1." }),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  task: t.field({
    type: Task,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      findByGlobalId(String(args.id), 'Task', (id) => ctx.tasks.find(ctx.viewer.owner, id)),
  }),
  tasks: t.field({
    type: TaskConnection,
    description: 'Your tasks, newest first.',
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      state: t.arg({
        type: TaskState,
        description:
          'Only tasks in this state (as `filter.state`; both must hold when both are given).',
      }),
      filter: t.arg({ type: TaskFilter }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageArgs(args);
      const which = {
        state: args.state ?? undefined,
        filter: {
          state: args.filter?.state ?? undefined,
          model: args.filter?.model ?? undefined,
          createdAfter: args.filter?.createdAfter ?? undefined,
          createdBefore: args.filter?.createdBefore ?? undefined,
        },
      };
      const rows = await ctx.tasks.list(ctx.viewer.owner, { ...page, ...which });
      return toConnection(
        rows,
        page.after !== undefined,
        (task) => ({ node: task, position: task }),
        () => ctx.tasks.count(ctx.viewer.owner, which),
      );
    },
  }),
}));

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
  try {
    yield* ctx.tasks.follow(ctx.viewer.owner, rowIdOf(globalId, 'Task') ?? '');
  } catch (error) {
    if (!(error instanceof TaskNotFound)) throw error;
    throw new GraphQLError(`No task has the id ${globalId}`, {
      extensions: { code: 'NOT_FOUND', argument: 'id' },
    });
  }
}
