import { adminConnection } from '@charanim/test-support';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;
let admin: postgres.Sql;
let database: string;

beforeAll(async () => {
  t = await startTestGateway({
    emulator: { timing: { waitingMs: 300, queuingMs: 300, generatingMs: 300 } },
  });
  database = new URL(t.gateway.database.location).pathname.slice(1);
  admin = adminConnection();
});
afterAll(async () => {
  await admin?.unsafe(`alter database "${database}" with allow_connections true`);
  await admin?.end();
  await t?.close();
});

/** The database goes away for the gateway, as in a restart: connections cut, new ones refused. */
async function takeDown() {
  await admin.unsafe(`alter database "${database}" with allow_connections false`);
  await admin.unsafe(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${database}' and pid <> pg_backend_pid()`,
  );
}

const health = async () => (await fetch(`${t.gateway.url}/health`)).status;

describe('a PostgreSQL outage', () => {
  it('is reported by /health, answered with errors meanwhile, and survived', async () => {
    const created = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/outage.mp4', prompt: 'A patient tortoise' },
    });
    const { id } = (created.data as any).createCharacter.task;
    t.emulator.setCallbackMode('drop');

    await takeDown();
    await waitFor(async () => (await health()) === 503);
    const during = await graphql(t.graphqlUrl, '{ tasks(first: 1) { edges { node { id } } } }');
    expect(during.errors?.[0]?.message).toBe('Unexpected error.');
    const webhook = await fetch(t.webhookUrl, {
      method: 'POST',
      body: JSON.stringify({
        code: 200,
        data: { taskId: 'task_x', model: 'sora-2-characters', state: 'success' },
      }),
    });
    expect(webhook.status).toBeLessThan(600);
    // Long enough for the poller to fail a few times.
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    await admin.unsafe(`alter database "${database}" with allow_connections true`);
    await waitFor(async () => (await health()) === 200);
    // The poller carries on where it stopped: the task whose callback was lost still finishes.
    await waitFor(async () => {
      const read = await graphql(t.graphqlUrl, 'query($id: ID!) { task(id: $id) { state } }', {
        id,
      });
      return (read.data as any)?.task?.state === 'SUCCESS';
    }, 15_000);
    t.emulator.setCallbackMode('deliver');
  });
});
