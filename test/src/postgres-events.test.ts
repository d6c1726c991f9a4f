import { advanceTask, type DatabaseHandle, openDatabase, tasks } from '@charanim/db';
import { adminConnection } from '@charanim/test-support';
import { eq } from 'drizzle-orm';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { characterSuccess } from './support/characters.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, TASK_UPDATED, wsClient } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;
/** Another instance's connection to the same database: it writes, the gateway's subscribers hear. */
let other: DatabaseHandle;
let admin: postgres.Sql;
let database: string;

beforeAll(async () => {
  // Nothing but this file's writes moves a task: no poller, no callbacks.
  t = await startTestGateway({ callbacks: false, startPoller: false });
  other = await openDatabase({ url: t.gateway.database.location });
  database = new URL(t.gateway.database.location).pathname.slice(1);
  admin = adminConnection();
});
afterAll(async () => {
  await admin?.unsafe(`alter database "${database}" with allow_connections true`);
  await admin?.end();
  await other?.close();
  await t?.close();
});

const character = {
  characterId: 'char_elsewhere',
  prompt: 'A fox',
  safetyInstruction: null,
  sourceVideo: {
    url: 'https://videos.example.com/fox.mp4',
    format: null,
    durationSeconds: null,
    sizeBytes: null,
    sha256: null,
    expiresAt: null,
  },
};

/** A task created through the gateway, and its subscription, which has seen the task as it is. */
async function followNewTask() {
  const created = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
    input: { videoUrl: 'https://videos.example.com/fox.mp4' },
  });
  const { id, providerTaskId } = (created.data as any).createCharacter.task;
  const [row] = await other.db.select().from(tasks).where(eq(tasks.providerTaskId, providerTaskId));
  if (!row) throw new Error('task not stored');
  const client = wsClient(t.wsUrl);
  const updates = client.iterate<any>({ query: TASK_UPDATED, variables: { id } });
  const first = await updates.next();
  expect(first.value?.data?.taskUpdated.state).toBe('WAITING');
  return {
    taskId: row.id,
    async rest() {
      const seen: any[] = [];
      for await (const update of updates) seen.push(update.data?.taskUpdated);
      await client.dispose();
      return seen;
    },
  };
}

describe('task events through PostgreSQL', () => {
  it('bring another instance’s changes to a subscriber, each once and in order, even two committed together', async () => {
    const { taskId, rest } = await followNewTask();
    // Both notices arrive after both changes: the first one's state must still be seen.
    await other.db.transaction(async (tx) => {
      await advanceTask(tx, taskId, { state: 'QUEUING' });
      await advanceTask(tx, taskId, { state: 'GENERATING' });
    });
    await advanceTask(other.db, taskId, { state: 'SUCCESS', result: characterSuccess(character) });
    const seen = await rest();
    expect(seen.map((task) => task.state)).toEqual(['QUEUING', 'GENERATING', 'SUCCESS']);
    expect(seen[0]).toMatchObject({ completedAt: null, error: null, character: null });
    expect(seen[2].character).toMatchObject({ characterId: 'char_elsewhere' });
  });

  it('bring a change made while the instance could not listen, once it listens again', async () => {
    const { taskId, rest } = await followNewTask();
    const listener = `select pid from pg_stat_activity where datname = '${database}' and query ilike 'listen%'`;
    await admin.unsafe(`alter database "${database}" with allow_connections false`);
    await admin.unsafe(`select pg_terminate_backend(pid) from (${listener}) listener`);
    await waitFor(async () => (await admin.unsafe(listener)).length === 0);
    await advanceTask(other.db, taskId, { state: 'GENERATING' });
    await admin.unsafe(`alter database "${database}" with allow_connections true`);
    await waitFor(() => t.logs.some((line) => line.includes('listening for task changes again')));
    await advanceTask(other.db, taskId, { state: 'SUCCESS', result: characterSuccess(character) });
    expect((await rest()).map((task) => task.state)).toEqual(['GENERATING', 'SUCCESS']);
  });
});
