import {
  advanceTask,
  findCharacter,
  findTask,
  insertTask,
  listCharacters,
  recordSubmission,
  type TaskRow,
} from '@charanim/db';
import { ProviderError as ProviderFailure, sora2Characters } from '@charanim/provider';
import { builder } from './builder.ts';
import { pageArgs, toConnection } from './connection.ts';
import type { Context } from './context.ts';
import {
  ProviderError,
  type ProviderErrorShape,
  providerError,
  ValidationError,
  type ValidationErrorShape,
  validationError,
} from './errors.ts';
import { findByGlobalId, isRowId } from './ids.ts';
import { Character, Task } from './refs.ts';

builder.node(Character, {
  id: { resolve: (character) => character.id },
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'characterId' in value,
  loadOne: (id, ctx) => (isRowId(id) ? findCharacter(ctx.db, ctx.viewer.owner, id) : undefined),
  fields: (t) => ({
    characterId: t.exposeString('characterId', {
      description: "kie.ai's character id, for `character_id_list` in later Sora 2 generations.",
    }),
    prompt: t.exposeString('prompt', { nullable: true }),
    safetyInstruction: t.exposeString('safetyInstruction', { nullable: true }),
    sourceVideoUrl: t.exposeString('sourceVideoUrl'),
    task: t.field({
      type: Task,
      resolve: async (character, _args, ctx) => {
        const task = await findTask(ctx.db, character.owner, character.taskId);
        if (!task) throw new Error(`character ${character.id} has no task ${character.taskId}`);
        return task;
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CharacterConnection = builder.connectionObject({
  type: Character,
  name: 'CharacterConnection',
});

builder.queryFields((t) => ({
  character: t.field({
    type: Character,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) =>
      findByGlobalId(String(args.id), 'Character', (id) =>
        findCharacter(ctx.db, ctx.viewer.owner, id),
      ),
  }),
  characters: t.field({
    type: CharacterConnection,
    description: 'Your characters, newest first; `search` keeps those whose prompt has every word.',
    args: { search: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const page = pageArgs(args);
      const rows = await listCharacters(ctx.db, ctx.viewer.owner, {
        ...page,
        search: args.search ?? undefined,
      });
      return toConnection(rows, page.after !== undefined);
    },
  }),
}));

const CreateCharacterInput = builder.inputType('CreateCharacterInput', {
  fields: (t) => ({
    videoUrl: t.string({
      description: 'An absolute http(s) URL of the video (MP4, WebM or AVI, 1–4 s, at most 10 MB).',
    }),
    prompt: t.string({ description: 'Describes the character; at most 5000 characters.' }),
    safetyInstruction: t.string({ description: 'At most 5000 characters.' }),
  }),
});

interface CreateCharacterSuccessShape {
  kind: 'CreateCharacterSuccess';
  task: TaskRow;
}

const CreateCharacterSuccess = builder
  .objectRef<CreateCharacterSuccessShape>('CreateCharacterSuccess')
  .implement({
    isTypeOf: (value) => (value as { kind?: string }).kind === 'CreateCharacterSuccess',
    fields: (t) => ({ task: t.expose('task', { type: Task }) }),
  });

const CreateCharacterResult = builder.unionType('CreateCharacterResult', {
  types: [CreateCharacterSuccess, ValidationError, ProviderError],
});

builder.mutationFields((t) => ({
  createCharacter: t.field({
    type: CreateCharacterResult,
    description:
      'Validates the input, records the task and hands it to kie.ai; follow it with `taskUpdated`.',
    args: { input: t.arg({ type: CreateCharacterInput, required: true }) },
    resolve: (_root, { input }, ctx) => createCharacter(input, ctx),
  }),
}));

type CreateCharacterOutcome =
  | CreateCharacterSuccessShape
  | ValidationErrorShape
  | ProviderErrorShape;

async function createCharacter(
  raw: { videoUrl?: string | null; prompt?: string | null; safetyInstruction?: string | null },
  ctx: Context,
): Promise<CreateCharacterOutcome> {
  const model = sora2Characters;
  const parsed = model.input.safeParse({
    videoUrl: raw.videoUrl ?? undefined,
    prompt: raw.prompt ?? undefined,
    safetyInstruction: raw.safetyInstruction ?? undefined,
  });
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    return validationError(issue?.path.join('.') || null, issue?.message ?? 'invalid input');
  }
  const input = parsed.data;
  const pending = await insertTask(ctx.db, {
    owner: ctx.viewer.owner,
    model: model.id,
    input,
  });
  ctx.pubsub.publish(pending);
  try {
    const { taskId } = await ctx.provider.client.createTask({
      model: model.id,
      input: model.toProviderInput(input),
      ...(ctx.provider.callbackUrl !== undefined && { callBackUrl: ctx.provider.callbackUrl }),
    });
    const accepted = await recordSubmission(ctx.db, pending.id, taskId, ctx.provider.firstPollAt());
    const task = accepted ?? (await findTask(ctx.db, pending.owner, pending.id)) ?? pending;
    if (accepted) ctx.pubsub.publish(accepted);
    return { kind: 'CreateCharacterSuccess', task };
  } catch (error) {
    // The task ends here, so that no PENDING row is left behind for a request that failed.
    const failure =
      error instanceof ProviderFailure
        ? error
        : new ProviderFailure('the task could not be submitted to kie.ai', {
            code: 'UNKNOWN',
            retryable: false,
            cause: error,
          });
    const failed = await advanceTask(ctx.db, pending.id, {
      state: 'FAIL',
      error: { code: failure.code, message: failure.message },
    });
    if (failed) ctx.pubsub.publish(failed);
    if (!(error instanceof ProviderFailure)) throw error;
    return providerError(failure);
  }
}
