import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseHandle, openDatabase } from '@charanim/db';
import { createDatabase } from '@charanim/test-support';
import { afterAll, beforeAll } from 'vitest';

export interface TestDatabase {
  /** A `DATABASE_URL` for the gateway: a fresh PostgreSQL database, or a fresh in-memory PGlite. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file, on the server or in PGlite per `TEST_DATABASE`: in
 * memory, or `onDisk` in a directory of its own, for a test that opens it again after a restart.
 */
export async function createTestDatabase(
  options: { onDisk?: boolean } = {},
): Promise<TestDatabase> {
  if (process.env.TEST_DATABASE !== 'pglite') return createDatabase();
  if (!options.onDisk) return { url: 'memory://', drop: async () => {} };
  const directory = await mkdtemp(join(tmpdir(), 'gateway-test-pglite-'));
  return { url: directory, drop: () => rm(directory, { recursive: true, force: true }) };
}

/** A fresh database, migrated and opened for direct queries; `close` drops it as well. */
export async function openTestDatabase(): Promise<{
  handle: DatabaseHandle;
  close(): Promise<void>;
}> {
  const database = await createTestDatabase();
  const handle = await openDatabase({ url: database.url });
  await handle.migrate();
  return {
    handle,
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}

/** A fresh database for the test file: opened before its tests, dropped after them. */
export function useTestDatabase(): () => DatabaseHandle {
  let database: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });
  return () => {
    if (!database) throw new Error('the test database is not open yet');
    return database.handle;
  };
}
