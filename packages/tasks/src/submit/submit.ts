import { setMaxListeners } from 'node:events';
import {
  advanceTask,
  attachUpload,
  claimSubmission,
  findTaskById,
  insertOrFetchTask,
  insertTask,
  type NewTask,
  recordSubmission,
  releaseSubmission,
  type TaskRow,
} from '@charanim/db';
import { type KieCallOptions, ProviderError, type TaskModel } from '@charanim/provider';
import type { TaskCoreDeps } from '../deps.ts';
import type { SubmitOutcome } from './outcome.ts';
import { type PreparedSubmission, prepareSubmission, type SubmitRequest } from './prepare.ts';
import { publishUpload } from './uploads.ts';

/**
 * The one way a task reaches kie.ai, whatever its model: checks everything (uploads included)
 * before the provider hears of it, records the task PENDING (write-ahead), or with an idempotency
 * key finds the task that key already made, stores uploads in kie.ai's file store, then sends it
 * once. A repeat of the same input with the same key gets the same task and no provider call.
 */
export async function submit(deps: TaskCoreDeps, request: SubmitRequest): Promise<SubmitOutcome> {
  const prepared = await prepareSubmission(deps, request);
  if ('kind' in prepared) return prepared;
  const { plugin } = prepared;
  if (plugin.mode !== 'task') {
    throw new Error(
      `model ${plugin.id} answers in the same request, which this gateway cannot run yet`,
    );
  }
  const task: NewTask = {
    owner: request.owner,
    model: plugin.id,
    input: prepared.input,
    sourceVideo: prepared.sourceVideo,
  };
  const key = request.idempotencyKey;
  let pending: TaskRow;
  if (key === undefined) {
    pending = await insertTask(deps.db, { ...task, claimed: true });
  } else {
    const held = await insertOrFetchTask(deps.db, {
      ...task,
      idempotencyKey: key,
      inputFingerprint: prepared.fingerprint,
    });
    if (!held.created) {
      if (held.task.inputFingerprint !== prepared.fingerprint) {
        return { kind: 'keyReused', task: held.task };
      }
      // A repeat: the task as it is, unless no request ever claimed sending it (the one that made
      // it died first), in which case this repeat sends it.
      if (held.task.state !== 'PENDING' || held.task.submittedAt !== null) {
        return { kind: 'submitted', task: held.task };
      }
      return send(deps, held.task, plugin, prepared, request.operation);
    }
    pending = held.task;
  }
  deps.events.publish(pending);
  return send(deps, pending, plugin, prepared, request.operation);
}

async function send(
  deps: TaskCoreDeps,
  pending: TaskRow,
  plugin: TaskModel,
  prepared: PreparedSubmission,
  operation: string,
): Promise<SubmitOutcome> {
  const signal = AbortSignal.timeout(deps.createTimeoutMs);
  // Each retry of each call listens to it; they are bounded, and more than Node's default 10.
  setMaxListeners(64, signal);
  // While an attempt of createTask is out, kie.ai may have the task; before, or after it surely
  // refused one, it has none.
  let sent = false;
  let task = pending;
  // Without an idempotency key no repeat can name the task: its claim was written with it.
  const claimEachAttempt = task.idempotencyKey !== null;
  try {
    let input = prepared.input;
    for (const upload of prepared.uploads) {
      ({ task, input } = await publish(deps, task, input, upload, { signal }));
    }
    const callBackUrl = plugin.callback === 'refused' ? undefined : deps.callbackUrlFor(task.id);
    const { taskId } = await deps.client.createTask(
      {
        model: plugin.id,
        input: plugin.toProviderInput(input, prepared.references),
        ...(callBackUrl !== undefined && { callBackUrl }),
      },
      {
        signal,
        beforeAttempt: async () => {
          if (claimEachAttempt && !(await claimSubmission(deps.db, task.id))) {
            throw new ClaimedElsewhere();
          }
          sent = true;
        },
        beforeRetry: async () => {
          sent = false;
          if (claimEachAttempt) await releaseSubmission(deps.db, task.id);
        },
      },
    );
    const accepted = await recordSubmission(deps.db, task.id, taskId, deps.firstPollAt());
    if (accepted) deps.events.publish(accepted);
    return { kind: 'submitted', task: accepted ?? task };
  } catch (error) {
    // A repeat of this request holds the task now: it sends it, or already has.
    if (error instanceof ClaimedElsewhere) {
      return { kind: 'submitted', task: (await findTaskById(deps.db, task.id)) ?? task };
    }
    const failure = asProviderError(error, signal, deps.createTimeoutMs, sent, operation);
    if (!failure) throw error;
    if (sent && mayHaveCreated(failure, error)) {
      // kie.ai may have the task: it stays PENDING for its callback, and is never sent again.
      return { kind: 'provider', error: failure, task };
    }
    const failed = await advanceTask(deps.db, task.id, {
      state: 'FAIL',
      error: { code: failure.code, message: failure.message },
      releaseIdempotencyKey: true,
    });
    if (failed) deps.events.publish(failed);
    return { kind: 'provider', error: failure, task: failed ?? task };
  }
}

/** Stores one upload in kie.ai's file store and records where it lives, within the time bound. */
async function publish(
  deps: TaskCoreDeps,
  task: TaskRow,
  input: Record<string, unknown>,
  upload: PreparedSubmission['uploads'][number],
  options: KieCallOptions,
): Promise<{ task: TaskRow; input: Record<string, unknown> }> {
  const source = await publishUpload(deps.client, upload, options);
  const field = upload.spec.replaces;
  const video = upload.spec.media === 'video' ? source : undefined;
  const attached = await attachUpload(deps.db, task.id, field, source.url, video);
  return { task: attached ?? task, input: { ...input, [field]: source.url } };
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

/** A createTask that kie.ai may have acted on: no answer, a lost connection, or its own 500. */
function mayHaveCreated(failure: ProviderError, error: unknown): boolean {
  return (
    !(error instanceof ProviderError) || (failure.code === 'SERVER_ERROR' && !failure.retryable)
  );
}
