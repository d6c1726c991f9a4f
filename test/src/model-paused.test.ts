import { modelAvailability, tasks } from '@charanim/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';

let t: TestGateway;

beforeAll(async () => {
  // As kie.ai has answered for every Sora 2 model since 2026-06-11.
  t = await startTestGateway({ emulator: { pausedModels: ['sora-2-characters'] } });
});
afterAll(async () => {
  await t?.close();
});

const PAUSED = 'kie.ai createTask answered 500: This interface is temporarily paused';

const input = {
  videoUrl: 'https://videos.example.com/paused.mp4',
  prompt: 'A fox kie.ai will not make',
  idempotencyKey: 'paused-1',
};

const createCalls = () => t.emulator.calls.filter((call) => call.route === 'createTask').length;

async function create() {
  const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input });
  expect(response.errors).toBeUndefined();
  return { result: response.data?.createCharacter };
}

describe('a model kie.ai has paused', () => {
  it('is MODEL_PAUSED at once: the task ends FAIL, its key is free, nothing waits', async () => {
    // A first request warms the gateway up, so that the times below are the refusal's alone.
    expect((await graphql(t.graphqlUrl, '{ credits }')).data?.credits).toEqual(expect.any(Number));
    const first = await create();
    expect(first.result).toMatchObject({
      __typename: 'ProviderError',
      code: 'MODEL_PAUSED',
      retryable: false,
      message: PAUSED,
      recordedTask: { state: 'FAIL', providerTaskId: null },
    });

    // The refusal freed the key: the same key with the same input makes a new task, refused the
    // same way without asking kie.ai, which paused the model a moment ago.
    const second = await create();
    expect(second.result).toMatchObject({
      code: 'MODEL_PAUSED',
      retryable: false,
      message: PAUSED,
      recordedTask: { state: 'FAIL' },
    });
    expect(second.result.recordedTask.id).not.toBe(first.result.recordedTask.id);
    // Sent once: a refusal is not retried, and the second was not sent.
    expect(createCalls()).toBe(1);

    // A follower hears FAIL and the end at once, not SUBMISSION_LOST 15 minutes later.
    const updates = await subscribeOnce(t.wsUrl, TASK_UPDATED, {
      id: first.result.recordedTask.id,
    });
    expect(updates.map((update) => update.data?.taskUpdated)).toMatchObject([
      { state: 'FAIL', error: { code: 'MODEL_PAUSED', message: PAUSED } },
    ]);
    // Even once 16 minutes have passed, the poller finds nothing left to end.
    const db = t.gateway.database.db;
    const longAgo = sql`now() - interval '16 minutes'`;
    await db.update(tasks).set({ createdAt: longAgo, submittedAt: longAgo });
    await t.gateway.poller.tick();
    const rows = await db.select().from(tasks);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ state: 'FAIL', errorCode: 'MODEL_PAUSED', errorMessage: PAUSED });
      expect(row.completedAt).not.toBeNull();
    }
  });

  it('says so in `models` and `/ready`, as kie.ai answered it', async () => {
    const models = await graphql(
      t.graphqlUrl,
      '{ models { id availability { state message checkedAt } } }',
    );
    const listed = models.data?.models.find(
      (model: { id: string }) => model.id === 'sora-2-characters',
    );
    expect(listed.availability).toEqual({
      state: 'PAUSED',
      message: PAUSED,
      checkedAt: expect.any(String),
    });
    const ready = await (await fetch(`${t.gateway.url}/ready`)).json();
    expect(ready.pausedModels).toContainEqual({
      model: 'sora-2-characters',
      message: PAUSED,
      checkedAt: listed.availability.checkedAt,
    });
  });

  it('asks kie.ai again once the refusal is a minute old', async () => {
    const before = createCalls();
    await t.gateway.database.db
      .update(modelAvailability)
      .set({ checkedAt: sql`now() - interval '61 seconds'` });
    const again = await create();
    expect(again.result).toMatchObject({ code: 'MODEL_PAUSED', message: PAUSED });
    expect(createCalls()).toBe(before + 1);
  });
});

describe('KIE_PROBE_MODELS', () => {
  it('asks kie.ai at start, with a free empty request, whether each model runs', async () => {
    const probed = await startTestGateway({
      emulator: { pausedModels: ['sora-2-characters'] },
      env: { KIE_PROBE_MODELS: 'true' },
    });
    try {
      // Only the models whose plugin says an empty request is free: the three Sora 2 ones.
      const probes = probed.emulator.calls.filter((call) => call.route === 'createTask');
      expect(
        probes.map((call) => call.body).sort((a: any, b: any) => (a.model < b.model ? -1 : 1)),
      ).toEqual(
        ['sora-2-characters', 'sora-2-characters-pro', 'sora-2-text-to-video'].map((model) => ({
          model,
          input: {},
        })),
      );
      expect(probed.emulator.stats().tasks.total).toBe(0);
      const models = await graphql(
        probed.graphqlUrl,
        '{ models { id availability { state message checkedAt } } }',
      );
      const states = Object.fromEntries(
        models.data?.models.map((model: any) => [model.id, model.availability.state]),
      );
      expect(states).toMatchObject({
        'sora-2-characters': 'PAUSED',
        'sora-2-characters-pro': 'AVAILABLE',
        'sora-2-text-to-video': 'AVAILABLE',
        // Not probed: nothing is known of it yet.
        'gemini-omni-video': 'UNKNOWN',
      });
      // The start log says which models kie.ai has paused.
      expect(probed.logs.join('')).toContain('kie.ai has paused sora-2-characters:');
    } finally {
      await probed.close();
    }
  });
});
