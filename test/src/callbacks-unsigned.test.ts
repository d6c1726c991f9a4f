import { characters, tasks } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;

beforeAll(async () => {
  // No HMAC key: a callback is only a hint to read recordInfo. The poller is held still so that
  // only callbacks move tasks here.
  t = await startTestGateway({
    signed: false,
    startPoller: false,
    emulator: { timing: { waitingMs: 60_000, queuingMs: 60_000, generatingMs: 60_000 } },
  });
});
afterAll(async () => {
  await t?.close();
});

describe('callbacks without a webhook key', () => {
  it('records what recordInfo says, not what the callback claims', async () => {
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/dog.mp4', prompt: 'A loyal dog' },
    });
    const { providerTaskId } = (response.data as any).createCharacter.task;
    const forged = JSON.stringify({
      code: 200,
      msg: 'ok',
      data: {
        taskId: providerTaskId,
        model: 'sora-2-characters',
        state: 'success',
        resultJson: JSON.stringify({ character_id: 'char_forged' }),
      },
    });
    const answer = await fetch(t.webhookUrl, { method: 'POST', body: forged });
    expect(answer.status).toBe(200);
    const { db } = t.gateway.database;
    const row = (await db.select().from(tasks)).find(
      (task) => task.providerTaskId === providerTaskId,
    );
    expect(row?.state).toBe('WAITING');
    expect(await db.select().from(characters)).toEqual([]);

    // Once the provider really finishes, the same kind of hint completes the task.
    t.emulator.failTask(providerTaskId, '500', 'internal failure');
    const hint = await fetch(t.webhookUrl, {
      method: 'POST',
      body: forged.replace('"ok"', '"again"'),
    });
    expect(hint.status).toBe(200);
    await waitFor(async () => {
      const now = (await db.select().from(tasks)).find((task) => task.id === row?.id);
      return now?.state === 'FAIL';
    });
    const failed = (await db.select().from(tasks)).find((task) => task.id === row?.id);
    expect(failed).toMatchObject({ errorCode: '500', errorMessage: 'internal failure' });
    expect(await db.select().from(characters)).toEqual([]);
  });

  it('answers a callback for an unknown task with 404', async () => {
    const body = JSON.stringify({
      code: 200,
      data: { taskId: 'task_nobody_knows', model: 'sora-2-characters', state: 'success' },
    });
    expect((await fetch(t.webhookUrl, { method: 'POST', body })).status).toBe(404);
  });
});
