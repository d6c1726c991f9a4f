import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tasks } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedFixtures } from '../fixtures/refusals.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { collect, graphql, wsClient } from './support/graphql.ts';
import { fixture, uploadCharacter } from './support/upload.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    emulator: { timing: { waitingMs: 50, queuingMs: 50, generatingMs: 50 } },
    // Not the default 24, so that the expiry below shows the setting is followed.
    env: { KIE_UPLOAD_TTL_HOURS: '12' },
  });
});
afterAll(async () => {
  await t?.close();
});

const FOLLOW = /* GraphQL */ `
  subscription Follow($id: ID!) {
    taskUpdated(id: $id) {
      state
      input
      character {
        sourceVideoUrl
        sourceVideo { url format durationSeconds sizeBytes sha256 expiresAt }
      }
    }
  }
`;

const providerCalls = () =>
  t.emulator.calls.filter((call) => call.route === 'upload' || call.route === 'createTask').length;

describe('createCharacter with an uploaded video', () => {
  it.each([
    ['clip-1s.mp4', 'MP4', 1, 'video/mp4'],
    ['clip-2s.mp4', 'MP4', 2, 'video/mp4'],
    ['clip-4s.mp4', 'MP4', 4, 'video/mp4'],
    ['clip-1s.webm', 'WebM', 1, 'video/webm'],
    ['clip-2s.webm', 'WebM', 2, 'video/webm'],
    ['clip-4s.webm', 'WebM', 4, 'video/webm'],
    ['clip-1s.avi', 'AVI', 1, 'video/x-msvideo'],
    ['clip-2s.avi', 'AVI', 2, 'video/x-msvideo'],
    ['clip-4s.avi', 'AVI', 4, 'video/x-msvideo'],
  ])('turns %s (%s, %i s) into a character', async (name, format, seconds, type) => {
    const bytes = fixture(name);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // The name and type the client claims do not matter: the bytes do.
    const { body } = await uploadCharacter(
      t.graphqlUrl,
      new Blob([bytes], { type }),
      `my clip.${name.split('.')[1]}`,
      {
        prompt: `A test pattern in ${format}`,
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
    const { id, providerTaskId } = (body.data as any).createCharacter.task;

    const client = wsClient(t.wsUrl);
    const updates = await collect(client, FOLLOW, { id });
    await client.dispose();
    const last = updates.at(-1)?.data?.taskUpdated;
    expect(last.state).toBe('SUCCESS');
    const video = last.character.sourceVideo;
    expect(video).toMatchObject({
      format,
      durationSeconds: seconds,
      sizeBytes: bytes.length,
      sha256,
    });
    expect(video.url).toMatch(new RegExp(`/characters/${sha256}\\.${name.split('.')[1]}$`));
    expect(last.character.sourceVideoUrl).toBe(video.url);
    expect(last.input.videoUrl).toBe(video.url);
    const expiresIn = Date.parse(video.expiresAt) - Date.now();
    // As long as KIE_UPLOAD_TTL_HOURS says kie.ai keeps uploads.
    expect(expiresIn).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(12 * 3600_000);

    // kie.ai got the uploaded file's URL, and the file there is the clip, byte for byte.
    const created = t.emulator.task(providerTaskId);
    expect(created?.request.input.character_file_url).toEqual([video.url]);
    const stored = await fetch(video.url);
    expect(Buffer.from(await stored.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it.each(refusedFixtures)('refuses %s before any provider call: %s', async (name, message) => {
    const before = providerCalls();
    const { body } = await uploadCharacter(
      t.graphqlUrl,
      new Blob([fixture(name)], { type: 'video/mp4' }),
      name,
    );
    expect(body.data?.createCharacter).toEqual({
      __typename: 'ValidationError',
      field: 'video',
      message,
    });
    expect(providerCalls()).toBe(before);
  });

  it('cuts off a file one byte over 10 MB and refuses it', async () => {
    const before = providerCalls();
    const oversize = new Blob([new Uint8Array(10 * 1024 * 1024 + 1)], { type: 'video/mp4' });
    const { body } = await uploadCharacter(t.graphqlUrl, oversize, 'big.mp4');
    expect(body.data?.createCharacter).toEqual({
      __typename: 'ValidationError',
      field: 'video',
      message:
        'size over 10 MB (the upload was cut off after 10,485,761 bytes); must be at most 10 MB (10,485,760 bytes)',
    });
    expect(providerCalls()).toBe(before);
  });

  it('takes a file of exactly 10 MB in and judges its content', async () => {
    const exact = new Blob([new Uint8Array(10 * 1024 * 1024)], { type: 'video/mp4' });
    const { body } = await uploadCharacter(t.graphqlUrl, exact, 'exact.mp4');
    expect(body.data?.createCharacter).toMatchObject({
      __typename: 'ValidationError',
      field: 'video',
      message: 'the file is an unknown format; must be an MP4, WebM or AVI video',
    });
  });

  it('refuses a request that declares more than a video may be, without reading it', async () => {
    const huge = new Blob([new Uint8Array(20 * 1024 * 1024)], { type: 'video/mp4' });
    const { status, body } = await uploadCharacter(t.graphqlUrl, huge, 'huge.mp4');
    expect(status).toBe(413);
    expect(body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(
        /^video: the request is [\d,]+ bytes; a video must be at most 10,485,760 bytes$/,
      ),
      extensions: { field: 'video' },
    });
  });

  it('wants exactly one of video and videoUrl', async () => {
    const before = providerCalls();
    const both = await uploadCharacter(t.graphqlUrl, new Blob([fixture('clip-1s.mp4')]), 'a.mp4', {
      videoUrl: 'https://videos.example.com/a.mp4',
    });
    expect(both.body.data?.createCharacter).toMatchObject({
      __typename: 'ValidationError',
      field: 'video',
    });
    expect(both.body.data?.createCharacter.message).toMatch(/not both/);
    expect(providerCalls()).toBe(before);
  });

  it('checks the prompt before uploading anything', async () => {
    const before = providerCalls();
    const { body } = await uploadCharacter(
      t.graphqlUrl,
      new Blob([fixture('clip-1s.mp4')]),
      'a.mp4',
      {
        prompt: 'x'.repeat(5001),
      },
    );
    expect(body.data?.createCharacter).toMatchObject({
      __typename: 'ValidationError',
      field: 'prompt',
    });
    expect(providerCalls()).toBe(before);
  });

  it('answers a failed upload as a ProviderError with its task, ended FAIL', async () => {
    t.emulator.failNext('upload', { code: 402, msg: 'no credits for storage' }, 1);
    const { body } = await uploadCharacter(
      t.graphqlUrl,
      new Blob([fixture('clip-2s.mp4')]),
      'a.mp4',
    );
    const result = body.data?.createCharacter;
    expect(result).toMatchObject({
      __typename: 'ProviderError',
      code: 'INSUFFICIENT_CREDITS',
      retryable: false,
      recordedTask: { state: 'FAIL', providerTaskId: null },
    });
    const calls = t.emulator.calls.filter((call) => call.route === 'createTask').length;
    const row = (await t.gateway.database.db.select().from(tasks)).find(
      (task) => task.errorCode === 'INSUFFICIENT_CREDITS',
    );
    expect(row).toMatchObject({ state: 'FAIL', providerTaskId: null });
    expect(t.emulator.calls.filter((call) => call.route === 'createTask')).toHaveLength(calls);
  });

  it('leaves no spooled file behind once the requests are answered', async () => {
    expect(readdirSync(t.gateway.uploadDirectory)).toEqual([]);
  });

  it('refuses a File given inline instead of as a file part', async () => {
    const response = await graphql(
      t.graphqlUrl,
      'mutation($v: File) { createCharacter(input: { video: $v }) { __typename } }',
      { v: 'not a file' },
    );
    expect(response.errors?.[0]?.message).toMatch(/multipart request/);
  });
});
