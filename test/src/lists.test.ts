import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';

/**
 * Lists an app can page through (issue 18, item 5): `totalCount` on every connection, counted
 * over all pages with the list's filter and search, and `tasks(filter:)`.
 */

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';

let t: TestGateway;
/** When acme's first three tasks had been made, and before the rest. */
let between: string;
let foxId: string;

const asAcme = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, ACME);

async function ended(id: string, key = ACME) {
  await subscribeOnce(t.wsUrl, TASK_UPDATED, { id }, key);
}

async function sora(prompt: string, key = ACME) {
  const answer = await graphql(
    t.graphqlUrl,
    CREATE_CHARACTER,
    { input: { videoUrl: 'https://videos.example.com/list.mp4', prompt } },
    key,
  );
  const id = answer.data?.createCharacter.task.id;
  await ended(id, key);
  return id;
}

beforeAll(async () => {
  t = await startTestGateway({ env: { GATEWAY_API_KEYS: `acme:${ACME},globex:${GLOBEX}` } });
  // acme: three Sora 2 characters, a failed one, two Gemini Omni characters and a video.
  for (const prompt of ['A red fox', 'A fox cub', 'A tin robot']) await sora(prompt);
  await new Promise((resolve) => setTimeout(resolve, 20));
  between = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.emulator.setNextOutcome({ state: 'fail', failCode: '400', failMsg: 'no face' });
  await sora('A failed fox');
  for (const description of ['An arctic fox', 'A grey owl']) {
    const made = await asAcme(
      `mutation($input: CreateCharacterInput!) { createCharacter(input: $input) {
        ... on CreateCharacterSuccess { task { character { id } } } } }`,
      {
        input: {
          model: 'gemini-omni-character',
          description,
          portraitUrl: 'https://images.example.com/p.jpg',
        },
      },
    );
    foxId ??= made.data?.createCharacter.task.character.id;
  }
  const video = await asAcme(
    `mutation($input: CreateVideoInput!) { createVideo(input: $input) {
      ... on CreateVideoSuccess { task { id } } } }`,
    {
      input: {
        model: 'google/gemini-omni-flash-1-1',
        prompt: 'The fox runs',
        durationSeconds: 4,
        characters: [foxId],
      },
    },
  );
  await ended(video.data?.createVideo.task.id);
  // Another owner's rows count for nobody else.
  await sora('A fox of globex', GLOBEX);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const count = async (field: string) => {
  const answer = await asAcme(`{ list: ${field} { totalCount } }`);
  expect(answer.errors).toBeUndefined();
  return answer.data?.list.totalCount;
};

describe('totalCount', () => {
  it('counts every task, character and video of the owner, over all pages', async () => {
    expect(await count('tasks')).toBe(7);
    expect(await count('characters')).toBe(5);
    expect(await count('videos')).toBe(1);
    const first = await asAcme(
      '{ tasks(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(first.data?.tasks).toMatchObject({ totalCount: 7, pageInfo: { hasNextPage: true } });
    const next = await asAcme(
      'query($after: String) { tasks(first: 2, after: $after) { totalCount edges { node { id } } } }',
      { after: first.data?.tasks.pageInfo.endCursor },
    );
    expect(next.data?.tasks.totalCount).toBe(7);
    expect(next.data?.tasks.edges).toHaveLength(2);
  });

  it('counts what a search and a filter keep', async () => {
    expect(await count('characters(search: "fox")')).toBe(3);
    expect(await count('characters(search: "robto")')).toBe(1);
    expect(await count('characters(search: "nothing matches this")')).toBe(0);
    expect(await count(`characters(filter: { createdAfter: "${between}" })`)).toBe(2);
    expect(await count(`characters(search: "fox", filter: { createdBefore: "${between}" })`)).toBe(
      2,
    );
    const used = await asAcme('query($id: ID!) { character(id: $id) { videos { totalCount } } }', {
      id: foxId,
    });
    expect(used.data?.character.videos.totalCount).toBe(1);
    expect(await count('videos(filter: { model: "gemini-omni-video" })')).toBe(0);
  });
});

describe('tasks(filter:)', () => {
  const ids = async (args: string) => {
    const answer = await asAcme(`{ tasks(${args}) { totalCount edges { node { state model } } } }`);
    expect(answer.errors).toBeUndefined();
    return answer.data?.tasks;
  };

  it('keeps the tasks of a state, a model and a time, every condition given', async () => {
    const fails = await ids('filter: { state: FAIL }');
    expect(fails).toEqual({
      totalCount: 1,
      edges: [{ node: { state: 'FAIL', model: 'sora-2-characters' } }],
    });
    expect((await ids('filter: { model: "sora-2-characters" }')).totalCount).toBe(4);
    const omni = await ids('filter: { model: "gemini-omni-character", state: SUCCESS }');
    expect(omni.totalCount).toBe(2);
    expect(omni.edges).toHaveLength(2);
    expect((await ids(`filter: { createdAfter: "${between}" }`)).totalCount).toBe(4);
    expect((await ids(`filter: { createdBefore: "${between}", state: SUCCESS }`)).totalCount).toBe(
      3,
    );
    // The older state argument still works, and both must hold.
    expect((await ids('state: FAIL')).totalCount).toBe(1);
    expect((await ids('state: FAIL, filter: { state: SUCCESS }')).totalCount).toBe(0);
  });
});
