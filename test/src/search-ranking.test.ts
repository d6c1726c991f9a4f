import {
  type CharacterFilter,
  characters,
  listCharacters,
  seedCharacters,
  tasks,
} from '@charanim/db';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from './support/database.ts';

/**
 * Every path of a relevance search (the ranked lexeme index, the GIN index, the threshold walk
 * over `character_terms`) must give the order a plain ORDER BY over every match gives, page after
 * page. The library is big enough (thousands of characters, words that go together) for the walk
 * to be taken, and holds prompts that repeat words so that ranks differ.
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
  ];
  for (const [index, prompt] of repeats.entries()) {
    const createdAt = new Date(Date.now() - index * 86_400_000);
    const [task] = await db
      .insert(tasks)
      .values({ owner: OWNER, model: 'sora-2-characters', state: 'SUCCESS', input: {}, createdAt })
      .returning();
    await db.insert(characters).values({
      owner: OWNER,
      taskId: task?.id as string,
      characterId: `char_repeat_${index}`,
      prompt,
      sourceVideoUrl: 'https://videos.example.com/repeat.mp4',
      createdAt,
    });
  }
});

/**
 * The expected order, by brute force: relevance as the sum over words of the best ts_rank_cd
 * among the lexemes the word stands for, then newest, then id.
 */
async function expected(words: string[][], filter: CharacterFilter = {}): Promise<string[]> {
  const { db } = database();
  const rank = sql.join(
    words.map(
      (lexemes) =>
        sql`greatest(${sql.join(
          lexemes.map((lexeme) => sql`ts_rank_cd(search_vector, ${`'${lexeme}'`}::tsquery)`),
          sql`, `,
        )})::float8`,
    ),
    sql` + `,
  );
  const match = words.map((lexemes) => lexemes.map((lexeme) => `'${lexeme}'`).join(' | '));
  const rows = await db.execute(sql`
    select id from characters
    where owner = ${OWNER} and search_vector @@ ${match.map((m) => `(${m})`).join(' & ')}::tsquery
      ${filter.usable === true ? sql`and (source_video_expires_at is null or source_video_expires_at > now())` : sql``}
      ${filter.createdAfter ? sql`and created_at > ${filter.createdAfter.toISOString()}::timestamptz` : sql``}
    order by ${rank} desc, created_at desc, id desc`);
  const list = Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows;
  return (list as { id: string }[]).map((row) => row.id);
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
    ['neon city', [['neon'], ['citi']]],
    ['dragon scarf', [['dragon'], ['scarf']]],
    ['sleeping windowsill', [['sleep', 'sleepi'], ['windowsil']]],
    ['dancing', [['danc', 'dancer']]],
    ['robot', [['robot']]],
    ['fox red', [['fox'], ['red']]],
  ])('"%s": the first page and every page match a full sort', async (search, words) => {
    const all = await expected(words);
    expect(all.length).toBeGreaterThan(0);
    const { db } = database();
    const firstPage = await listCharacters(db, OWNER, { first: 20, search });
    expect(firstPage.rows.map((row) => row.character.id)).toEqual(all.slice(0, 20));
    for (const size of [2, 11, 97]) expect(await paged(search, size)).toEqual(all);
  });

  it('keeps the order under filters', async () => {
    const filter = { usable: true, createdAfter: new Date(Date.now() - 200 * 86_400_000) };
    const all = await expected([['neon'], ['citi']], filter);
    expect(all.length).toBeGreaterThan(50);
    expect(await paged('neon city', 13, filter)).toEqual(all);
  });

  it('ranks a prompt that repeats the words first', async () => {
    const { db } = database();
    const [best] = (await listCharacters(db, OWNER, { first: 1, search: 'neon city' })).rows;
    expect(best?.character.prompt).toBe('A neon robot in a neon neon city');
  });
});
