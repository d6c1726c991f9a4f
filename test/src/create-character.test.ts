import { callbackEvents, characters, tasks } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;

beforeAll(async () => {
  // Long enough that a subscriber on a loaded machine still finds the task WAITING.
  t = await startTestGateway({
    emulator: { timing: { waitingMs: 1_000, queuingMs: 150, generatingMs: 150 } },
  });
});
afterAll(async () => {
  await t?.close();
});

async function create(input: Record<string, unknown>) {
  const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input });
  expect(response.errors).toBeUndefined();
  return response.data?.createCharacter;
}

const follow = (id: string) => subscribeOnce(t.wsUrl, TASK_UPDATED, { id });

describe('createCharacter → taskUpdated', () => {
  it('follows a task to SUCCESS over graphql-ws and stores its character', async () => {
    const result = await create({
      videoUrl: 'https://videos.example.com/fox.mp4',
      prompt: 'A friendly fox wearing a red scarf',
      safetyInstruction: 'Family friendly',
    });
    expect(result.__typename).toBe('CreateCharacterSuccess');
    expect(result.task.state).toBe('WAITING');
    expect(result.task.providerTaskId).toMatch(/^task_sora-2-characters_/);
    expect(result.task.input).toEqual({
      videoUrl: 'https://videos.example.com/fox.mp4',
      prompt: 'A friendly fox wearing a red scarf',
      safetyInstruction: 'Family friendly',
    });

    const updates = await follow(result.task.id);
    const states = updates.map((update) => update.data?.taskUpdated.state);
    expect(states[0]).toBe('WAITING');
    expect(states.at(-1)).toBe('SUCCESS');
    // Every state at most once, and only forward.
    const order = ['PENDING', 'WAITING', 'QUEUING', 'GENERATING', 'SUCCESS'];
    expect(states.map((state) => order.indexOf(state))).toEqual(
      [...new Set(states.map((state) => order.indexOf(state)))].sort((a, b) => a - b),
    );
    const last = updates.at(-1)?.data?.taskUpdated;
    expect(last.completedAt).not.toBeNull();
    expect(last.character).toMatchObject({
      characterId: expect.stringMatching(/^char_/),
      prompt: 'A friendly fox wearing a red scarf',
      sourceVideoUrl: 'https://videos.example.com/fox.mp4',
    });

    // What the provider received: the documented input, with our callback URL.
    const sent = t.emulator.calls.find((call) => call.route === 'createTask')?.body as any;
    expect(sent).toEqual({
      model: 'sora-2-characters',
      callBackUrl: expect.stringMatching(new RegExp(`^${t.webhookUrl}\\?task=[0-9a-f-]{36}$`)),
      input: {
        character_file_url: ['https://videos.example.com/fox.mp4'],
        character_prompt: 'A friendly fox wearing a red scarf',
        safety_instruction: 'Family friendly',
      },
    });

    const { db } = t.gateway.database;
    const row = (await db.select().from(tasks)).find(
      (task) => task.providerTaskId === result.task.providerTaskId,
    );
    expect(row?.state).toBe('SUCCESS');
    const stored = (await db.select().from(characters)).filter((c) => c.taskId === row?.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.characterId).toBe(last.character.characterId);
    // The callback may come after a poll finished the task (then it is stale): wait for it.
    const eventsOf = async () =>
      (await db.select().from(callbackEvents)).filter((e) => e.taskId === row?.id);
    await waitFor(async () => (await eventsOf()).length > 0);
    const events = await eventsOf();
    expect(events).toHaveLength(1);
    expect(['applied', 'stale']).toContain(events[0]?.outcome);
  });

  it('answers a subscription to a finished task with its final state and completes', async () => {
    const result = await create({
      videoUrl: 'https://videos.example.com/owl.mp4',
      prompt: 'A wise owl',
    });
    await follow(result.task.id);
    const again = await follow(result.task.id);
    expect(again).toHaveLength(1);
    expect(again[0]?.data?.taskUpdated.state).toBe('SUCCESS');
  });

  it('reports FAIL with the provider message', async () => {
    t.emulator.setNextOutcome({
      state: 'fail',
      failCode: '400',
      failMsg: 'The video shows a real person',
    });
    const result = await create({ videoUrl: 'https://videos.example.com/person.mp4' });
    const updates = await follow(result.task.id);
    const last = updates.at(-1)?.data?.taskUpdated;
    expect(last.state).toBe('FAIL');
    expect(last.error).toEqual({ code: '400', message: 'The video shows a real person' });
    expect(last.character).toBeNull();
  });

  it('says an unknown task id is an error', async () => {
    const updates = await follow('VGFzazowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA=');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.errors?.[0]?.message).toMatch(/No task has the id/);
  });
});
