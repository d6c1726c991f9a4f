import { callbackEvents, characters, insertTask, tasks } from '@charanim/db';
import { DEFAULT_USER_AGENT } from '@charanim/gateway';
import { KieClient, signWebhook } from '@charanim/provider';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestGateway,
  TEST_API_KEY,
  TEST_HMAC_KEY,
  type TestGateway,
} from './support/gateway.ts';
import { CREATE_CHARACTER, collect, graphql, TASK_UPDATED, wsClient } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;
let kie: KieClient;

beforeAll(async () => {
  t = await startTestGateway({ env: { CREATE_TIMEOUT_MS: '400' } });
  kie = new KieClient({
    apiKey: TEST_API_KEY,
    apiBaseUrl: t.emulator.url,
    uploadBaseUrl: t.emulator.url,
    userAgent: DEFAULT_USER_AGENT,
  });
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.gateway.database.db;
const row = async (id: string) => (await db().select().from(tasks).where(eq(tasks.id, id)))[0];

/** A PENDING task as a gateway that died right after createTask would have left it. */
async function orphan(prompt: string) {
  const task = await insertTask(db(), {
    owner: 'local',
    model: 'sora-2-characters',
    input: { videoUrl: 'https://videos.example.com/orphan.mp4', prompt },
    sourceVideo: {
      url: 'https://videos.example.com/orphan.mp4',
      format: null,
      durationSeconds: null,
      sizeBytes: null,
      sha256: null,
      expiresAt: null,
    },
  });
  return task;
}

describe('write-ahead', () => {
  it('adopts a task whose provider id was never stored, when its callback names it', async () => {
    const task = await orphan('An orphan fox');
    const { taskId } = await kie.createTask({
      model: 'sora-2-characters',
      input: {
        character_file_url: ['https://videos.example.com/orphan.mp4'],
        character_prompt: 'An orphan fox',
      },
      callBackUrl: `${t.webhookUrl}?task=${task.id}`,
    });
    await waitFor(async () => (await row(task.id))?.state === 'SUCCESS');
    expect(await row(task.id)).toMatchObject({ providerTaskId: taskId, state: 'SUCCESS' });
    const stored = await db().select().from(characters).where(eq(characters.taskId, task.id));
    expect(stored).toHaveLength(1);
  });

  it('adopts nothing when kie.ai’s record of the task names another task', async () => {
    const named = await orphan('The task kie.ai knows');
    const other = await orphan('A task someone else points at');
    t.emulator.setCallbackMode('drop');
    const { taskId } = await kie.createTask({
      model: 'sora-2-characters',
      input: { character_file_url: ['https://videos.example.com/orphan.mp4'] },
      callBackUrl: `${t.webhookUrl}?task=${named.id}`,
    });
    await waitFor(() => t.emulator.task(taskId)?.record.state === 'success');
    const now = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      code: 200,
      msg: 'ok',
      data: { ...t.emulator.task(taskId)?.record },
    });
    const response = await fetch(`${t.webhookUrl}?task=${other.id}`, {
      method: 'POST',
      headers: {
        'x-webhook-timestamp': String(now),
        'x-webhook-signature': signWebhook(taskId, now, TEST_HMAC_KEY),
      },
      body,
    });
    expect(response.status).toBe(404);
    expect(await row(other.id)).toMatchObject({ state: 'PENDING', providerTaskId: null });
    expect(
      await db().select().from(callbackEvents).where(eq(callbackEvents.taskId, other.id)),
    ).toEqual([]);
    t.emulator.setCallbackMode('deliver');
  });

  it('answers within its time limit, keeps the task, and lets the late callback finish it', async () => {
    t.emulator.delayNext('createTask', 1_000);
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/slow.mp4', prompt: 'A slow snail' },
    });
    // No clock is read here: had the answer waited for kie.ai, it would be a success, not this.
    const result = response.data?.createCharacter;
    expect(result).toMatchObject({
      __typename: 'ProviderError',
      code: 'SERVER_ERROR',
      retryable: false,
      message:
        'createCharacter did not finish within 0.4 s; kie.ai may still start the task: follow it with taskUpdated',
      recordedTask: { state: 'PENDING', providerTaskId: null },
    });
    // kie.ai took the request after all: its callback names our task, which then finishes.
    const client = wsClient(t.wsUrl);
    const updates = await collect(client, TASK_UPDATED, { id: result.recordedTask.id });
    await client.dispose();
    expect(updates.map((update) => update.data?.taskUpdated.state)).toEqual(
      expect.arrayContaining(['PENDING', 'SUCCESS']),
    );
    expect(updates.at(-1)?.data?.taskUpdated.providerTaskId).toMatch(/^task_/);
  });

  it('ends a submission that was never confirmed as FAIL SUBMISSION_LOST, and never sends it again', async () => {
    const task = await orphan('Lost in the post');
    const before = t.emulator.calls.filter((call) => call.route === 'createTask').length;
    const client = wsClient(t.wsUrl);
    const updates = client.iterate<any>({
      query: TASK_UPDATED,
      variables: { id: encodeGlobalID('Task', task.id) },
    });
    const first = await updates.next();
    await db()
      .update(tasks)
      .set({ createdAt: sql`now() - interval '16 minutes'` })
      .where(eq(tasks.id, task.id));
    const second = await updates.next();
    const end = await updates.next();
    await client.dispose();
    expect(end.done).toBe(true);
    const states = [first.value?.data?.taskUpdated.state, second.value?.data?.taskUpdated.state];
    expect(states).toEqual(['PENDING', 'FAIL']);
    expect(second.value?.data?.taskUpdated.error).toEqual({
      code: 'SUBMISSION_LOST',
      message: 'kie.ai never confirmed the task and sent no callback within 15 min',
    });
    expect(t.emulator.calls.filter((call) => call.route === 'createTask')).toHaveLength(before);
  });

  it('judges a submission by its last send: a repeat sending an old task is not cut off', async () => {
    const task = await orphan('Sent at last');
    // Made 16 minutes ago; a repeat of its request claimed it just now and is sending it.
    await db()
      .update(tasks)
      .set({ createdAt: sql`now() - interval '16 minutes'`, submittedAt: sql`now()` })
      .where(eq(tasks.id, task.id));
    await t.gateway.poller.tick();
    expect(await row(task.id)).toMatchObject({ state: 'PENDING' });
    await db()
      .update(tasks)
      .set({ submittedAt: sql`now() - interval '16 minutes'` })
      .where(eq(tasks.id, task.id));
    await t.gateway.poller.tick();
    expect(await row(task.id)).toMatchObject({ state: 'FAIL', errorCode: 'SUBMISSION_LOST' });
  });
});
