import { randomBytes } from 'node:crypto';
import { apiKeyTableState, DatabaseOpenError, openDatabase } from '@charanim/db';
import { freePort, runScript, TEST_POSTGRES_URL } from '@charanim/test-support';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

/** Opening a PostgreSQL database: pool sizes, instances migrating together, bad URLs. */

/** A URL on the test server naming a database that is not there, with a password in it. */
function missingDatabaseUrl(): { url: string; name: string; password: string } {
  const name = `gateway_missing_${randomBytes(6).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  url.password = password;
  if (url.username === '') url.username = 'postgres';
  return { url: url.toString(), name, password };
}

describe('a pool of one connection', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { DATABASE_POOL_SIZE: '1' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts the gateway, migrated, and serves a task to SUCCESS', async () => {
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/fox.mp4', prompt: 'A fox' },
    });
    expect(response.errors).toBeUndefined();
    const task = response.data?.createCharacter.task;
    const updates = await subscribeOnce(t.wsUrl, TASK_UPDATED, { id: task.id });
    expect(updates.at(-1)?.data?.taskUpdated.state).toBe('SUCCESS');
    expect((await apiKeyTableState(t.gateway.database.db)).active).toBe(0);
  });
});

describe('migrations', () => {
  let database: TestDatabase;
  let admin: postgres.Sql;
  beforeAll(async () => {
    database = await createTestDatabase();
    admin = postgres(database.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  it('apply once when two instances with a pool of one each migrate a fresh database together', async () => {
    const handles = await Promise.all(
      [1, 2].map(() => openDatabase({ url: database.url, maxConnections: 1, onNotice: () => {} })),
    );
    try {
      await Promise.all(handles.map((handle) => handle.migrate()));
      for (const handle of handles) {
        await handle.ping();
        expect((await apiKeyTableState(handle.db)).active).toBe(0);
      }
      const [applied] =
        await admin`select count(*)::int as count from drizzle.__drizzle_migrations`;
      const again = await openDatabase({ url: database.url, maxConnections: 1 });
      await again.migrate();
      await again.close();
      const [after] = await admin`select count(*)::int as count from drizzle.__drizzle_migrations`;
      expect(after?.count).toBe(applied?.count);
    } finally {
      await Promise.all(handles.map((handle) => handle.close()));
    }
  });

  it('release the lock when they fail, so that the next instance is not kept waiting', async () => {
    const broken = await createTestDatabase();
    try {
      // An object in the way of the first migration makes it fail.
      const setup = postgres(broken.url, { max: 1, onnotice: () => {} });
      await setup`create table tasks (unrelated int)`;
      const handle = await openDatabase({ url: broken.url, maxConnections: 1, onNotice: () => {} });
      try {
        await expect(handle.migrate()).rejects.toThrow();
        await waitFor(async () => {
          const [held] = await setup`
            select count(*)::int as count from pg_locks
            where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`;
          return held?.count === 0;
        });
        // A second attempt fails the same way instead of waiting for a lock nobody releases.
        await expect(handle.migrate()).rejects.toThrow();
      } finally {
        await handle.close();
        await setup.end();
      }
    } finally {
      await broken.drop();
    }
  });
});

describe('a DATABASE_URL the server cannot serve', () => {
  it('names a missing database, says it must exist and how to create it, without the password', async () => {
    const { url, name, password } = missingDatabaseUrl();
    const handle = await openDatabase({ url, maxConnections: 1 });
    try {
      const failure = await handle.migrate().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(DatabaseOpenError);
      const message = (failure as Error).message;
      expect(message).toContain(`database "${name}" does not exist`);
      expect(message).toContain('must exist');
      expect(message).toMatch(new RegExp(`createdb -h \\S+ -p \\d+ -U \\S+ ${name}`));
      expect(message).not.toContain(password);
      expect(message).not.toContain('\n');
    } finally {
      await handle.close();
    }
  });

  it('says when nothing listens at its host and port', async () => {
    const url = new URL(TEST_POSTGRES_URL);
    url.port = String(await freePort());
    const handle = await openDatabase({ url: url.toString(), maxConnections: 1 });
    try {
      await expect(handle.migrate()).rejects.toThrow(
        new DatabaseOpenError(
          `cannot connect to the PostgreSQL server ${url.hostname}:${url.port} (ECONNREFUSED): is it running, and is DATABASE_URL's host and port right?`,
        ),
      );
    } finally {
      await handle.close();
    }
  });

  it('names a role the server does not know', async () => {
    const url = new URL(TEST_POSTGRES_URL);
    url.username = `nobody_${randomBytes(4).toString('hex')}`;
    const handle = await openDatabase({ url: url.toString(), maxConnections: 1 });
    try {
      await expect(handle.migrate()).rejects.toThrow(
        expect.objectContaining({
          name: 'DatabaseOpenError',
          message: expect.stringContaining(`refused the login of "${url.username}"`),
        }),
      );
    } finally {
      await handle.close();
    }
  });

  it('stops the gateway process with one line and exit 78 on a missing database', async () => {
    const { url, name, password } = missingDatabaseUrl();
    const { code, output } = await runScript('services/gateway/src/main.ts', {
      env: { DATABASE_URL: url, PORT: String(await freePort()) },
    });
    expect(code, output).toBe(78);
    const lines = output.split('\n').filter(Boolean);
    expect(lines, output).toHaveLength(1);
    expect(lines[0]).toContain(`database \\"${name}\\" does not exist`);
    expect(lines[0]).toContain('must exist');
    expect(output).not.toContain(password);
    expect(output).not.toContain('PostgresError');
  });
});
