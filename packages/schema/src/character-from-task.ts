import {
  MAX_ORIGIN_SECONDS,
  MAX_PROMPT_LENGTH,
  MAX_USER_NAME_LENGTH,
  sora2CharactersPro,
} from '@charanim/provider';
import { builder } from './builder.ts';
import { CreateCharacterResult } from './character.ts';
import type { Context } from './context.ts';
import {
  type CreateCharacterOutcome,
  checkIdempotencyKey,
  firstIssue,
  submitTask,
} from './create-character.ts';
import { rateLimitedError } from './errors.ts';
import { segmentVideo } from './video-source.ts';

const model = sora2CharactersPro;

export interface CreateCharacterFromTaskArgs {
  originTaskId: string;
  startSeconds: number;
  endSeconds: number;
  prompt: string;
  characterUserName?: string | null;
  safetyInstruction?: string | null;
  idempotencyKey?: string | null;
}

/**
 * A character from a segment of an earlier kie.ai video task (`sora-2-characters-pro`): checked
 * before the provider hears of it, then recorded and sent like any createCharacter task. The
 * task's source video names the origin task and the segment, since there is no URL of ours.
 */
export async function createCharacterFromTask(
  args: CreateCharacterFromTaskArgs,
  ctx: Context,
): Promise<CreateCharacterOutcome> {
  const badKey = checkIdempotencyKey(args.idempotencyKey);
  if (badKey) return badKey;
  const parsed = model.input.safeParse({
    originTaskId: args.originTaskId,
    startSeconds: args.startSeconds,
    endSeconds: args.endSeconds,
    prompt: args.prompt,
    characterUserName: args.characterUserName ?? undefined,
    safetyInstruction: args.safetyInstruction ?? undefined,
  });
  if (!parsed.success) return firstIssue(parsed.error);
  const input = parsed.data;
  return submitTask(
    {
      model,
      input,
      sourceVideo: segmentVideo(input.originTaskId, input.startSeconds, input.endSeconds),
      fingerprint: [
        input.originTaskId,
        input.startSeconds,
        input.endSeconds,
        input.prompt,
        input.characterUserName ?? null,
        input.safetyInstruction ?? null,
      ],
      key: args.idempotencyKey ?? undefined,
      operation: 'createCharacterFromTask',
    },
    ctx,
  );
}

const CreateCharacterFromTaskInput = builder.inputType('CreateCharacterFromTaskInput', {
  description:
    'A character from a 1–4 second segment of an earlier kie.ai video task (model sora-2-characters-pro).',
  fields: (t) => ({
    originTaskId: t.string({
      required: true,
      description:
        'The id kie.ai gave the earlier video task (such as a sora-2-text-to-video task); whitespace around it is dropped.',
    }),
    startSeconds: t.float({
      required: true,
      description: `Where the segment starts in that video, in seconds: 0 to ${MAX_ORIGIN_SECONDS}.`,
    }),
    endSeconds: t.float({
      required: true,
      description: `Where the segment ends, in seconds: 1 to 4 s after startSeconds, and at most ${MAX_ORIGIN_SECONDS}.`,
    }),
    prompt: t.string({
      required: true,
      description: `Describes the character: 1 to ${MAX_PROMPT_LENGTH} characters, not only whitespace.`,
    }),
    characterUserName: t.string({
      description: `The name the character goes by. Optional; when given, 1 to ${MAX_USER_NAME_LENGTH} characters, not only whitespace.`,
    }),
    safetyInstruction: t.string({
      description: `A safety instruction for kie.ai, such as "Family friendly". Optional; when given, 1 to ${MAX_PROMPT_LENGTH} characters, not only whitespace.`,
    }),
    idempotencyKey: t.string({
      description:
        'Up to 200 characters of your choosing. Repeating a request with the same key and input returns the same task and makes no second provider call; the same key with another input is a ValidationError.',
    }),
  }),
});

builder.mutationFields((t) => ({
  createCharacterFromTask: t.field({
    type: CreateCharacterResult,
    description:
      'Like createCharacter, from a segment of an earlier kie.ai video task instead of a video; follow it with `taskUpdated`.',
    args: { input: t.arg({ type: CreateCharacterFromTaskInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const wait = await ctx.takeMutation(ctx.viewer.owner);
      return wait === undefined ? createCharacterFromTask(input, ctx) : rateLimitedError(wait);
    },
  }),
}));
