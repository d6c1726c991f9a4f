import { modelAvailability, tasks } from '@charanim/db';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});
// A refusal as paused stands for a minute (creates for the model fail at once): each case here
// starts from a model of which nothing was learned.
afterEach(async () => {
  await t.gateway.database.db.delete(modelAvailability);
});

const input = { videoUrl: 'https://videos.example.com/clip.mp4', prompt: 'A robot' };

describe('provider errors are typed results', () => {
  it.each([
    [402, 'Insufficient credits', 'INSUFFICIENT_CREDITS', false],
    [455, 'Service unavailable', 'MAINTENANCE', true],
    [422, 'Validation error', 'VALIDATION', false],
    [401, 'You do not have access permissions', 'UNAUTHORIZED', false],
    [505, 'Feature disabled', 'FEATURE_DISABLED', false],
    [408, 'Upstream timeout', 'UPSTREAM_TIMEOUT', true],
    [433, 'Sub-key usage cap exceeded', 'USAGE_CAP_EXCEEDED', false],
    // kie.ai's refusals in code 500, told apart by their message: nothing was made.
    [500, 'This interface is temporarily paused', 'MODEL_PAUSED', false],
    [500, 'The model sora-2-characters is not supported', 'MODEL_UNKNOWN', false],
    [500, 'input.character_file_url is required', 'VALIDATION', false],
    [500, 'input.n is not within the range of allowed options', 'VALIDATION', false],
    [500, 'Internal Error', 'SERVER_ERROR', true],
  ])('code %i "%s" becomes ProviderError %s', async (code, msg, expected, retryable) => {
    t.emulator.failNext('createTask', { code, msg }, 1);
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input });
    expect(response.errors).toBeUndefined();
    expect(response.data?.createCharacter).toMatchObject({
      __typename: 'ProviderError',
      code: expected,
      retryable,
      recordedTask: { state: 'FAIL' },
    });
    const message = `kie.ai createTask answered ${code}: ${msg}`;
    expect(response.data?.createCharacter.message).toBe(message);
    // The task that could not be submitted ends FAIL with the provider's answer; none is left PENDING.
    const rows = await t.gateway.database.db.select().from(tasks);
    expect(rows.filter((row) => row.state === 'PENDING')).toEqual([]);
    expect(rows.find((row) => row.errorMessage === message)).toMatchObject({
      state: 'FAIL',
      errorCode: expected,
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
