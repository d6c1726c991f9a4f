import { characters, tasks } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce } from './support/graphql.ts';

const CREATE_FROM_TASK = /* GraphQL */ `
  mutation CreateFromTask($input: CreateCharacterFromTaskInput!) {
    createCharacterFromTask(input: $input) {
      __typename
      ... on CreateCharacterSuccess { task { id state providerTaskId model input } }
      ... on Error { message }
      ... on ValidationError { field }
      ... on ProviderError { code retryable recordedTask { id state providerTaskId } }
      ... on RateLimitedError { retryAfterSeconds }
    }
  }
`;

const FOLLOW = /* GraphQL */ `
  subscription Follow($id: ID!) {
    taskUpdated(id: $id) {
      id state
      error { code message }
      character {
        characterId prompt safetyInstruction sourceVideoUrl usable
        sourceVideo { url format durationSeconds sizeBytes sha256 expiresAt }
      }
    }
  }
`;

let t: TestGateway;

beforeAll(async () => {
  // More mutations than the default budget of 60 a minute; the limit has its own test below.
  // The origin tasks here are kie.ai ids made up for the test: this gateway takes them.
  t = await startTestGateway({
    env: { RATE_LIMIT_MUTATIONS_PER_MINUTE: '1000', ALLOW_FOREIGN_ORIGIN_TASKS: 'true' },
  });
});
afterAll(async () => {
  await t?.close();
});

/** The createTask calls a gateway's emulator got (the poller's reads come and go meanwhile). */
const createTasks = (gateway = t) =>
  gateway.emulator.calls.filter((call) => call.route === 'createTask');

async function createFromTask(input: Record<string, unknown>, url = t.graphqlUrl) {
  const response = await graphql(url, CREATE_FROM_TASK, { input });
  expect(response.errors).toBeUndefined();
  return response.data?.createCharacterFromTask;
}

const follow = (id: string) => subscribeOnce(t.wsUrl, FOLLOW, { id });

const valid = {
  originTaskId: 'task_sora-2-text-to-video_1765174270120',
  startSeconds: 1.5,
  endSeconds: 3.5,
  prompt: 'A fox in a red scarf, from the earlier video',
};
const long = (n: number) => 'a'.repeat(n);

describe('createCharacterFromTask validation, before any provider call', () => {
  it.each([
    [
      'a start before 0',
      { startSeconds: -0.01, endSeconds: 1 },
      'startSeconds',
      'startSeconds is -0.01; must be at least 0',
    ],
    [
      'a segment of 0.99 s',
      { startSeconds: 2, endSeconds: 2.99 },
      'endSeconds',
      'the segment is 0.99 s (2 to 2.99); must be between 1 and 4 s',
    ],
    [
      'a segment of 4.01 s',
      { startSeconds: 2, endSeconds: 6.01 },
      'endSeconds',
      'the segment is 4.01 s (2 to 6.01); must be between 1 and 4 s',
    ],
    [
      'a segment of 4.5 s',
      { startSeconds: 1.5, endSeconds: 6 },
      'endSeconds',
      'the segment is 4.5 s (1.5 to 6); must be between 1 and 4 s',
    ],
    [
      'an end before the start',
      { startSeconds: 3, endSeconds: 1 },
      'endSeconds',
      'the segment is -2 s (3 to 1); must be between 1 and 4 s',
    ],
    [
      'a prompt of 5001 characters',
      { prompt: long(5001) },
      'prompt',
      'prompt is 5001 characters; must be at most 5000',
    ],
    ['an empty prompt', { prompt: '' }, 'prompt', 'prompt is 0 characters; must be at least 1'],
    [
      'a prompt of nothing but whitespace',
      { prompt: '   ' },
      'prompt',
      'prompt is only whitespace; must have at least 1 character that is not whitespace',
    ],
    [
      'an origin task id of nothing but whitespace',
      { originTaskId: '   ' },
      'originTaskId',
      'originTaskId is required: the id of an earlier kie.ai video task',
    ],
    [
      'a start of 1e308 s',
      { startSeconds: 1e308, endSeconds: 1e308 },
      'startSeconds',
      'startSeconds is 1e+308; must be at most 3600',
    ],
    [
      'an end of 1e308 s',
      { startSeconds: 1, endSeconds: 1e308 },
      'endSeconds',
      'endSeconds is 1e+308; must be at most 3600',
    ],
    [
      'a start of -1e308 s',
      { startSeconds: -1e308 },
      'startSeconds',
      'startSeconds is -1e+308; must be at least 0',
    ],
    [
      'a safety instruction of 5001 characters',
      { safetyInstruction: long(5001) },
      'safetyInstruction',
      'safetyInstruction is 5001 characters; must be at most 5000',
    ],
    [
      'a user name of 41 characters',
      { characterUserName: long(41) },
      'characterUserName',
      'characterUserName is 41 characters; must be at most 40',
    ],
    [
      'an empty origin task id',
      { originTaskId: '' },
      'originTaskId',
      'originTaskId is required: the id of an earlier kie.ai video task',
    ],
    [
      'an idempotency key of 201 characters',
      { idempotencyKey: long(201) },
      'idempotencyKey',
      'idempotencyKey is 201 characters; must be between 1 and 200',
    ],
    [
      'an empty idempotency key',
      { idempotencyKey: '' },
      'idempotencyKey',
      'idempotencyKey is 0 characters; must be between 1 and 200',
    ],
  ])('refuses %s as a ValidationError on its field', async (_name, change, field, message) => {
    const calls = createTasks().length;
    const tasksBefore = (await t.gateway.database.db.select().from(tasks)).length;
    const refused = await createFromTask({ ...valid, ...change });
    expect(refused).toEqual({ __typename: 'ValidationError', field, message });
    expect(createTasks()).toHaveLength(calls);
    expect(await t.gateway.database.db.select().from(tasks)).toHaveLength(tasksBefore);
  });

  it('accepts the limits themselves', async () => {
    for (const change of [
      { startSeconds: 0, endSeconds: 1 },
      { startSeconds: 2, endSeconds: 6 },
      { startSeconds: 1.3, endSeconds: 2.3 },
      { startSeconds: 3596, endSeconds: 3600 },
      { prompt: ' a fox ' },
      {
        prompt: long(5000),
        safetyInstruction: long(5000),
        characterUserName: long(40),
        idempotencyKey: long(200),
      },
    ]) {
      expect((await createFromTask({ ...valid, ...change })).__typename).toBe(
        'CreateCharacterSuccess',
      );
    }
  });
});

describe('createCharacterFromTask → taskUpdated', () => {
  it('sends the pro model its documented input and stores the character on SUCCESS', async () => {
    const before = createTasks().length;
    const result = await createFromTask({
      ...valid,
      characterUserName: 'Foxy',
      safetyInstruction: 'Family friendly',
    });
    expect(result.__typename).toBe('CreateCharacterSuccess');
    expect(result.task).toMatchObject({
      state: 'WAITING',
      model: 'sora-2-characters-pro',
      providerTaskId: expect.stringMatching(/^task_sora-2-characters-pro_/),
      input: {
        ...valid,
        characterUserName: 'Foxy',
        safetyInstruction: 'Family friendly',
      },
    });

    const sent = createTasks().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toEqual({
      model: 'sora-2-characters-pro',
      callBackUrl: expect.stringMatching(new RegExp(`^${t.webhookUrl}\\?task=[0-9a-f-]{36}$`)),
      input: {
        origin_task_id: 'task_sora-2-text-to-video_1765174270120',
        timestamps: '1.5,3.5',
        character_prompt: 'A fox in a red scarf, from the earlier video',
        character_user_name: 'Foxy',
        safety_instruction: 'Family friendly',
      },
    });

    const updates = await follow(result.task.id);
    const last = updates.at(-1)?.data?.taskUpdated;
    expect(last.state).toBe('SUCCESS');
    expect(last.character).toEqual({
      characterId: expect.stringMatching(/^char_/),
      prompt: 'A fox in a red scarf, from the earlier video',
      safetyInstruction: 'Family friendly',
      sourceVideoUrl: 'kie-task:task_sora-2-text-to-video_1765174270120#t=1.5,3.5',
      usable: true,
      sourceVideo: {
        url: 'kie-task:task_sora-2-text-to-video_1765174270120#t=1.5,3.5',
        format: null,
        durationSeconds: 2,
        sizeBytes: null,
        sha256: null,
        expiresAt: null,
      },
    });

    const { db } = t.gateway.database;
    const row = (await db.select().from(tasks)).find(
      (task) => task.providerTaskId === result.task.providerTaskId,
    );
    expect(row?.state).toBe('SUCCESS');
    const stored = (await db.select().from(characters)).filter((c) => c.taskId === row?.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      characterId: last.character.characterId,
      prompt: 'A fox in a red scarf, from the earlier video',
      sourceVideoDurationSeconds: 2,
    });
  });

  it('sends the origin task id without the whitespace pasted around it', async () => {
    const before = createTasks().length;
    const result = await createFromTask({ ...valid, originTaskId: ` ${valid.originTaskId}\n` });
    expect(result.__typename).toBe('CreateCharacterSuccess');
    expect(result.task.input.originTaskId).toBe(valid.originTaskId);
    const [sent] = createTasks().slice(before);
    expect(sent?.body).toMatchObject({ input: { origin_task_id: valid.originTaskId } });
  });

  it.each([
    [3, 5, '3,5'],
    [0.25, 2, '0.25,2'],
  ])(
    'writes a segment from %s to %s s as "%s", leaving out what was not given',
    async (startSeconds, endSeconds, timestamps) => {
      const before = createTasks().length;
      const result = await createFromTask({ ...valid, startSeconds, endSeconds });
      expect(result.__typename).toBe('CreateCharacterSuccess');
      expect(
        createTasks()
          .slice(before)
          .map((call) => call.body),
      ).toEqual([
        {
          model: 'sora-2-characters-pro',
          callBackUrl: expect.any(String),
          input: {
            origin_task_id: valid.originTaskId,
            timestamps,
            character_prompt: valid.prompt,
          },
        },
      ]);
    },
  );

  it('reports a refusal by kie.ai as a ProviderError with the failed task', async () => {
    t.emulator.failNext('createTask', { code: 455, msg: 'maintenance' }, 1);
    const refused = await createFromTask({ ...valid, idempotencyKey: 'pro-maintenance' });
    expect(refused).toMatchObject({
      __typename: 'ProviderError',
      code: 'MAINTENANCE',
      retryable: true,
      recordedTask: { state: 'FAIL', providerTaskId: null },
    });
    // The key was freed: a retry makes a new task.
    const retried = await createFromTask({ ...valid, idempotencyKey: 'pro-maintenance' });
    expect(retried.__typename).toBe('CreateCharacterSuccess');
    expect(retried.task.id).not.toBe(refused.recordedTask.id);
  });
});

describe('createCharacterFromTask idempotency', () => {
  it('returns the same task for a repeat and makes one createTask', async () => {
    const before = createTasks().length;
    const input = { ...valid, idempotencyKey: 'pro-repeat-1' };
    const first = await createFromTask(input);
    const second = await createFromTask(input);
    expect(first.__typename).toBe('CreateCharacterSuccess');
    expect(second.__typename).toBe('CreateCharacterSuccess');
    expect(second.task.id).toBe(first.task.id);
    expect(createTasks().length - before).toBe(1);
  });

  it('makes one task for requests that arrive at the same moment', async () => {
    const before = createTasks().length;
    const input = { ...valid, idempotencyKey: 'pro-burst-1' };
    const results = await Promise.all(Array.from({ length: 8 }, () => createFromTask(input)));
    expect(new Set(results.map((result) => result.task?.id)).size).toBe(1);
    expect(createTasks().length - before).toBe(1);
  });

  it.each([
    ['originTaskId', { originTaskId: 'task_other' }],
    ['startSeconds', { startSeconds: 1 }],
    ['endSeconds', { endSeconds: 4 }],
    ['prompt', { prompt: 'Another fox' }],
    ['characterUserName', { characterUserName: 'Foxy' }],
    ['safetyInstruction', { safetyInstruction: 'Calm' }],
  ])('refuses the same key with another %s', async (name, change) => {
    const key = `pro-changed-${name}`;
    const first = await createFromTask({ ...valid, idempotencyKey: key });
    const before = createTasks().length;
    const other = await createFromTask({ ...valid, ...change, idempotencyKey: key });
    expect(other).toEqual({
      __typename: 'ValidationError',
      field: 'idempotencyKey',
      message: `idempotencyKey was used with a different input, for task ${first.task.id}`,
    });
    expect(createTasks().length).toBe(before);
  });

  it('refuses a key that createCharacter already used', async () => {
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/fox.mp4', idempotencyKey: 'shared-key' },
    });
    const basic = response.data?.createCharacter;
    expect(basic.__typename).toBe('CreateCharacterSuccess');
    const pro = await createFromTask({ ...valid, idempotencyKey: 'shared-key' });
    expect(pro).toMatchObject({ __typename: 'ValidationError', field: 'idempotencyKey' });
    expect(pro.message).toBe(
      `idempotencyKey was used with a different input, for task ${basic.task.id}`,
    );
  });
});

describe('createCharacterFromTask rate limit', () => {
  let limited: TestGateway;

  beforeAll(async () => {
    limited = await startTestGateway({
      env: { RATE_LIMIT_MUTATIONS_PER_MINUTE: '2', ALLOW_FOREIGN_ORIGIN_TASKS: 'true' },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('shares the mutation budget with createCharacter', async () => {
    const basic = await graphql(limited.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/fox.mp4' },
    });
    expect(basic.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
    expect((await createFromTask(valid, limited.graphqlUrl)).__typename).toBe(
      'CreateCharacterSuccess',
    );
    const calls = createTasks(limited).length;
    const refused = await createFromTask(valid, limited.graphqlUrl);
    expect(refused).toMatchObject({
      __typename: 'RateLimitedError',
      message: expect.stringMatching(/retry after \d+ s/),
    });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(createTasks(limited)).toHaveLength(calls);
  });
});

describe('the origin task', () => {
  const ACME = 'acme-key-0123456789abc';
  const GLOBEX = 'globex-key-0123456789ab';
  const keys = `acme:${ACME}, globex:${GLOBEX}`;
  const gateways: TestGateway[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
  });

  /** A gateway with two owners; acme has a Sora video task, whose kie.ai id is returned. */
  async function withAcmeVideo(env: Record<string, string> = {}) {
    const gateway = await startTestGateway({ env: { GATEWAY_API_KEYS: keys, ...env } });
    gateways.push(gateway);
    const video = await graphql(
      gateway.graphqlUrl,
      'mutation($input: CreateVideoInput!) { createVideo(input: $input) { ... on CreateVideoSuccess { task { providerTaskId } } } }',
      { input: { model: 'sora-2-text-to-video', prompt: 'A fox runs through snow' } },
      ACME,
    );
    const providerTaskId = video.data?.createVideo.task.providerTaskId as string;
    const as = async (key: string, originTaskId: string) => {
      const before = createTasks(gateway).length;
      const response = await graphql(
        gateway.graphqlUrl,
        CREATE_FROM_TASK,
        { input: { ...valid, originTaskId } },
        key,
      );
      return {
        answer: response.data?.createCharacterFromTask,
        sent: createTasks(gateway).length - before,
      };
    };
    return { providerTaskId, as };
  }

  const refusal = {
    __typename: 'ValidationError',
    field: 'originTaskId',
    message:
      'originTaskId names no task of yours: give the providerTaskId of one of your video tasks',
  };

  it('must be one of the caller’s own tasks: another owner’s and one nobody has are refused', async () => {
    const { providerTaskId, as } = await withAcmeVideo();
    const own = await as(ACME, providerTaskId);
    expect(own.answer.__typename).toBe('CreateCharacterSuccess');
    expect(own.sent).toBe(1);
    for (const [key, id] of [
      [GLOBEX, providerTaskId],
      [ACME, 'task_sora-2-text-to-video_made_elsewhere'],
    ] as const) {
      const refused = await as(key, id);
      expect(refused.answer, id).toEqual(refusal);
      expect(refused.sent).toBe(0);
    }
  });

  it('may be one made outside the gateway where the operator allows it, never another owner’s', async () => {
    const { providerTaskId, as } = await withAcmeVideo({ ALLOW_FOREIGN_ORIGIN_TASKS: 'true' });
    expect((await as(GLOBEX, 'task_sora-2-text-to-video_made_elsewhere')).answer.__typename).toBe(
      'CreateCharacterSuccess',
    );
    const theirs = await as(GLOBEX, providerTaskId);
    expect(theirs.answer).toEqual(refusal);
    expect(theirs.sent).toBe(0);
  });
});
