import {
  type CharacterFilter,
  listCharacters,
  resolveCharacterSearch,
  rowsOf,
  StopWordsOnlyError,
} from '@charanim/db';
import { seedCharacters } from '@charanim/tools/seed';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertFinishedCharacter } from './support/characters.ts';
import { useTestDatabase } from './support/database.ts';

/**
 * Every path of a relevance search (one word's ranked list, the GIN index, the threshold walk
 * over `character_terms`, a prefix) must give the order a plain ORDER BY over every match gives,
 * page after page. The library is big enough (thousands of characters, words that go together)
 * for the walk to be taken, and holds prompts that repeat words so that ranks differ, and more
 * words that begin alike (zebra0…zebra39) than a search word is expanded to.
 */
const database = useTestDatabase();
const OWNER = 'ranking';

beforeAll(async () => {
  const { db } = database();
  await seedCharacters(db, { count: 5000, owner: OWNER });
  await seedCharacters(db, { count: 200, owner: 'someone else' });
  const repeats = [
    'A neon robot in a neon neon city',
    'A golden golden crown on a dragon',
    'A dragon dragon with a scarf scarf scarf',
    'A dancer dancing dancing in a neon city',
    // Met first in the dancer list, where it ranks lower than it does among the dancing ones,
    // which start with more characters than a walk's batch holds.
    'A dancer dancing dancing',
    ...Array.from({ length: 40 }, (_, index) => `Robot ${index} dancing dancing dancing`),
    ...Array.from(
      { length: 40 },
      (_, index) => `A zebra${index} ${'zebra '.repeat(index % 3)}dancing in a neon city`,
    ),
    // robot written two ways: the prompts are read again to tell them apart.
    'Two robots dancing with a zebra',
    'A robot among robots robots in a neon city',
    'A robots robot',
  ];
  for (const [index, prompt] of repeats.entries()) {
    await insertFinishedCharacter(db, {
      owner: OWNER,
      prompt,
      createdAt: new Date(Date.now() - index * 86_400_000),
      characterId: `char_repeat_${index}`,
      sourceVideoUrl: 'https://videos.example.com/repeat.mp4',
    });
  }
});

/**
 * The expected order, by brute force over every character of the owner: relevance as the sum over
 * search words of the best, among the words each stands for, of its weight plus its ts_rank_cd
 * in the prompt as written (a prefix: among the prompt's lexemes); then newest, then id.
 */
async function expected(search: string, filter: CharacterFilter = {}): Promise<string[]> {
  const { db } = database();
  const query = await resolveCharacterSearch(db, OWNER, search);
  if (!query) throw new Error(`"${search}" stands for nothing`);
  const rank = sql.join(
    query.groups.map(
      (group) =>
        sql`greatest(${sql.join(
          group.map(
            (operand) =>
              sql`(${operand.weight}::float8 + nullif(ts_rank_cd(${
                operand.prefix
                  ? sql`search_vector, ${`'${operand.lexeme}':*`}`
                  : sql`to_tsvector('simple', coalesce(prompt, '')), ${`'${operand.word}'`}`
              }::tsquery), 0)::float8)`,
          ),
          sql`, `,
        )})`,
    ),
    sql` + `,
  );
  const rows = await db.execute(sql`
    select id from (
      select id, created_at, ${rank} as rank from characters
      where owner = ${OWNER}
        ${filter.usable === true ? sql`and (source_video_expires_at is null or source_video_expires_at > now())` : sql``}
        ${filter.createdAfter ? sql`and created_at > ${filter.createdAfter.toISOString()}::timestamptz` : sql``}
    ) ranked
    where rank is not null
    order by rank desc, created_at desc, id desc`);
  return rowsOf<{ id: string }>(rows).map((row) => row.id);
}

/** Every page of a relevance search, `first` at a time, following the last row's position. */
async function paged(search: string, first: number, filter?: CharacterFilter): Promise<string[]> {
  const { db } = database();
  const seen: string[] = [];
  let after: { rank?: number; createdAt: Date; id: string } | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await listCharacters(db, OWNER, { first, after, search, filter });
    seen.push(...page.rows.map((row) => row.character.id));
    const last = page.rows.at(-1);
    if (!page.hasNextPage || !last) return seen;
    after = {
      rank: last.rank ?? undefined,
      createdAt: last.character.createdAt,
      id: last.character.id,
    };
  }
  throw new Error('no last page');
}

describe('relevance order on every path', () => {
  it.each([
    // Words that go together: the walk.
    ['neon city'],
    ['dragon scarf'],
    // sleeping, and sleepy as a word it is the start of.
    ['sleeping windowsill'],
    // dancing as written, and dancer whose stem its stem begins: one search word, two lists.
    ['dancing'],
    // One word's list.
    ['dragon'],
    // robot as written, and robots: one search word, two lists, prompts read again.
    ['robot'],
    ['robots neon'],
    ['fox red'],
    // A typo.
    ['dancign'],
    // Typos by two swapped letters, which trigrams do not find.
    ['fxo'],
    ['drgaon scraf'],
    // More words begin with it than a word stands for: a prefix, for the GIN index.
    ['zeb'],
    ['zebra'],
    ['zebra neon'],
    // A prefix with a word written two ways: the GIN index, prompts read again.
    ['robot zeb'],
  ])('"%s": the first page and every page match a full sort', async (search) => {
    const all = await expected(search);
    expect(all.length).toBeGreaterThan(0);
    const { db } = database();
    const firstPage = await listCharacters(db, OWNER, { first: 20, search });
    expect(firstPage.rows.map((row) => row.character.id)).toEqual(all.slice(0, 20));
    for (const size of [2, 11, 97]) expect(await paged(search, size)).toEqual(all);
  });

  it('keeps the order under filters', async () => {
    const filter = { usable: true, createdAfter: new Date(Date.now() - 200 * 86_400_000) };
    const all = await expected('neon city', filter);
    expect(all.length).toBeGreaterThan(50);
    expect(await paged('neon city', 13, filter)).toEqual(all);
  });

  it('ranks a prompt that repeats the words first', async () => {
    const { db } = database();
    const [best] = (await listCharacters(db, OWNER, { first: 1, search: 'neon city' })).rows;
    expect(best?.character.prompt).toBe('A neon robot in a neon neon city');
  });
});

/**
 * A new user's library, as a trial made it: prompts whose words begin alike, share a stem, or are
 * a letter or two apart. Made oldest first, so that the characters a search should not put first
 * are the newest and would win every tie.
 */
const TRIAL = 'trial';
const trial = [
  'a penguin wearing a tiny hat',
  'a tin robot dancing',
  'A brass robot',
  'a sprinter running and running',
  'a red fox running through snow',
  'a knight who runs from a dragon',
  'a cat sleeping on a windowsill',
  'a wizard reading a spell book',
  'an astronaut floating in space',
  'a dancer in the rain',
  'a gardener planting tulips',
  'a fox with a red scarf',
  'a dragon guarding its gold',
  'a pirate with a parrot',
  'two robots racing other robots',
  'a robotic arm waving',
  'a robin in the rain',
  'a robber escaping with a bag',
  'a pen drawing a picture',
  'a runner on a track',
];

/**
 * Writes an owner's library before the tests of the describe block, oldest first, a minute apart;
 * returns what a search of it finds, best first.
 */
function library(owner: string, prompts: string[]) {
  beforeAll(async () => {
    const { db } = database();
    const start = Date.now() - prompts.length * 60_000;
    for (const [index, prompt] of prompts.entries()) {
      await insertFinishedCharacter(db, {
        owner,
        prompt,
        createdAt: new Date(start + index * 60_000),
        characterId: `char_${owner}_${index}`,
        sourceVideoUrl: `https://videos.example.com/${owner}.mp4`,
      });
    }
  });
  return async (search: string) => {
    const page = await listCharacters(database().db, owner, { first: 20, search });
    return page.rows.map((row) => row.character.prompt);
  };
}

describe('what a user expects first', () => {
  const found = library(TRIAL, trial);

  it('puts the word as written first, then its other forms', async () => {
    // Newest first among the two that hold "robot" once; "robotic" has the same stem, last.
    expect(await found('robot')).toEqual([
      'A brass robot',
      'a tin robot dancing',
      'two robots racing other robots',
      'a robotic arm waving',
    ]);
    expect((await found('robots'))[0]).toBe('two robots racing other robots');
    expect((await found('robots')).at(-1)).toBe('a robotic arm waving');
  });

  it('finds a stemmed word by another of its forms', async () => {
    expect(await found('running')).toEqual([
      'a sprinter running and running',
      'a red fox running through snow',
      'a knight who runs from a dragon',
      // runner is not a form of run, but running is its start's stem.
      'a runner on a track',
    ]);
    expect((await found('runs'))[0]).toBe('a knight who runs from a dragon');
    expect(await found('run')).toHaveLength(4);
    expect((await found('run')).at(-1)).toBe('a runner on a track');
  });

  it('finds the words a partial word is the start of, stemmed or not', async () => {
    // "runn" begins "runner" and "running" (stored stemmed as run): both, the most
    // occurrences first.
    expect(await found('runn')).toEqual([
      'a sprinter running and running',
      'a runner on a track',
      'a red fox running through snow',
    ]);
    expect(await found('pengu')).toEqual(['a penguin wearing a tiny hat']);
    expect(await found('sprinter runn')).toEqual(['a sprinter running and running']);
  });

  it('ranks a misspelt word by how near each word it may be is', async () => {
    expect((await found('pengiun'))[0]).toBe('a penguin wearing a tiny hat');
    // robot is one letter off, robots one letter off its stem, robin three: robot first.
    expect((await found('robott')).slice(0, 3)).toEqual([
      'A brass robot',
      'a tin robot dancing',
      'two robots racing other robots',
    ]);
    const robto = await found('robto');
    expect(robto.slice(0, 2)).toEqual(['A brass robot', 'a tin robot dancing']);
    expect(robto.indexOf('two robots racing other robots')).toBeLessThan(
      robto.indexOf('a robin in the rain'),
    );
  });

  it('sums the words of a many-word search', async () => {
    expect(await found('robot dancing')).toEqual(['a tin robot dancing']);
    expect((await found('red fox')).sort()).toEqual([
      'a fox with a red scarf',
      'a red fox running through snow',
    ]);
    expect((await found('fox runn'))[0]).toBe('a red fox running through snow');
  });
});

/**
 * A library where a misspelt word is like many words by trigrams but one swap away from another:
 * "tarin" shares three trigrams with each tar… word and two with "train".
 */
const SWAPS = 'swaps';
const swaps = [
  'a toy train',
  'a tardy tarot reader with a tarp, tarts, a tart, taro, tar, a tare and a tarry tariff',
  'a mountain tarn',
  'a fox with a red scarf',
  'two foxes in the snow',
];

describe('typos by two swapped letters, and stop words', () => {
  const found = library(SWAPS, swaps);

  it('finds the word a swap makes, as near as a word one edit away', async () => {
    expect(await found('fxo')).toEqual(['a fox with a red scarf']);
    // tarn is one edit away too, and more alike; the other tar… words two.
    expect(await found('tarin')).toEqual([
      'a mountain tarn',
      'a toy train',
      'a tardy tarot reader with a tarp, tarts, a tart, taro, tar, a tare and a tarry tariff',
    ]);
  });

  it('reads a word that swaps to a stop word as that stop word', async () => {
    const foxes = ['a fox with a red scarf', 'two foxes in the snow'];
    for (const search of ['fox', 'the fox', 'teh fox', 'fox hte'])
      expect(await found(search)).toEqual(foxes);
  });

  it('refuses a search of only stop words, in either order', async () => {
    const { db } = database();
    for (const search of ['the', 'a the of', 'teh'])
      for (const order of ['RELEVANCE', 'NEWEST'] as const)
        await expect(
          listCharacters(db, SWAPS, { first: 20, search, order }),
          `${search} ${order}`,
        ).rejects.toBeInstanceOf(StopWordsOnlyError);
  });
});
