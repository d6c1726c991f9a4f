import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { callbackEvents } from '../schema.ts';
import { prepared } from './prepared.ts';

const ph = sql.placeholder;

export type CallbackOutcome = 'applied' | 'stale' | 'unknown_task' | 'rejected';

export interface NewCallbackEvent {
  rawBody: string;
  /** The parsed JSON body; unparseable bodies are refused before they get here. */
  body: unknown;
  providerTaskId: string | null;
  taskId: string | null;
  owner: string | null;
  signatureValid: boolean | null;
  outcome: CallbackOutcome;
}

/** Stores a callback once; returns false when an identical body was stored before. */
export async function recordCallbackEvent(db: Executor, event: NewCallbackEvent): Promise<boolean> {
  const { rawBody, ...rest } = event;
  const inserted = await prepared(db, 'recordCallbackEvent', (db) =>
    db
      .insert(callbackEvents)
      .values({
        owner: ph('owner'),
        taskId: ph('taskId'),
        providerTaskId: ph('providerTaskId'),
        bodySha256: ph('bodySha256'),
        body: ph('body'),
        signatureValid: ph('signatureValid'),
        outcome: ph('outcome'),
      })
      .onConflictDoNothing({ target: callbackEvents.bodySha256 })
      .returning({ id: callbackEvents.id }),
  ).execute({ ...rest, bodySha256: sha256(rawBody) });
  return inserted.length > 0;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
