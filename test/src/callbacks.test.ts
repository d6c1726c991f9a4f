import { callbackEvents, characters, tasks } from '@charanim/db';
import { signWebhook } from '@charanim/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { successBody } from './support/callbacks.ts';
import { startTestGateway, TEST_HMAC_KEY, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;

beforeAll(async () => {
  // Slow enough that a test can act while the task is still running.
  t = await startTestGateway({
    emulator: { timing: { waitingMs: 400, queuingMs: 400, generatingMs: 400 } },
  });
});
afterAll(async () => {
  await t?.close();
});

async function createTask() {
  const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
    input: { videoUrl: 'https://videos.example.com/cat.mp4', prompt: 'A sleepy cat' },
  });
  const { providerTaskId } = (response.data as any).createCharacter.task;
  const row = (await t.gateway.database.db.select().from(tasks)).find(
    (task) => task.providerTaskId === providerTaskId,
  );
  if (!row) throw new Error('task not stored');
  return row;
}

const taskRow = async (id: string) =>
  (await t.gateway.database.db.select().from(tasks)).find((task) => task.id === id);

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(t.webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

describe('the webhook route', () => {
  it('refuses a callback without a valid signature and changes nothing', async () => {
    const task = await createTask();
    const now = Math.floor(Date.now() / 1000);
    const body = successBody(task.providerTaskId as string);
    const attempts: Record<string, string>[] = [
      {},
      { 'x-webhook-timestamp': String(now), 'x-webhook-signature': 'bm90IGEgc2lnbmF0dXJl' },
      {
        'x-webhook-timestamp': String(now),
        'x-webhook-signature': signWebhook(task.providerTaskId as string, now, 'wrong-key'),
      },
      {
        'x-webhook-timestamp': String(now - 600),
        'x-webhook-signature': signWebhook(task.providerTaskId as string, now - 600, TEST_HMAC_KEY),
      },
    ];
    for (const headers of attempts) {
      expect((await post(body, headers)).status).toBe(401);
    }
    const after = await taskRow(task.id);
    expect(after?.state).not.toBe('SUCCESS');
    const events = (await t.gateway.database.db.select().from(callbackEvents)).filter(
      (event) => event.taskId === task.id,
    );
    expect(events).toEqual([]);
  });

  it('applies a signed callback once; a duplicate changes nothing', async () => {
    t.emulator.setCallbackMode('drop');
    const task = await createTask();
    const id = task.providerTaskId as string;
    const now = Math.floor(Date.now() / 1000);
    const headers = {
      'x-webhook-timestamp': String(now),
      'x-webhook-signature': signWebhook(id, now, TEST_HMAC_KEY),
    };
    const body = successBody(id, 'char_from_callback');
    const first = await post(body, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ outcome: 'applied' });
    const second = await post(body, headers);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ outcome: 'duplicate' });
    expect((await taskRow(task.id))?.state).toBe('SUCCESS');
    const stored = (await t.gateway.database.db.select().from(characters)).filter(
      (character) => character.taskId === task.id,
    );
    expect(stored.map((character) => character.characterId)).toEqual(['char_from_callback']);
    t.emulator.setCallbackMode('deliver');
  });

  it('keeps at most 20 callbacks of one task for audit, whatever is sent', async () => {
    const task = await createTask();
    await waitFor(async () => (await taskRow(task.id))?.state === 'SUCCESS');
    const id = task.providerTaskId as string;
    const now = Math.floor(Date.now() / 1000);
    const headers = {
      'x-webhook-timestamp': String(now),
      'x-webhook-signature': signWebhook(id, now, TEST_HMAC_KEY),
    };
    for (let n = 0; n < 25; n++) {
      const answer = await post(successBody(id, `char_${n}`), headers);
      expect([200]).toContain(answer.status);
    }
    const events = (await t.gateway.database.db.select().from(callbackEvents)).filter(
      (event) => event.taskId === task.id,
    );
    expect(events).toHaveLength(20);
  });

  it('ignores a late callback that would move a task back', async () => {
    const task = await createTask();
    const id = task.providerTaskId as string;
    await waitFor(async () => (await taskRow(task.id))?.state === 'SUCCESS');
    const now = Math.floor(Date.now() / 1000);
    const late = JSON.stringify({
      code: 501,
      msg: 'failed',
      data: {
        task_id: id,
        model: 'sora-2-characters',
        state: 'fail',
        failCode: '500',
        failMsg: 'late failure',
      },
    });
    const response = await post(late, {
      'x-webhook-timestamp': String(now),
      'x-webhook-signature': signWebhook(id, now, TEST_HMAC_KEY),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: 'stale' });
    expect(await taskRow(task.id)).toMatchObject({ state: 'SUCCESS', errorCode: null });
  });

  it('finishes a task by polling when its callback is lost', async () => {
    t.emulator.setCallbackMode('drop');
    const task = await createTask();
    await waitFor(async () => (await taskRow(task.id))?.state === 'SUCCESS');
    const events = (await t.gateway.database.db.select().from(callbackEvents)).filter(
      (event) => event.taskId === task.id,
    );
    expect(events).toEqual([]);
    t.emulator.setCallbackMode('deliver');
  });

  it('stores one character when callbacks come twice', async () => {
    t.emulator.setCallbackMode('duplicate');
    const task = await createTask();
    await waitFor(async () => (await taskRow(task.id))?.state === 'SUCCESS');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stored = (await t.gateway.database.db.select().from(characters)).filter(
      (character) => character.taskId === task.id,
    );
    expect(stored).toHaveLength(1);
    t.emulator.setCallbackMode('deliver');
  });

  it.each([
    ['not JSON', '{"code": 200,', 400],
    ['JSON without a task id', '{"code": 200, "data": {}}', 400],
    ['an unknown task', successBody('task_unknown_123'), 401],
  ])('answers %s with a 4xx', async (_name, body, status) => {
    expect((await post(body)).status).toBe(status);
  });
});
