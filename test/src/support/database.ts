import { type DatabaseHandle, openDatabase } from '@charanim/db';
import { createDatabase } from '@charanim/test-support';
import { afterAll, beforeAll, inject } from 'vitest';
import { copyPgliteTemplate } from './pglite-template.ts';

export interface TestDatabase {
  /** A `DATABASE_URL` for the gateway: a PostgreSQL database, or a PGlite data directory. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file, on the server or in PGlite per `TEST_DATABASE`. PGlite's is
 * a copy of the run's migrated template in a directory of its own, which a test may open again
 * after a restart, as the gateway opens its DATA_DIR.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (process.env.TEST_DATABASE !== 'pglite') return createDatabase();
  return copyPgliteTemplate(inject('pgliteTemplate'));
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
