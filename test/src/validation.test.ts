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
      'a safety instruction of 5001 characters',
      { videoUrl: url, safetyInstruction: long(5001) },
      'safetyInstruction',
      /5001 characters; must be at most 5000/,
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
