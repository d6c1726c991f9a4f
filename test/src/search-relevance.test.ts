import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertFinishedCharacter } from './support/characters.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql } from './support/graphql.ts';

let t: TestGateway;
const DAY = 24 * 3600_000;
const base = Date.parse('2026-06-01T00:00:00Z');

/** Characters as if made earlier: prompt, age in days, and when the source video expires. */
const seeds: { prompt: string; day: number; expires?: number }[] = [
  { prompt: 'A robot running through a neon city', day: 1 },
  { prompt: 'A calm robot gardener', day: 2 },
  { prompt: 'A robut with a typo in its own prompt', day: 3 },
  { prompt: 'A knight who runs from a dragon', day: 4 },
  { prompt: 'A fox with a red scarf', day: 5, expires: base - DAY },
  { prompt: 'Two foxes playing in the snow', day: 6, expires: Date.now() + 2 * DAY },
  { prompt: 'A sleepy cat on a windowsill', day: 7 },
  ...Array.from({ length: 23 }, (_, i) => ({
    prompt: `Dancer number ${i} ${'dancing '.repeat(i % 4)}in the rain`,
    day: 8 + i,
  })),
];

beforeAll(async () => {
  t = await startTestGateway();
  const { db } = t.gateway.database;
  for (const seed of seeds) {
    await insertFinishedCharacter(db, {
      owner: 'local',
      prompt: seed.prompt,
      createdAt: new Date(base + seed.day * DAY),
      characterId: `char_${seed.day}`,
      sourceVideoUrl: `https://videos.example.com/${seed.day}.mp4`,
      sourceVideoExpiresAt: seed.expires === undefined ? null : new Date(seed.expires),
    });
  }
});
afterAll(async () => {
  await t?.close();
});

const SEARCH = /* GraphQL */ `
  query Search($search: String, $first: Int, $after: String, $filter: CharacterFilter, $orderBy: CharacterOrder) {
    characters(search: $search, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      edges { cursor highlight node { prompt createdAt expiresAt usable } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

async function search(variables: Record<string, unknown>) {
  const response = await graphql(t.graphqlUrl, SEARCH, variables);
  expect(response.errors).toBeUndefined();
  return (response.data as any).characters;
}

const prompts = async (variables: Record<string, unknown>) =>
  (await search({ first: 100, ...variables })).edges.map((edge: any) => edge.node.prompt);

/** Every page of a search, following endCursor. */
async function allPages(variables: Record<string, unknown>, first: number) {
  const seen: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await search({ ...variables, first, ...(after && { after }) });
    seen.push(...page.edges.map((edge: any) => edge.node.prompt));
    if (!page.pageInfo.hasNextPage) return seen;
    after = page.pageInfo.endCursor;
  }
  throw new Error('no last page');
}

describe('relevance search', () => {
  it('finds words by their English stem', async () => {
    expect((await prompts({ search: 'running' })).sort()).toEqual([
      'A knight who runs from a dragon',
      'A robot running through a neon city',
    ]);
  });

  it('finds the start of a word', async () => {
    expect(await prompts({ search: 'garde' })).toEqual(['A calm robot gardener']);
  });

  it('finds a misspelt word by the nearest words its owner has', async () => {
    expect((await prompts({ search: 'robto' })).sort()).toEqual([
      'A calm robot gardener',
      'A robot running through a neon city',
      'A robut with a typo in its own prompt',
    ]);
    expect(await prompts({ search: 'windowsil' })).toEqual(['A sleepy cat on a windowsill']);
    expect(await prompts({ search: 'draggon' })).toEqual(['A knight who runs from a dragon']);
    // A word that exists is taken as written: no near words are mixed in.
    expect((await prompts({ search: 'robot' })).sort()).toEqual([
      'A calm robot gardener',
      'A robot running through a neon city',
    ]);
  });

  it('finds a word with two adjacent letters swapped, however short the word', async () => {
    // A swap leaves a short word too few of its trigrams to be found by them ("fxo" is 0.14 like
    // "fox"; 0.3 is needed), and a swap of its first two letters changes its first letter.
    for (const [typo, prompt] of [
      ['fxo', 'A fox with a red scarf'],
      ['ofx', 'A fox with a red scarf'],
      ['cta', 'A sleepy cat on a windowsill'],
      ['snwo', 'Two foxes playing in the snow'],
      ['clam', 'A calm robot gardener'],
      ['scraf', 'A fox with a red scarf'],
      ['fxo scraf', 'A fox with a red scarf'],
    ])
      expect(await prompts({ search: typo }), typo).toEqual([prompt]);
    const [edge] = (await search({ search: 'fxo', first: 1 })).edges;
    expect(edge.highlight).toBe('A <mark>fox</mark> with a red scarf');
  });

  it('ranks the word as written first, then its other forms, then the nearest typo', async () => {
    // The knight is newer, so the old rule (most occurrences, then newest) put it first.
    expect(await prompts({ search: 'running' })).toEqual([
      'A robot running through a neon city',
      'A knight who runs from a dragon',
    ]);
    expect(await prompts({ search: 'runs' })).toEqual([
      'A knight who runs from a dragon',
      'A robot running through a neon city',
    ]);
    // "robot" is one swap away, "robut" (newer) two edits.
    expect(await prompts({ search: 'robto' })).toEqual([
      'A calm robot gardener',
      'A robot running through a neon city',
      'A robut with a typo in its own prompt',
    ]);
  });

  it('finds a partial word by the words it begins, even when they are stored stemmed', async () => {
    // running is stored as the lexeme run, which "runn" does not begin.
    expect(await prompts({ search: 'runn' })).toEqual(['A robot running through a neon city']);
    expect(await prompts({ search: 'runn neon' })).toEqual(['A robot running through a neon city']);
  });

  it('ignores stop words, and a word that is one with two letters swapped', async () => {
    for (const words of ['the fox', 'teh fox', 'fox hte'])
      expect((await prompts({ search: words })).sort(), words).toEqual([
        'A fox with a red scarf',
        'Two foxes playing in the snow',
      ]);
  });

  it('refuses a search of only stop words instead of listing everything unmarked', async () => {
    for (const words of ['the a', 'A THE!', 'teh']) {
      const response = await graphql(t.graphqlUrl, SEARCH, { search: words });
      expect(response.errors?.[0], words).toMatchObject({
        message: expect.stringMatching(/^search has only stop words/),
        extensions: { code: 'BAD_USER_INPUT', argument: 'search' },
      });
      const newest = await graphql(t.graphqlUrl, SEARCH, { search: words, orderBy: 'NEWEST' });
      expect(newest.errors?.[0]?.extensions?.code, words).toBe('BAD_USER_INPUT');
    }
  });

  it('ranks a prompt that matches more strongly first', async () => {
    const dancers = await prompts({ search: 'dancing' });
    expect(dancers[0]).toMatch(/dancing dancing dancing/);
  });

  it('marks the matched words, as written', async () => {
    const [edge] = (await search({ search: 'gardener', first: 1 })).edges;
    expect(edge.highlight).toBe('A calm robot <mark>gardener</mark>');
    const running = await search({ search: 'running', first: 2 });
    expect(running.edges.map((found: any) => found.highlight)).toEqual([
      'A robot <mark>running</mark> through a neon city',
      'A knight who <mark>runs</mark> from a dragon',
    ]);
    const [typo] = (await search({ search: 'windowsil', first: 1 })).edges;
    expect(typo.highlight).toBe('A sleepy cat on a <mark>windowsill</mark>');
    const [plain] = (await search({ first: 1 })).edges;
    expect(plain.highlight).toBeNull();
  });

  it.each(['RELEVANCE', 'NEWEST'])('pages %s without duplicates or gaps', async (orderBy) => {
    const whole = await prompts({ search: 'rain', orderBy });
    expect(whole).toHaveLength(23);
    for (const size of [1, 4, 7]) {
      expect(await allPages({ search: 'rain', orderBy }, size)).toEqual(whole);
    }
  });

  it('orders NEWEST by creation time when asked, and by default without a search', async () => {
    const newest = await search({ search: 'robot', orderBy: 'NEWEST', first: 100 });
    const times = newest.edges.map((edge: any) => Date.parse(edge.node.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await prompts({}))[0]).toMatch(/Dancer number 22/);
  });
});

describe('filters and expiry', () => {
  it('tells expired characters apart', async () => {
    const [expired] = (await search({ search: 'scarf', first: 1 })).edges;
    expect(expired.node).toMatchObject({
      usable: false,
      expiresAt: new Date(base - DAY).toISOString(),
    });
    const [live] = (await search({ search: 'snow', first: 1 })).edges;
    expect(live.node.usable).toBe(true);
    const [unknown] = (await search({ search: 'cat', first: 1 })).edges;
    expect(unknown.node).toMatchObject({ usable: true, expiresAt: null });
  });

  it('filters by usable, createdAfter and createdBefore', async () => {
    expect(await prompts({ search: 'fox', filter: { usable: true } })).toEqual([
      'Two foxes playing in the snow',
    ]);
    expect(await prompts({ filter: { usable: false } })).toEqual(['A fox with a red scarf']);
    const window = await prompts({
      filter: {
        createdAfter: new Date(base + 2 * DAY).toISOString(),
        createdBefore: new Date(base + 5 * DAY).toISOString(),
      },
    });
    expect(window).toEqual([
      'A knight who runs from a dragon',
      'A robut with a typo in its own prompt',
    ]);
  });
});
