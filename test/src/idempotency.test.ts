import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';
import { fixture, uploadCharacter } from './support/upload.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t?.close();
});

const created = () => t.emulator.calls.filter((call) => call.route === 'createTask').length;
const uploads = () => t.emulator.calls.filter((call) => call.route === 'upload').length;

async function create(input: Record<string, unknown>) {
  const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input });
  expect(response.errors).toBeUndefined();
  return response.data?.createCharacter;
}

const input = (key: string) => ({
  videoUrl: 'https://videos.example.com/twice.mp4',
  prompt: 'A cat that only pays once',
  idempotencyKey: key,
});

describe('idempotencyKey', () => {
  it('returns the same task for a repeat and makes no second provider call', async () => {
    const before = created();
    const first = await create(input('repeat-1'));
    const second = await create(input('repeat-1'));
    expect(first.__typename).toBe('CreateCharacterSuccess');
    expect(second.task.id).toBe(first.task.id);
    expect(created() - before).toBe(1);
  });

  it('makes one task for requests that arrive at the same moment', async () => {
    const before = created();
    const results = await Promise.all(Array.from({ length: 12 }, () => create(input('burst-1'))));
    const ids = new Set(results.map((result) => result.task?.id));
    expect(results.every((result) => result.__typename === 'CreateCharacterSuccess')).toBe(true);
    expect(ids.size).toBe(1);
    expect(created() - before).toBe(1);
  });

  it('refuses the same key with another input, naming the task that holds it', async () => {
    const first = await create(input('changed-1'));
    const before = created();
    const other = await create({ ...input('changed-1'), prompt: 'A different cat' });
    expect(other).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
    expect(other.message).toBe(
      `idempotencyKey was used with a different input, for task ${first.task.id}`,
    );
    expect(created()).toBe(before);
  });

  it('takes 200 characters and refuses 201 or none', async () => {
    expect((await create(input('k'.repeat(200)))).__typename).toBe('CreateCharacterSuccess');
    for (const key of ['k'.repeat(201), '']) {
      const refused = await create(input(key));
      expect(refused).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
      expect(refused.message).toBe(
        `idempotencyKey is ${key.length} characters; must be between 1 and 200`,
      );
    }
  });

  it.each([
    [455, 'maintenance', 'MAINTENANCE'],
    // kie.ai's code 500 without a task id is a refusal too: it made nothing.
    [500, 'Internal Error', 'SERVER_ERROR'],
  ])(
    'frees the key when kie.ai surely refused the task (%i), so that a retry can succeed',
    async (code, msg, name) => {
      const key = `after-${code}`;
      t.emulator.failNext('createTask', { code, msg }, 1);
      const refused = await create(input(key));
      expect(refused).toMatchObject({
        __typename: 'ProviderError',
        code: name,
        retryable: true,
        recordedTask: { state: 'FAIL' },
      });
      const retried = await create(input(key));
      expect(retried.__typename).toBe('CreateCharacterSuccess');
      expect(retried.task.id).not.toBe(refused.recordedTask.id);
      expect((await create(input(key))).task.id).toBe(retried.task.id);
    },
  );

  it.each([
    ['the connection broke', 'SERVER_ERROR', () => t.emulator.resetNext('createTask')],
    [
      'a proxy answered its own error page',
      'SERVER_ERROR',
      () =>
        t.emulator.failNext('createTask', { body: '<html>Bad Gateway</html>', httpStatus: 502 }),
    ],
    [
      'the answer could not be read',
      'UNKNOWN',
      () => t.emulator.failNext('createTask', { body: 'upstream hiccup', httpStatus: 200 }),
    ],
  ])(
    'keeps the task, unsent again, when kie.ai may have taken it: %s',
    async (way, code, steer) => {
      steer();
      const key = `ambiguous-${way}`;
      const before = created();
      const unclear = await create(input(key));
      expect(unclear).toMatchObject({
        __typename: 'ProviderError',
        code,
        retryable: false,
        recordedTask: { state: 'PENDING', providerTaskId: null },
      });
      const repeat = await create(input(key));
      expect(repeat).toMatchObject({
        __typename: 'CreateCharacterSuccess',
        task: { id: unclear.recordedTask.id, state: 'PENDING' },
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(created() - before).toBe(1);
    },
  );

  it('treats an uploaded video by its content', async () => {
    const clip = new Blob([fixture('clip-2s.mp4')], { type: 'video/mp4' });
    const beforeUploads = uploads();
    const first = await uploadCharacter(t.graphqlUrl, clip, 'a.mp4', {
      idempotencyKey: 'upload-1',
    });
    const again = await uploadCharacter(t.graphqlUrl, clip, 'renamed.mp4', {
      idempotencyKey: 'upload-1',
    });
    expect(again.body.data?.createCharacter.task.id).toBe(first.body.data?.createCharacter.task.id);
    expect(uploads() - beforeUploads).toBe(1);
    const otherClip = new Blob([fixture('clip-1s.mp4')], { type: 'video/mp4' });
    const other = await uploadCharacter(t.graphqlUrl, otherClip, 'a.mp4', {
      idempotencyKey: 'upload-1',
    });
    expect(other.body.data?.createCharacter).toMatchObject({
      __typename: 'ValidationError',
      field: 'idempotencyKey',
    });
    expect(uploads() - beforeUploads).toBe(1);
  });
});
