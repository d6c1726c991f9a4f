import { callbackEvents, characters, tasks } from '@charanim/db';
import { eq } from 'drizzle-orm';
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

  it('bounds forged callbacks: a few reads of kie.ai a minute per task, each kept once in small form', async () => {
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/cat.mp4', prompt: 'A cat' },
    });
    const { id, providerTaskId } = (response.data as any).createCharacter.task;
    const reads = () =>
      t.emulator.calls.filter(
        (call) => call.route === 'recordInfo' && call.taskId === providerTaskId,
      ).length;
    // The attack of issue 17: distinct 60 KB bodies naming one real task, as fast as they go.
    const junk = (n: number) =>
      JSON.stringify({
        code: 200,
        msg: `forged ${n}`,
        data: {
          taskId: providerTaskId,
          model: 'sora-2-characters',
          state: 'generating',
          pad: 'x'.repeat(60_000) + n,
        },
      });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, n) => fetch(t.webhookUrl, { method: 'POST', body: junk(n) })),
    );
    // 2xx, so that kie.ai would not send its own again; none read past the minute's three.
    expect(answers.every((answer) => answer.status === 200 || answer.status === 202)).toBe(true);
    expect(answers.filter((answer) => answer.status === 202).length).toBeGreaterThanOrEqual(27);
    expect(reads()).toBeLessThanOrEqual(3);
    const { db } = t.gateway.database;
    const taskRow = (
      await db.select().from(tasks).where(eq(tasks.providerTaskId, providerTaskId))
    )[0];
    const kept = await db
      .select()
      .from(callbackEvents)
      .where(eq(callbackEvents.taskId, taskRow?.id ?? id));
    // Each kept in small form: the padding never reaches the table.
    expect(kept.length).toBeLessThanOrEqual(3);
    for (const event of kept) expect(JSON.stringify(event.body).length).toBeLessThan(400);
  });
});
