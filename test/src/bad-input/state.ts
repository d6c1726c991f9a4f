/** The state the barrage must leave alone. */
import { createHash } from 'node:crypto';
import { apiKeys, callbackEvents, characters, tasks } from '@charanim/db';
import type { TestGateway } from '../support/gateway.ts';

export interface RealTask {
  /** Our row id. */
  id: string;
  globalId: string;
  providerTaskId: string;
  /** The signed callback that completed it, byte for byte. */
  callback: string;
  characterGlobalId: string;
}

export async function snapshot(
  t: TestGateway,
): Promise<Record<string, { rows: number; sha256: string }>> {
  const { db } = t.gateway.database;
  const tables = {
    tasks: await db.select().from(tasks).orderBy(tasks.id),
    characters: await db.select().from(characters).orderBy(characters.id),
    callback_events: await db.select().from(callbackEvents).orderBy(callbackEvents.id),
    api_keys: await db.select().from(apiKeys).orderBy(apiKeys.id),
  };
  return Object.fromEntries(
    Object.entries(tables).map(([name, rows]) => [
      name,
      {
        rows: rows.length,
        sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex'),
      },
    ]),
  );
}
