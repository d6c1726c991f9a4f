import { findTaskByProviderId, recordCallbackEvent } from '@charanim/db';
import { type KieClient, parseCallback, verifyWebhookSignature } from '@charanim/provider';
import type { Logger } from '../logger.ts';
import { applyRecord, type TaskUpdater } from './apply-record.ts';

export interface CallbackIngester extends TaskUpdater {
  client: Pick<KieClient, 'recordInfo'>;
  logger: Logger;
  /** With a key, only signed callbacks count; without, a callback is a hint to read recordInfo. */
  hmacKey: string | undefined;
}

export interface CallbackInput {
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

export interface CallbackAnswer {
  status: number;
  outcome: 'applied' | 'stale' | 'duplicate' | 'unknown_task' | 'rejected' | 'malformed';
}

/** Verifies, de-duplicates and applies one provider callback; HTTP lives in the adapter. */
export async function ingestCallback(
  deps: CallbackIngester,
  { rawBody, timestamp, signature }: CallbackInput,
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

  const task = await findTaskByProviderId(deps.db, callback.taskId);
  if (!task) return { status: 404, outcome: 'unknown_task' };

  // An unsigned callback could come from anyone: only kie.ai's own answer is recorded.
  const record =
    deps.hmacKey === undefined ? await deps.client.recordInfo(callback.taskId) : callback.record;
  const moved = await applyRecord(deps, task, record);
  const stored = await recordCallbackEvent(deps.db, {
    rawBody,
    body,
    providerTaskId: callback.taskId,
    taskId: task.id,
    owner: task.owner,
    signatureValid: deps.hmacKey === undefined ? null : true,
    outcome: moved ? 'applied' : 'stale',
  });
  if (!stored) return { status: 200, outcome: 'duplicate' };
  return { status: 200, outcome: moved ? 'applied' : 'stale' };
}
