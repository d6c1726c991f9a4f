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
  type SourceVideo,
  type TaskRow,
} from '@charanim/db';
import {
  type KieCallOptions,
  type ModelDefinition,
  ProviderError,
  sora2Characters,
} from '@charanim/provider';
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

/** The first issue of a failed parse, as a ValidationError on its field. */
export function firstIssue(error: z.ZodError): ValidationErrorShape {
  const [issue] = error.issues;
  return validationError(issue?.path.join('.') || null, issue?.message ?? 'invalid input');
}

/** An idempotency key of 1 to 200 characters, or none; else why not. */
export function checkIdempotencyKey(
  key: string | null | undefined,
): ValidationErrorShape | undefined {
  if (key === null || key === undefined) return undefined;
  if (key.length > 0 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return undefined;
  return validationError(
    'idempotencyKey',
    `idempotencyKey is ${key.length} characters; must be between 1 and ${MAX_IDEMPOTENCY_KEY_LENGTH}`,
  );
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
  const badKey = checkIdempotencyKey(args.idempotencyKey);
  if (badKey) return badKey;
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

  const fingerprint = [text.prompt ?? null, text.safetyInstruction ?? null, videoIdentity(checked)];
  const key = args.idempotencyKey ?? undefined;
  if (checked.kind === 'link') {
    const sourceVideo = linkedVideo(checked.url);
    return submitTask(
      { model, input: { videoUrl: sourceVideo.url, ...text }, sourceVideo, fingerprint, key },
      ctx,
    );
  }
  // The upload goes to kie.ai's file store once the task is recorded, within the time bound.
  const upload = checked;
  return submitTask(
    {
      model,
      input: { ...text },
      fingerprint,
      key,
      publish: async (task, options) => {
        const sourceVideo = await publishVideo(upload, ctx, options);
        return {
          task: (await attachVideo(ctx.db, task.id, sourceVideo)) ?? task,
          input: { ...text, videoUrl: sourceVideo.url },
        };
      },
    },
    ctx,
  );
}

/** A validated request for a task of one model, ready to be recorded and sent. */
export interface TaskSubmission {
  /** The model plugin; it must be registered in `ctx.provider.models`, which reads its results. */
  model: ModelDefinition;
  /** The gateway-side input as the client gave it, validated: the task stores it. */
  input: Record<string, unknown>;
  /** The source the character will be made from, when known before anything is sent. */
  sourceVideo?: SourceVideo;
  /**
   * Everything the client asked for besides the model, in a fixed order: a repeat with the same
   * idempotency key must match it. Only its JSON matters.
   */
  fingerprint: readonly unknown[];
  key?: string | undefined;
  /** The mutation, for messages; createCharacter by default. */
  operation?: string;
  /**
   * Makes the input reachable for kie.ai (stores an uploaded video) once the task is recorded and
   * before createTask, within the create time bound; answers the task as it then is and the input
   * for the model. Without it, the model's input is `input`.
   */
  publish?: (
    task: TaskRow,
    options: KieCallOptions,
  ) => Promise<{ task: TaskRow; input: Record<string, unknown> }>;
}

/**
 * The one way a task reaches kie.ai, whatever its model: records it PENDING first (write-ahead),
 * or with an idempotency key finds the task that key already made, then sends it once.
 */
export async function submitTask(
  submission: TaskSubmission,
  ctx: Context,
): Promise<CreateCharacterOutcome> {
  const { model, key } = submission;
  if (!ctx.provider.models.get(model.id)) {
    throw new Error(`model ${model.id} is not registered: its results could not be read`);
  }
  const task: NewTask = {
    owner: ctx.viewer.owner,
    model: model.id,
    input: submission.input,
    ...(submission.sourceVideo && { sourceVideo: submission.sourceVideo }),
  };
  let pending: TaskRow;
  if (key === undefined) {
    pending = await insertTask(ctx.db, { ...task, claimed: true });
  } else {
    const fingerprint = fingerprintOf(model, submission.fingerprint);
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
      return submit(held.task, submission, ctx);
    }
    pending = held.task;
  }
  ctx.pubsub.publish(pending);
  return submit(pending, submission, ctx);
}

/** SHA-256 of what the client asked for: the model and everything it said. */
function fingerprintOf(model: ModelDefinition, material: readonly unknown[]): string {
  const canonical = JSON.stringify([model.id, ...material]);
  return createHash('sha256').update(canonical).digest('hex');
}

async function submit(
  pending: TaskRow,
  { model, input: given, operation = 'createCharacter', publish }: TaskSubmission,
  ctx: Context,
): Promise<CreateCharacterOutcome> {
  const signal = AbortSignal.timeout(ctx.provider.createTimeoutMs);
  // Each retry of each call listens to it; they are bounded, and more than Node's default 10.
  setMaxListeners(64, signal);
  // While an attempt of createTask is out, kie.ai may have the task; before, or after it surely
  // refused one, it has none.
  let sent = false;
  let task = pending;
  // Without an idempotency key no repeat can name the task: its claim was written with it.
  const claimEachAttempt = task.idempotencyKey !== null;
  try {
    let ready = given;
    if (publish) ({ task, input: ready } = await publish(task, { signal }));
    const input = model.input.parse(ready);
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
          if (claimEachAttempt && !(await claimSubmission(ctx.db, task.id))) {
            throw new ClaimedElsewhere();
          }
          sent = true;
        },
        beforeRetry: async () => {
          sent = false;
          if (claimEachAttempt) await releaseSubmission(ctx.db, task.id);
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
    const failure = asProviderError(error, signal, ctx.provider.createTimeoutMs, sent, operation);
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
  operation: string,
): ProviderError | undefined {
  if (error instanceof ProviderError) return error;
  if (!signal.aborted || error !== signal.reason) return undefined;
  const consequence = sent ? '; kie.ai may still start the task: follow it with taskUpdated' : '';
  return new ProviderError(`${operation} did not finish within ${limitMs / 1000} s${consequence}`, {
    code: 'SERVER_ERROR',
    retryable: !sent,
    cause: error,
  });
}

/** A createTask that kie.ai may have acted on: anything but a sure refusal (see `refused`). */
function mayHaveCreated(failure: ProviderError, error: unknown): boolean {
  return !(error instanceof ProviderError) || !failure.refused;
}
