import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /health', () => {
  it('answers 200 with the database kind while the database answers', async () => {
    const response = await fetch(`${t.gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      database: process.env.TEST_DATABASE === 'pglite' ? 'pglite' : 'postgres',
    });
  });

  it('serves GraphiQL with example operations to a browser', async () => {
    const response = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('createCharacter');
    expect(page).toContain('taskUpdated');
  });
});

/** The migrations the build ships, as drizzle's journal lists them. */
const journal = JSON.parse(
  readFileSync(new URL('../../db/migrations/meta/_journal.json', import.meta.url), 'utf8'),
) as { entries: { tag: string; when: number }[] };
const newest = journal.entries.at(-1) as { tag: string; when: number };

async function probe(path: string) {
  const response = await fetch(`${t.gateway.url}${path}`);
  return { status: response.status, body: await response.json() };
}

const execute = (statement: string) => t.gateway.database.db.execute(statement);

describe('GET /ready', () => {
  it('answers 200 once the database has every migration the build ships', async () => {
    expect(await probe('/ready')).toEqual({
      status: 200,
      body: {
        status: 'ready',
        database: process.env.TEST_DATABASE === 'pglite' ? 'pglite' : 'postgres',
        migrations: journal.entries.length,
        // As their plugins know them until kie.ai says otherwise: the Sora 2 models are paused.
        pausedModels: ['sora-2-characters', 'sora-2-characters-pro', 'sora-2-text-to-video'].map(
          (model) => ({ model, message: expect.stringContaining('paused'), checkedAt: null }),
        ),
      },
    });
  });

  it('answers 503 naming the migration a database lacks, while /health stays 200', async () => {
    // As a database restored from a backup older than the build: its newest migration is missing.
    await execute(
      `create table drizzle.held as select * from drizzle.__drizzle_migrations where created_at = ${newest.when}`,
    );
    await execute(`delete from drizzle.__drizzle_migrations where created_at = ${newest.when}`);
    try {
      expect(await probe('/ready')).toEqual({
        status: 503,
        body: { status: 'not ready', reason: 'migrations not applied', pending: [newest.tag] },
      });
      expect((await probe('/health')).status).toBe(200);
    } finally {
      await execute('insert into drizzle.__drizzle_migrations select * from drizzle.held');
      await execute('drop table drizzle.held');
    }
    expect((await probe('/ready')).status).toBe(200);
  });

  it("answers 503 for a database without drizzle's migrations table", async () => {
    await execute('alter table drizzle.__drizzle_migrations rename to away');
    try {
      expect(await probe('/ready')).toEqual({
        status: 503,
        body: { status: 'not ready', reason: 'the applied migrations cannot be read' },
      });
    } finally {
      await execute('alter table drizzle.away rename to __drizzle_migrations');
    }
    expect((await probe('/ready')).status).toBe(200);
  });
});
