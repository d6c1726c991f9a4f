import { characterTerms, creditCharges } from '@charanim/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql, subscribeOnce, TASK_UPDATED } from './support/graphql.ts';

/**
 * deleteTask and deleteCharacter (issue 18, item 4): an owner's own rows only, a task in flight
 * refused until it ends; what is deleted is gone from look-ups, lists and search, and what it
 * cost stays spent.
 */

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
const FLASH = 'google/gemini-omni-flash-1-1';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    // Long enough that a task just made is surely still running when it is deleted.
    emulator: { timing: { waitingMs: 2_000, queuingMs: 100, generatingMs: 100 } },
    env: { GATEWAY_API_KEYS: `acme:${ACME},globex:${GLOBEX}` },
  });
});
afterAll(async () => {
  await t?.close();
});

const asAcme = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, ACME);

const DELETE = (what: 'Task' | 'Character') => /* GraphQL */ `
  mutation Delete($id: ID!) {
    delete${what}(id: $id) {
      __typename
      ... on DeleteSuccess { taskId characterId videoId }
      ... on Error { message }
      ... on TaskInFlightError { state }
    }
  }
`;

async function omniCharacter(description: string): Promise<{ id: string; task: string }> {
  const answer = await asAcme(
    `mutation($input: CreateCharacterInput!) { createCharacter(input: $input) {
      ... on CreateCharacterSuccess { task { id character { id } } } } }`,
    {
      input: {
        model: 'gemini-omni-character',
        description,
        portraitUrl: 'https://images.example.com/portrait.jpg',
      },
    },
  );
  const task = answer.data?.createCharacter.task;
  return { id: task.character.id, task: task.id };
}

async function video(characters: string[]): Promise<string> {
  const answer = await asAcme(
    `mutation($input: CreateVideoInput!) { createVideo(input: $input) {
      __typename ... on CreateVideoSuccess { task { id } } ... on Error { message } } }`,
    { input: { model: FLASH, prompt: 'They dance', durationSeconds: 4, characters } },
  );
  return answer.data?.createVideo.task.id;
}

const ended = (id: string) => subscribeOnce(t.wsUrl, TASK_UPDATED, { id }, ACME);

const searchIds = async (words: string) =>
  (
    await asAcme('query($s: String) { characters(search: $s) { edges { node { id } } } }', {
      s: words,
    })
  ).data?.characters.edges.map((edge: { node: { id: string } }) => edge.node.id);

describe('deleteCharacter', () => {
  it('forgets the character and its task: look-ups, lists and search no longer find them', async () => {
    const owl = await omniCharacter('A wise lavender owl');
    expect(await searchIds('lavender')).toEqual([owl.id]);
    const deleted = await asAcme(DELETE('Character'), { id: owl.id });
    expect(deleted.data?.deleteCharacter).toEqual({
      __typename: 'DeleteSuccess',
      taskId: owl.task,
      characterId: owl.id,
      videoId: null,
    });
    const read = await asAcme(
      'query($c: ID!, $t: ID!) { character(id: $c) { id } task(id: $t) { id } node(id: $c) { id } tasks { edges { node { id } } } characters { edges { node { id } } } }',
      { c: owl.id, t: owl.task },
    );
    expect(read.data).toMatchObject({ character: null, task: null, node: null });
    expect(JSON.stringify(read.data)).not.toContain(owl.id);
    expect(JSON.stringify(read.data)).not.toContain(owl.task);
    expect(await searchIds('lavender')).toEqual([]);
    // Its ranked words went with it; a typo of them finds nothing either.
    const terms = await t.gateway.database.db
      .select()
      .from(characterTerms)
      .where(eq(characterTerms.term, 'lavender'));
    expect(terms).toEqual([]);
    expect(await searchIds('lavendr')).toEqual([]);
    // Deleted once, it is not found again.
    expect((await asAcme(DELETE('Character'), { id: owl.id })).data?.deleteCharacter).toMatchObject(
      { __typename: 'NotFoundError' },
    );
  });

  it("refuses another owner's character, as one that does not exist", async () => {
    const fox = await omniCharacter('A red fox');
    const refused = await graphql(t.graphqlUrl, DELETE('Character'), { id: fox.id }, GLOBEX);
    expect(refused.data?.deleteCharacter).toEqual({
      __typename: 'NotFoundError',
      message: `you have no character with the id ${fox.id}`,
    });
    for (const id of ['not-an-id', fox.task]) {
      expect((await asAcme(DELETE('Character'), { id })).data?.deleteCharacter.__typename).toBe(
        'NotFoundError',
      );
    }
    expect(await searchIds('fox')).toEqual([fox.id]);
  });

  it('leaves a video that used it, which no longer lists it; a video in flight goes on', async () => {
    const [cat, dog] = [await omniCharacter('A grey cat'), await omniCharacter('A brown dog')];
    const done = await video([cat.id, dog.id]);
    await ended(done);
    const running = await video([cat.id, dog.id]);
    await asAcme(DELETE('Character'), { id: cat.id });
    const finished = await ended(running);
    expect(finished.at(-1)?.data?.taskUpdated.state).toBe('SUCCESS');
    const videos = await asAcme(
      'query($a: ID!, $b: ID!) { a: task(id: $a) { video { id characters { id } } } b: task(id: $b) { video { characters { id } } } }',
      { a: done, b: running },
    );
    expect(videos.data?.a.video.characters).toEqual([{ id: dog.id }]);
    expect(videos.data?.b.video.characters).toEqual([{ id: dog.id }]);
  });
});

describe('deleteTask', () => {
  it('refuses a task in flight until it ends, then deletes it and its video', async () => {
    const id = await video([]);
    const refused = await asAcme(DELETE('Task'), { id });
    expect(refused.data?.deleteTask).toMatchObject({
      __typename: 'TaskInFlightError',
      state: expect.stringMatching(/^(PENDING|WAITING)$/),
      message: expect.stringMatching(/^the task is (PENDING|WAITING): it can be deleted once/),
    });
    await ended(id);
    const videoId = (await asAcme('query($id: ID!) { task(id: $id) { video { id } } }', { id }))
      .data?.task.video.id;
    const deleted = await asAcme(DELETE('Task'), { id });
    expect(deleted.data?.deleteTask).toEqual({
      __typename: 'DeleteSuccess',
      taskId: id,
      characterId: null,
      videoId,
    });
    const read = await asAcme(
      'query($v: ID!) { video(id: $v) { id } videos { edges { node { id } } } }',
      {
        v: videoId,
      },
    );
    expect(read.data?.video).toBeNull();
    expect(JSON.stringify(read.data)).not.toContain(videoId);
    // A subscription to it finds no task, and ends at once.
    const followed = await ended(id);
    expect(followed).toEqual([
      {
        errors: [
          expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) }),
        ],
      },
    ]);
    // What it cost stays spent: deleting is no way round a budget.
    const [charge] = await t.gateway.database.db
      .select()
      .from(creditCharges)
      .where(
        eq(creditCharges.taskId, Buffer.from(id, 'base64').toString().split(':')[1] as string),
      );
    expect(charge).toMatchObject({ owner: 'acme', estimate: 63, charged: 10 });
  });
});
