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

const long = (n: number) => 'a'.repeat(n);
const url = 'https://videos.example.com/clip.mp4';

describe('validation before any provider call', () => {
  it.each([
    ['no video source', {}, 'video', /a video is required/],
    ['a relative URL', { videoUrl: '/clip.mp4' }, 'videoUrl', /absolute http\(s\) URL/],
    [
      'an ftp URL',
      { videoUrl: 'ftp://example.com/clip.mp4' },
      'videoUrl',
      /absolute http\(s\) URL/,
    ],
    ['not a URL', { videoUrl: 'clip' }, 'videoUrl', /absolute http\(s\) URL/],
    [
      'a URL of 2049 characters',
      { videoUrl: `https://example.com/${long(2049 - 20)}` },
      'videoUrl',
      /2049 characters; must be at most 2048/,
    ],
    [
      'a prompt of 5001 characters',
      { videoUrl: url, prompt: long(5001) },
      'prompt',
      /5001 characters; must be at most 5000/,
    ],
    [
      'an empty prompt',
      { videoUrl: url, prompt: '' },
      'prompt',
      /^prompt is 0 characters; must be at least 1 \(leave prompt out for none\)$/,
    ],
    [
      'a prompt of nothing but whitespace',
      { videoUrl: url, prompt: ' \t\n ' },
      'prompt',
      /^prompt is only whitespace; must have at least 1 character that is not whitespace$/,
    ],
    [
      'a safety instruction of nothing but whitespace',
      { videoUrl: url, safetyInstruction: '   ' },
      'safetyInstruction',
      /^safetyInstruction is only whitespace; must have at least 1 character that is not whitespace$/,
    ],
    [
      'a safety instruction of 5001 characters',
      { videoUrl: url, safetyInstruction: long(5001) },
      'safetyInstruction',
      /5001 characters; must be at most 5000/,
    ],
    [
      'a NUL character in a prompt',
      { videoUrl: url, prompt: 'a fox\u0000' },
      'prompt',
      /^prompt holds a NUL character \(U\+0000\); it must be readable text$/,
    ],
    [
      'a lone surrogate in a safety instruction',
      { videoUrl: url, safetyInstruction: 'no \uD800 gore' },
      'safetyInstruction',
      /^safetyInstruction holds a lone UTF-16 surrogate; it must be readable text$/,
    ],
    [
      'a NUL character in a video URL',
      { videoUrl: `${url}\u0000` },
      'videoUrl',
      /^videoUrl holds a NUL character \(U\+0000\); it must be readable text$/,
    ],
    [
      'a lone surrogate in a video URL',
      { videoUrl: `${url}?\uDC00` },
      'videoUrl',
      /^videoUrl holds a lone UTF-16 surrogate; it must be readable text$/,
    ],
    [
      'a NUL character in an idempotency key',
      { videoUrl: url, idempotencyKey: 'key\u0000' },
      'idempotencyKey',
      /^idempotencyKey holds a NUL character \(U\+0000\); it must be readable text$/,
    ],
    [
      'a lone surrogate in an idempotency key',
      { videoUrl: url, idempotencyKey: '\uD83Dkey' },
      'idempotencyKey',
      /^idempotencyKey holds a lone UTF-16 surrogate; it must be readable text$/,
    ],
  ])('refuses %s as a ValidationError on its field', async (_name, input, field, message) => {
    const before = t.emulator.calls.length;
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input });
    expect(response.errors).toBeUndefined();
    expect(response.data?.createCharacter).toMatchObject({ __typename: 'ValidationError', field });
    expect(response.data?.createCharacter.message).toMatch(message);
    expect(t.emulator.calls.length).toBe(before);
    expect(await t.gateway.database.db.select().from(tasks)).toEqual([]);
  });

  it('accepts the limits themselves', async () => {
    const response = await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: {
        videoUrl: `http://example.com/${long(2048 - 19)}`,
        prompt: long(5000),
        safetyInstruction: long(5000),
      },
    });
    expect(response.data?.createCharacter.__typename).toBe('CreateCharacterSuccess');
  });
});

describe('an id that names nothing of ours', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  it.each([
    ['not base64', 'x'],
    ['no type', b64('0f8e6c1e-8a4b-4c7e-9f5d-2b7a1c3d4e5f')],
    ['a type we do not have', b64('Robot:0f8e6c1e-8a4b-4c7e-9f5d-2b7a1c3d4e5f')],
    ['a type without a row id', b64('Task:42')],
    ['a row that does not exist', b64('Character:0f8e6c1e-8a4b-4c7e-9f5d-2b7a1c3d4e5f')],
  ])(
    '(%s) reads as null from node, task and character alike, without an error',
    async (_name, id) => {
      const response = await graphql(
        t.graphqlUrl,
        'query($id: ID!) { node(id: $id) { id } task(id: $id) { id } character(id: $id) { id } }',
        { id },
      );
      expect(response).toEqual({ data: { node: null, task: null, character: null } });
    },
  );
});
