import type { DeleteOutcome } from '@charanim/tasks';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from './builder.ts';
import { ErrorInterface, NotFoundError } from './errors.ts';
import { rowIdOf } from './ids.ts';
import { TaskState } from './task.ts';

/**
 * deleteTask and deleteCharacter: an owner forgets its own tasks and characters. kie.ai keeps its
 * copy; the gateway's lists, search and look-ups stop showing them.
 */

type Deleted = Extract<DeleteOutcome, { kind: 'deleted' }>;

const DeleteSuccess = builder.objectRef<Deleted>('DeleteSuccess').implement({
  description:
    'What was deleted: the task and what it made. kie.ai keeps its own copy (its task record, result files until they expire); here lists, search, `node` and subscriptions no longer find them. The credits the task cost stay spent in `usage`.',
  isTypeOf: (value) => (value as { kind?: string }).kind === 'deleted',
  fields: (t) => ({
    taskId: t.id({ resolve: (deleted) => encodeGlobalID('Task', deleted.taskId) }),
    characterId: t.id({
      nullable: true,
      description:
        'The character the task made, deleted with it; videos that used it no longer list it.',
      resolve: (deleted) =>
        deleted.characterId === null ? null : encodeGlobalID('Character', deleted.characterId),
    }),
    videoId: t.id({
      nullable: true,
      description: 'The video the task made, deleted with it.',
      resolve: (deleted) =>
        deleted.videoId === null ? null : encodeGlobalID('Video', deleted.videoId),
    }),
  }),
});

type InFlight = Extract<DeleteOutcome, { kind: 'in-flight' }> & { message: string };

const TaskInFlightError = builder.objectRef<InFlight>('TaskInFlightError').implement({
  description:
    'The task has not ended: it can be deleted once it is SUCCESS or FAIL (follow it with taskUpdated); nothing was done.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => (value as { kind?: string }).kind === 'in-flight',
  fields: (t) => ({ state: t.expose('state', { type: TaskState }) }),
});

const DeleteResult = builder.unionType('DeleteResult', {
  types: [DeleteSuccess, NotFoundError, TaskInFlightError],
});

/** The outcome as the mutation answers it. */
function answer(outcome: DeleteOutcome, what: string, id: string) {
  switch (outcome.kind) {
    case 'deleted':
      return outcome;
    case 'not-found':
      return { ...outcome, message: `you have no ${what} with the id ${id}` };
    case 'in-flight':
      return {
        ...outcome,
        message: `the task is ${outcome.state}: it can be deleted once it has ended`,
      };
  }
}

const NOT_FOUND: DeleteOutcome = { kind: 'not-found' };

builder.mutationFields((t) => ({
  deleteTask: t.field({
    type: DeleteResult,
    description:
      'Deletes one of your tasks that has ended (SUCCESS or FAIL), with the character or video it made. A task in flight is refused until it ends.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = rowIdOf(String(args.id), 'Task');
      const outcome = id ? await ctx.tasks.delete(ctx.viewer.owner, id) : NOT_FOUND;
      return answer(outcome, 'task', String(args.id));
    },
  }),
  deleteCharacter: t.field({
    type: DeleteResult,
    description:
      'Deletes one of your characters, with the task that made it: search and lists no longer show it, and videos that used it no longer list it. kie.ai keeps the character: a video task in flight that names it goes on.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = rowIdOf(String(args.id), 'Character');
      const outcome = id ? await ctx.characters.delete(ctx.viewer.owner, id) : NOT_FOUND;
      return answer(outcome, 'character', String(args.id));
    },
  }),
}));
