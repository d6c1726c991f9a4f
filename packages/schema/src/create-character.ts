import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  advanceTask,
  attachVideo,
  claimSubmission,
  findTaskById,
  insertOrFetchTask,
  insertTask,
  linkedVideo,
  type NewTask,
  recordSubmission,
  releaseSubmission,
  type TaskRow,
} from '@charanim/db';
import { ProviderError, sora2Characters } from '@charanim/provider';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { z } from 'zod';
import type { Context, Upload } from './context.ts';
import {
  type ProviderErrorShape,
  providerError,
  type ValidationErrorShape,
  validationError,
} from './errors.ts';
import {
  type CheckedVideo,
  checkUpload,
  chooseSource,
  publishVideo,
  videoIdentity,
} from './video-source.ts';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

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
  idempotencyKey?: string | null;
}

const model = sora2Characters;
const textFields = model.input.omit({ videoUrl: true });
type Text = z.output<typeof textFields>;

/** The first issue of a failed parse, as a ValidationError on its field. */
function firstIssue(error: z.ZodError): ValidationErrorShape {
  const [issue] = error.issues;
  return validationError(issue?.path.join('.') || null, issue?.message ?? 'invalid input');
}

const success = (task: TaskRow): CreateCharacterSuccessShape => ({
  kind: 'CreateCharacterSuccess',
  task,
});

/**
 * Checks everything (the video included) before the provider hears of it, records the task
 * (PENDING, write-ahead), stores an upload in kie.ai's file store, then hands the task to kie.ai.
 * With an idempotency key, a repeat of the same input gets the same task and no provider call.
 */
export async function createCharacter(
  args: CreateCharacterArgs,
  ctx: Context,
): Promise<CreateCharacterOutcome> {
  const unclear = chooseSource(args);
  if (unclear) return unclear;
  const key = args.idempotencyKey ?? undefined;
  if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    return validationError(
      'idempotencyKey',
      `idempotencyKey is ${key.length} characters; must be between 1 and ${MAX_IDEMPOTENCY_KEY_LENGTH}`,
    );
  }
  const parsedText = textFields.safeParse({
    prompt: args.prompt ?? undefined,
    safetyInstruction: args.safetyInstruction ?? undefined,
  });
  if (!parsedText.success) return firstIssue(parsedText.error);
  const text = parsedText.data;

  let checked: CheckedVideo;
  if (args.video) {
    const upload = await checkUpload(args.video);
    if (upload.kind === 'ValidationError') return upload;
    checked = upload;
  } else {
    const link = model.input.safeParse({ ...text, videoUrl: args.videoUrl ?? undefined });
    if (!link.success) return firstIssue(link.error);
    checked = { kind: 'link', url: link.data.videoUrl };
  }

  const task: NewTask = {
    owner: ctx.viewer.owner,
    model: model.id,
    input: checked.kind === 'link' ? { videoUrl: checked.url, ...text } : { ...text },
    ...(checked.kind === 'link' && { sourceVideo: linkedVideo(checked.url) }),
  };
  let pending: TaskRow;
  if (key === undefined) {
    pending = await insertTask(ctx.db, task);
  } else {
    const fingerprint = fingerprintOf(text, checked);
    const held = await insertOrFetchTask(ctx.db, {
      ...task,
      idempotencyKey: key,
      inputFingerprint: fingerprint,
    });
    if (!held.created) {
      if (held.task.inputFingerprint !== fingerprint) {
        return validationError(
          'idempotencyKey',
          `idempotencyKey was used with a different input, for task ${encodeGlobalID('Task', held.task.id)}`,
        );
      }
      // A repeat: the task as it is, unless no request ever claimed sending it (the one that made
      // it died first), in which case this repeat sends it.
      if (held.task.state !== 'PENDING' || held.task.submittedAt !== null)
        return success(held.task);
      return submit(held.task, text, checked, ctx);
    }
    pending = held.task;
  }
  ctx.pubsub.publish(pending);
  return submit(pending, text, checked, ctx);
}

/** SHA-256 of what the client asked for: the model, the text, and the video's identity. */
function fingerprintOf(text: Text, video: CheckedVideo): string {
  const canonical = JSON.stringify([
    model.id,
    text.prompt ?? null,
    text.safetyInstruction ?? null,
    videoIdentity(video),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

async function submit(
  pending: TaskRow,
  text: Text,
  checked: CheckedVideo,
  ctx: Context,
): Promise<CreateCharacterOutcome> {
  const signal = AbortSignal.timeout(ctx.provider.createTimeoutMs);
  // Each retry of each call listens to it; they are bounded, and more than Node's default 10.
  setMaxListeners(64, signal);
  // While an attempt of createTask is out, kie.ai may have the task; before, or after it surely
  // refused one, it has none.
  let sent = false;
  let task = pending;
  try {
    const sourceVideo = await publishVideo(checked, ctx, { signal });
    if (checked.kind === 'upload') task = (await attachVideo(ctx.db, task.id, sourceVideo)) ?? task;
    const input = model.input.parse({ ...text, videoUrl: sourceVideo.url });
    const callBackUrl = ctx.provider.callbackUrlFor(task.id);
    const { taskId } = await ctx.provider.client.createTask(
      {
        model: model.id,
        input: model.toProviderInput(input),
        ...(callBackUrl !== undefined && { callBackUrl }),
      },
      {
        signal,
        beforeAttempt: async () => {
          if (!(await claimSubmission(ctx.db, task.id))) throw new ClaimedElsewhere();
          sent = true;
        },
        beforeRetry: async () => {
          sent = false;
          await releaseSubmission(ctx.db, task.id);
        },
      },
    );
    const accepted = await recordSubmission(ctx.db, task.id, taskId, ctx.provider.firstPollAt());
    if (accepted) ctx.pubsub.publish(accepted);
    return success(accepted ?? task);
  } catch (error) {
    // A repeat of this request holds the task now: it sends it, or already has.
    if (error instanceof ClaimedElsewhere)
      return success((await findTaskById(ctx.db, task.id)) ?? task);
    const failure = asProviderError(error, signal, ctx.provider.createTimeoutMs, sent);
    if (!failure) throw error;
    if (sent && mayHaveCreated(failure, error)) {
      // kie.ai may have the task: it stays PENDING for its callback, and is never sent again.
      return providerError(failure, task);
    }
    const failed = await advanceTask(ctx.db, task.id, {
      state: 'FAIL',
      error: { code: failure.code, message: failure.message },
      releaseIdempotencyKey: true,
    });
    if (failed) ctx.pubsub.publish(failed);
    return providerError(failure, failed ?? task);
  }
}

/** Another request claimed the right to send the task. */
class ClaimedElsewhere extends Error {}

/** The failure as a ProviderError, including our own time limit running out; undefined for bugs. */
function asProviderError(
  error: unknown,
  signal: AbortSignal,
  limitMs: number,
  sent: boolean,
): ProviderError | undefined {
  if (error instanceof ProviderError) return error;
  if (!signal.aborted || error !== signal.reason) return undefined;
  const consequence = sent ? '; kie.ai may still start the task: follow it with taskUpdated' : '';
  return new ProviderError(
    `createCharacter did not finish within ${limitMs / 1000} s${consequence}`,
    {
      code: 'SERVER_ERROR',
      retryable: !sent,
      cause: error,
    },
  );
}

/** A createTask that kie.ai may have acted on: no answer, a lost connection, or its own 500. */
function mayHaveCreated(failure: ProviderError, error: unknown): boolean {
  return (
    !(error instanceof ProviderError) || (failure.code === 'SERVER_ERROR' && !failure.retryable)
  );
}
