import {
  findTaskById,
  findTaskByProviderId,
  isRowId,
  recordCallbackEvent,
  recordSubmission,
  takeHintRead,
} from '@charanim/db';
import {
  type KieClient,
  type ParsedCallback,
  parseCallback,
  type TaskRecord,
  verifyWebhookSignature,
} from '@charanim/provider';
import { applyRecord } from './apply.ts';
import type { TaskCoreDeps } from './deps.ts';

/** What ingesting a callback needs: the core, and the webhook key when kie.ai signs callbacks. */
export interface CallbackIngester
  extends Pick<TaskCoreDeps, 'db' | 'models' | 'events' | 'logger'> {
  client: Pick<KieClient, 'recordInfo'>;
  /** With a key, only signed callbacks count; without, a callback is a hint to read recordInfo. */
  hmacKey: string | undefined;
}

export interface CallbackInput {
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
  /** Our task id, from the callback URL: it finds a task whose provider id was never stored. */
  localTaskId: string | undefined;
}

export interface CallbackAnswer {
  status: number;
  outcome:
    | 'applied'
    | 'stale'
    | 'duplicate'
    | 'unknown_task'
    | 'rejected'
    | 'malformed'
    | 'throttled';
}

/**
 * How many reads of kie.ai the unsigned callbacks of one task may ask for in a minute: enough for
 * kie.ai's own (one, maybe two), few enough that forged ones cost nothing (the poller reads anyway).
 */
export const UNSIGNED_READS_PER_MINUTE = 3;

/**
 * What is kept of an unsigned callback, which anyone may have sent: only what names the task and
 * its end, so that bodies padded with junk neither fill the audit table nor count as different.
 */
function smallForm({ taskId, code, msg, record }: ParsedCallback) {
  return { code, msg: msg.slice(0, 200), data: { taskId, state: record.state } };
}

/** Verifies, de-duplicates and applies one provider callback; HTTP lives in the adapter. */
export async function ingestCallback(
  deps: CallbackIngester,
  { rawBody, timestamp, signature, localTaskId }: CallbackInput,
): Promise<CallbackAnswer> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return { status: 400, outcome: 'malformed' };
  }
  const callback = parseCallback(body);
  if (!callback) return { status: 400, outcome: 'malformed' };

  if (deps.hmacKey !== undefined) {
    const verdict = verifyWebhookSignature({
      taskId: callback.taskId,
      timestamp,
      signature,
      key: deps.hmacKey,
    });
    if (!verdict.ok) {
      deps.logger.warn(
        { providerTaskId: callback.taskId, reason: verdict.reason },
        'callback refused',
      );
      return { status: 401, outcome: 'rejected' };
    }
  }

  let task = await findTaskByProviderId(deps.db, callback.taskId);
  const orphan = task ? undefined : await findOrphan(deps, localTaskId);
  task ??= orphan;
  if (!task) return { status: 404, outcome: 'unknown_task' };

  const signed = deps.hmacKey !== undefined;
  if (!signed && !(await takeHintRead(deps.db, task.id, UNSIGNED_READS_PER_MINUTE))) {
    deps.logger.info(
      { taskId: task.id, owner: task.owner, providerTaskId: callback.taskId },
      `unsigned callback not read: its task's ${UNSIGNED_READS_PER_MINUTE} reads of kie.ai for the minute are spent, and the poller reads it anyway`,
    );
    return { status: 202, outcome: 'throttled' };
  }
  // An unsigned callback could come from anyone: only kie.ai's own answer is recorded.
  const record = signed ? callback.record : await deps.client.recordInfo(callback.taskId);
  if (orphan) {
    // kie.ai took the task but we never stored its id (the process died in between): the task
    // named in the callback URL is adopted, if kie.ai's record of the task names it too.
    const named = namesTask(record, orphan.id);
    if (named === false || (named === undefined && !signed)) {
      return { status: 404, outcome: 'unknown_task' };
    }
    const adopted = await recordSubmission(deps.db, orphan.id, callback.taskId, new Date());
    if (!adopted) return { status: 404, outcome: 'unknown_task' };
    deps.events.publish(adopted);
    task = adopted;
  }
  const moved = await applyRecord(deps, task, record);
  const kept = signed ? body : smallForm(callback);
  const stored = await recordCallbackEvent(deps.db, {
    rawBody: signed ? rawBody : JSON.stringify(kept),
    body: kept,
    providerTaskId: callback.taskId,
    taskId: task.id,
    owner: task.owner,
    signatureValid: signed ? true : null,
    outcome: moved ? 'applied' : 'stale',
  });
  if (!stored) return { status: 200, outcome: 'duplicate' };
  return { status: 200, outcome: moved ? 'applied' : 'stale' };
}

/** A PENDING task without a provider id, named by the callback URL. */
async function findOrphan(deps: CallbackIngester, localTaskId: string | undefined) {
  if (!localTaskId || !isRowId(localTaskId)) return undefined;
  const task = await findTaskById(deps.db, localTaskId);
  return task?.state === 'PENDING' && task.providerTaskId === null ? task : undefined;
}

/**
 * Whether kie.ai's copy of the createTask body (`param`) has a callback URL naming this task;
 * undefined when the record carries no such copy.
 */
function namesTask(record: TaskRecord, taskId: string): boolean | undefined {
  if (!record.param) return undefined;
  try {
    const { callBackUrl } = JSON.parse(record.param) as { callBackUrl?: unknown };
    if (typeof callBackUrl !== 'string') return undefined;
    return new URL(callBackUrl).searchParams.get('task') === taskId;
  } catch {
    return undefined;
  }
}
