import { tasks } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const input = { videoUrl: 'https://videos.example.com/clip.mp4', prompt: 'A robot' };

describe('provider errors are typed results', () => {
  it.each([
    [402, 'INSUFFICIENT_CREDITS', false],
    [455, 'MAINTENANCE', true],
    [422, 'VALIDATION', false],
    [401, 'UNAUTHORIZED', false],
    [505, 'FEATURE_DISABLED', false],
  ])('code %i becomes ProviderError %s', async (code, expected, retryable) => {
    t.emulator.failNext('createTask', { code, msg: `emulated ${code}` }, 1);
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input });
    expect(response.errors).toBeUndefined();
    expect(response.data?.createCharacter).toMatchObject({
      __typename: 'ProviderError',
      code: expected,
      retryable,
    });
    expect(response.data?.createCharacter.message).toContain(`emulated ${code}`);
    // The task that could not be submitted ends FAIL with the provider's answer; none is left PENDING.
    const rows = await t.gateway.database.db.select().from(tasks);
    expect(rows.filter((row) => row.state === 'PENDING')).toEqual([]);
    expect(rows.find((row) => row.errorCode === expected)).toMatchObject({
      state: 'FAIL',
      providerTaskId: null,
    });
  });

  it('retries a rate limit on createTask and makes one task', async () => {
    const before = t.emulator.calls.filter((call) => call.route === 'createTask').length;
    t.emulator.failNext('createTask', { code: 429, msg: 'slow down' }, 2);
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input });
    expect(response.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
    const after = t.emulator.calls.filter((call) => call.route === 'createTask').length;
    expect(after - before).toBe(3);
  });

  it('gives the credits query the provider balance, and a typed error when it fails', async () => {
    t.emulator.setCredits(4321);
    t.emulator.failNext('credit', { code: 401, msg: 'bad key' }, 1);
    const failed = await graphql(t.graphqlUrl, '{ credits }');
    expect(failed.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHORIZED',
      retryable: false,
    });
    // A failure is not kept: the next read asks kie.ai again.
    expect((await graphql(t.graphqlUrl, '{ credits }')).data?.credits).toBe(4321);
  });
});
