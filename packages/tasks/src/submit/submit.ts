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
import {
  type ImmediateModel,
  type KieCallOptions,
  ProviderError,
  type References,
} from '@charanim/provider';
import type { TaskCoreDeps } from '../deps.ts';
import { storedResult } from '../results.ts';
import { CreateNotAdmitted } from './create-limiter.ts';
import { budgetMessage, reserveEstimate } from './credits.ts';
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
  const task: NewTask = {
    owner: request.owner,
    model: prepared.plugin.id,
    input: prepared.input,
    sourceVideo: prepared.sourceVideo,
    sourceImages: prepared.sourceImages,
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
      return send(deps, held.task, prepared, request.operation);
    }
    pending = held.task;
  }
  deps.events.publish(pending);
  return send(deps, pending, prepared, request.operation);
}

async function send(
  deps: TaskCoreDeps,
  pending: TaskRow,
  prepared: PreparedSubmission,
  operation: string,
): Promise<SubmitOutcome> {
  const { plugin } = prepared;
  const paused = await deps.availability.pausedRefusal(plugin.id);
  if (paused) {
    // kie.ai refused the model as paused a moment ago: asked again, it would only refuse again.
    const failed = await fail(deps, pending, paused.code, paused.message, 0);
    return { kind: 'provider', error: paused, task: failed };
  }
  const overBudget = await reserveEstimate(deps, pending, prepared);
  if (overBudget) {
    const message = budgetMessage(overBudget);
    const failed = await fail(deps, pending, 'BUDGET_EXCEEDED', message, 0);
    return { kind: 'budget', refusal: overBudget, message, task: failed };
  }
  const deadline = Date.now() + deps.createTimeoutMs;
  const signal = AbortSignal.timeout(deps.createTimeoutMs);
  // Each retry of each call listens to it; they are bounded, and more than Node's default 10.
  setMaxListeners(64, signal);
  // While an attempt of createTask is out, kie.ai may have the task; before, or after it surely
  // refused one, it has none.
  let sent = false;
  // While a createTask waits for a place in the window: the time limit running out then is the
  // create limit's doing, and nothing was sent.
  let admitting = false;
  let task = pending;
  // Without an idempotency key no repeat can name the task: its claim was written with it.
  const claimEachAttempt = task.idempotencyKey !== null;
  try {
    let input = prepared.input;
    for (const upload of prepared.uploads) {
      ({ task, input } = await publish(deps, task, input, upload, { signal }));
    }
    const options: KieCallOptions = {
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
    };
    if (plugin.mode === 'immediate') {
      return await answerNow(deps, task, plugin, input, prepared.references, options);
    }
    const callBackUrl = plugin.callback === 'refused' ? undefined : deps.callbackUrlFor(task.id);
    const { taskId } = await deps.client.createTask(
      {
        model: plugin.id,
        input: plugin.toProviderInput(input, prepared.references),
        ...(callBackUrl !== undefined && { callBackUrl }),
      },
      {
        ...options,
        // Each attempt takes a place in the account's create window first; a 429 holds them all.
        beforeAttempt: async (attempt) => {
          admitting = true;
          await deps.createLimiter.admit(task.owner, deadline);
          admitting = false;
          await options.beforeAttempt?.(attempt);
        },
        beforeRetry: async (error) => {
          await heldAfter429(deps, error);
          await options.beforeRetry?.(error);
        },
      },
    );
    await deps.availability.taken(plugin.id);
    const accepted = await recordSubmission(deps.db, task.id, taskId, deps.firstPollAt());
    if (accepted) deps.events.publish(accepted);
    return { kind: 'submitted', task: accepted ?? task };
  } catch (error) {
    // A repeat of this request holds the task now: it sends it, or already has.
    if (error instanceof ClaimedElsewhere) {
      return { kind: 'submitted', task: (await findTaskById(deps.db, task.id)) ?? task };
    }
    if (error instanceof CreateNotAdmitted || (admitting && signal.aborted)) {
      const { retryAfterSeconds, message } =
        error instanceof CreateNotAdmitted ? error : deps.createLimiter.notAdmitted(1);
      const failed = await fail(deps, task, 'RATE_LIMITED', message, 0);
      return { kind: 'rateLimited', retryAfterSeconds, message, task: failed };
    }
    await heldAfter429(deps, error);
    await deps.availability.failed(plugin.id, error);
    const failure = asProviderError(error, signal, deps.createTimeoutMs, sent, operation);
    if (!failure) throw error;
    const maybe = sent && mayHaveCreated(failure, error);
    // kie.ai may have the task: it stays PENDING for its callback, and is never sent again.
    if (maybe && plugin.mode === 'task') return { kind: 'provider', error: failure, task };
    // An answer that never came cannot come later for a model without a task id.
    const message = maybe ? `${failure.message}${LOST_ANSWER}` : failure.message;
    return {
      kind: 'provider',
      error: failure,
      // Surely refused, it cost nothing: its credit charge is released.
      task: await fail(deps, task, failure.code, message, maybe ? undefined : 0),
    };
  }
}

const LOST_ANSWER =
  '; kie.ai may have made it all the same, but its answer is lost: make it again (the same idempotency key may be used)';

/** Ends a task FAIL and frees its idempotency key, so that a retry with the key makes a new one. */
async function fail(
  deps: TaskCoreDeps,
  task: TaskRow,
  code: string,
  message: string,
  creditsConsumed?: number,
): Promise<TaskRow> {
  const failed = await advanceTask(deps.db, task.id, {
    state: 'FAIL',
    error: { code, message },
    releaseIdempotencyKey: true,
    creditsConsumed,
  });
  if (failed) deps.events.publish(failed);
  return failed ?? task;
}

/**
 * Runs a model that answers in the same request: its answer is the result, written with the
 * task's SUCCESS; an answer that holds no usable result ends the task FAIL.
 */
async function answerNow(
  deps: TaskCoreDeps,
  task: TaskRow,
  plugin: ImmediateModel,
  input: Record<string, unknown>,
  references: References,
  options: KieCallOptions,
): Promise<SubmitOutcome> {
  const body = plugin.toProviderBody(input, references);
  const data = await deps.client.post(plugin.operation, plugin.path, body, options);
  await deps.availability.taken(plugin.id);
  let result: ReturnType<typeof storedResult>;
  try {
    result = storedResult(plugin, task, plugin.parseAnswer(data), Date.now());
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const failure = new ProviderError(
      `kie.ai answered ${plugin.operation} without a usable result: ${why}`,
      {
        code: 'UNKNOWN',
        retryable: false,
      },
    );
    return {
      kind: 'provider',
      error: failure,
      task: await fail(deps, task, 'INVALID_RESULT', failure.message),
    };
  }
  const done = await advanceTask(deps.db, task.id, { state: 'SUCCESS', result });
  if (done) deps.events.publish(done);
  return { kind: 'submitted', task: done ?? task };
}

/** Stores one upload in kie.ai's file store and records where it lives, within the time bound. */
async function publish(
  deps: TaskCoreDeps,
  task: TaskRow,
  input: Record<string, unknown>,
  upload: PreparedSubmission['uploads'][number],
  options: KieCallOptions,
): Promise<{ task: TaskRow; input: Record<string, unknown> }> {
  const attached = await publishUpload(deps.client, upload, options, deps.uploadLifetimeMs);
  const field = upload.spec.replaces;
  const row = await attachUpload(deps.db, task.id, field, attached);
  return { task: row ?? task, input: { ...input, [field]: attached.source.url } };
}

/** kie.ai dropped a create past its limit: no instance sends one for a whole window. */
async function heldAfter429(deps: TaskCoreDeps, error: unknown): Promise<void> {
  if (error instanceof ProviderError && error.providerCode === 429)
    await deps.createLimiter.refused();
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
