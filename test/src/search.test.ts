import { tasks } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

let t: TestGateway;

const prompts = [
  'A robot running through a neon city',
  'A fox with a red scarf',
  'Two foxes playing in the snow',
  'A knight who runs from a dragon',
  'A calm robot gardener',
];

const SEARCH = /* GraphQL */ `
  query Search($search: String, $first: Int, $after: String) {
    characters(search: $search, first: $first, after: $after) {
      edges { cursor node { id prompt characterId createdAt task { id state } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

beforeAll(async () => {
  t = await startTestGateway({
    emulator: { timing: { waitingMs: 20, queuingMs: 20, generatingMs: 20 } },
  });
  for (const prompt of prompts) {
    await graphql(t.graphqlUrl, CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/a.mp4', prompt },
    });
  }
  await waitFor(async () => {
    const rows = await t.gateway.database.db.select().from(tasks);
    return rows.length === prompts.length && rows.every((row) => row.state === 'SUCCESS');
  });
});
afterAll(async () => {
  await t?.close();
});

async function search(variables: Record<string, unknown>) {
  const response = await graphql(t.graphqlUrl, SEARCH, variables);
  expect(response.errors).toBeUndefined();
  return response.data?.characters;
}

const promptsOf = (connection: any) => connection.edges.map((edge: any) => edge.node.prompt).sort();

describe('characters(search)', () => {
  it('matches words of the prompt by their English stem', async () => {
    expect(promptsOf(await search({ search: 'run' }))).toEqual([
      'A knight who runs from a dragon',
      'A robot running through a neon city',
    ]);
    expect(promptsOf(await search({ search: 'fox' }))).toEqual([
      'A fox with a red scarf',
      'Two foxes playing in the snow',
    ]);
  });

  it('ranks the word as written before its other forms, and finds a partial word', async () => {
    const inOrder = (connection: any) => connection.edges.map((edge: any) => edge.node.prompt);
    expect(inOrder(await search({ search: 'fox' }))).toEqual([
      'A fox with a red scarf',
      'Two foxes playing in the snow',
    ]);
    expect(inOrder(await search({ search: 'foxes' }))).toEqual([
      'Two foxes playing in the snow',
      'A fox with a red scarf',
    ]);
    // "runn" begins "running", whose lexeme (run) it does not begin.
    expect(inOrder(await search({ search: 'runn' }))).toEqual([
      'A robot running through a neon city',
    ]);
  });

  it('needs every word, matches the start of a word, and ignores case and punctuation', async () => {
    expect(promptsOf(await search({ search: 'ROBOT garden!' }))).toEqual(['A calm robot gardener']);
    expect(promptsOf(await search({ search: 'rob' }))).toEqual([
      'A calm robot gardener',
      'A robot running through a neon city',
    ]);
    expect(promptsOf(await search({ search: 'unicorn' }))).toEqual([]);
    expect(promptsOf(await search({ search: "') | (':*" }))).toEqual([]);
  });

  it('lists everything newest first without a search, page by page', async () => {
    const seen: { prompt: string; createdAt: string }[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await search({ first: 2, ...(after && { after }) });
      seen.push(...page.edges.map((edge: any) => edge.node));
      pages += 1;
      expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen.map((node) => node.prompt).sort()).toEqual([...prompts].sort());
    const times = seen.map((node) => Date.parse(node.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('refuses a cursor it did not make and a page size over the limit', async () => {
    const badCursor = await graphql(t.graphqlUrl, SEARCH, { after: 'bm9wZQ' });
    expect(badCursor.errors?.[0]?.message).toMatch(/not a cursor/);
    const tooMany = await graphql(t.graphqlUrl, SEARCH, { first: 101 });
    expect(tooMany.errors?.[0]?.message).toMatch(/first is 101; must be between 0 and 100/);
  });

  it('finds a character and its task by global id, and nothing for a foreign or broken id', async () => {
    const [edge] = (await search({ search: 'scarf' })).edges;
    const byId = await graphql(
      t.graphqlUrl,
      `query($id: ID!) { character(id: $id) { prompt } node(id: $id) { id ... on Character { prompt } } }`,
      { id: edge.node.id },
    );
    expect(byId.data).toEqual({
      character: { prompt: 'A fox with a red scarf' },
      node: { id: edge.node.id, prompt: 'A fox with a red scarf' },
    });
    const task = await graphql(
      t.graphqlUrl,
      `query($id: ID!) { task(id: $id) { state character { id } } }`,
      {
        id: edge.node.task.id,
      },
    );
    expect(task.data?.task).toEqual({ state: 'SUCCESS', character: { id: edge.node.id } });
    for (const id of [
      edge.node.task.id,
      'garbage',
      Buffer.from('Character:42').toString('base64'),
    ]) {
      const missing = await graphql(t.graphqlUrl, `query($id: ID!) { character(id: $id) { id } }`, {
        id,
      });
      expect(missing).toEqual({ data: { character: null } });
    }
  });

  it('pages tasks newest first and filters them by state', async () => {
    const response = await graphql(
      t.graphqlUrl,
      `{ all: tasks(first: 10) { edges { node { state } } } done: tasks(state: SUCCESS, first: 1) { edges { node { state } } pageInfo { hasNextPage } } failed: tasks(state: FAIL) { edges { node { id } } } }`,
    );
    expect(response.data?.all.edges).toHaveLength(5);
    expect(response.data?.done).toEqual({
      edges: [{ node: { state: 'SUCCESS' } }],
      pageInfo: { hasNextPage: true },
    });
    expect(response.data?.failed.edges).toEqual([]);
  });
});
