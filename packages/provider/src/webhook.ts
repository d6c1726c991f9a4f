import { createHmac, timingSafeEqual } from 'node:crypto';
import { taskRecordSchema } from './task-record.ts';
import type { TaskRecord } from './types.ts';
import { readEnvelope } from './wire.ts';

/** kie.ai's callback signature: base64(HMAC-SHA256(`${taskId}.${timestamp}`, key)). */
export function signWebhook(taskId: string, timestamp: number | string, key: string): string {
  return createHmac('sha256', key).update(`${taskId}.${timestamp}`).digest('base64');
}

export type WebhookVerification =
  | { ok: true }
  | {
      ok: false;
      reason: 'missing_signature' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature';
    };

export interface VerifyWebhookArgs {
  /** The task id the callback's body names. */
  taskId: string;
  /** The `X-Webhook-Timestamp` header: Unix seconds. */
  timestamp: string | undefined;
  /** The `X-Webhook-Signature` header. */
  signature: string | undefined;
  /** The webhook HMAC key set in kie.ai's console. */
  key: string;
  /** The time to judge the timestamp against. Default `Date.now()`. */
  nowMs?: number;
  /** How far the timestamp may be from now, either way, so that old callbacks cannot be replayed. Default 300. */
  toleranceSeconds?: number;
}

/** Checks a callback's signature headers, in constant time. */
export function verifyWebhookSignature(args: VerifyWebhookArgs): WebhookVerification {
  const { taskId, timestamp, signature, key, nowMs = Date.now(), toleranceSeconds = 300 } = args;
  if (!timestamp || !signature) return { ok: false, reason: 'missing_signature' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) {
    return { ok: false, reason: 'stale_timestamp' };
  }
  const expected = Buffer.from(signWebhook(taskId, timestamp, key));
  const received = Buffer.from(signature);
  // timingSafeEqual throws on different lengths; the length of a signature is no secret.
  const matches = expected.length === received.length && timingSafeEqual(expected, received);
  return matches ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** A completion callback: its envelope and the task as it ended. */
export interface ParsedCallback {
  taskId: string;
  /** 200 when the task succeeded; another code (such as 501) when it failed. */
  code: number;
  msg: string;
  record: TaskRecord;
}

/** Reads a callback body; `undefined` when it is not one (no code, or no readable task in `data`). */
export function parseCallback(body: unknown): ParsedCallback | undefined {
  const envelope = readEnvelope(body);
  if (envelope?.code === undefined) return undefined;
  const record = taskRecordSchema.safeParse(envelope.data);
  if (!record.success) return undefined;
  return {
    taskId: record.data.taskId,
    code: envelope.code,
    msg: envelope.message,
    record: record.data,
  };
}
