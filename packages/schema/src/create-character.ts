import { advanceTask, findTask, insertTask, recordSubmission, type TaskRow } from '@charanim/db';
import { ProviderError, sora2Characters } from '@charanim/provider';
import type { z } from 'zod';
import type { Context, Upload } from './context.ts';
import {
  type ProviderErrorShape,
  providerError,
  type ValidationErrorShape,
  validationError,
} from './errors.ts';
import { chooseSource, linkedSource, uploadedSource, type VideoSource } from './video-source.ts';

export interface CreateCharacterSuccessShape {
  kind: 'CreateCharacterSuccess';
  task: TaskRow;
}

export type CreateCharacterOutcome =
  | CreateCharacterSuccessShape
  | ValidationErrorShape
  | ProviderErrorShape;

export interface CreateCharacterArgs {
  video?: Upload | null;
  videoUrl?: string | null;
  prompt?: string | null;
  safetyInstruction?: string | null;
}

const model = sora2Characters;
const textFields = model.input.omit({ videoUrl: true });

/** The first issue of a failed parse, as a ValidationError on its field. */
function firstIssue(error: z.ZodError): ValidationErrorShape {
  const [issue] = error.issues;
  return validationError(issue?.path.join('.') || null, issue?.message ?? 'invalid input');
}

/**
 * Validates everything (the video included) before the provider hears of it, stores an upload in
 * kie.ai's file store, then records the task and hands it to kie.ai.
 */
export async function createCharacter(
  args: CreateCharacterArgs,
  ctx: Context,
): Promise<CreateCharacterOutcome> {
  const unclear = chooseSource(args);
  if (unclear) return unclear;
  const text = {
    prompt: args.prompt ?? undefined,
    safetyInstruction: args.safetyInstruction ?? undefined,
  };
  let source: VideoSource;
  if (args.video) {
    const parsed = textFields.safeParse(text);
    if (!parsed.success) return firstIssue(parsed.error);
    source = await uploadedSource(args.video, ctx);
  } else {
    const parsed = model.input.safeParse({ ...text, videoUrl: args.videoUrl ?? undefined });
    if (!parsed.success) return firstIssue(parsed.error);
    source = linkedSource(parsed.data.videoUrl);
  }
  if (!source.ok) return source.error;
  const input = model.input.parse({ ...text, videoUrl: source.videoUrl });
  return submit(input, source, ctx);
}

async function submit(
  input: z.output<typeof model.input>,
  source: VideoSource & { ok: true },
  ctx: Context,
): Promise<CreateCharacterOutcome> {
  const pending = await insertTask(ctx.db, {
    owner: ctx.viewer.owner,
    model: model.id,
    input,
    sourceVideo: source.sourceVideo,
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
      error instanceof ProviderError
        ? error
        : new ProviderError('the task could not be submitted to kie.ai', {
            code: 'UNKNOWN',
            retryable: false,
            cause: error,
          });
    const failed = await advanceTask(ctx.db, pending.id, {
      state: 'FAIL',
      error: { code: failure.code, message: failure.message },
    });
    if (failed) ctx.pubsub.publish(failed);
    if (!(error instanceof ProviderError)) throw error;
    return providerError(failure);
  }
}
