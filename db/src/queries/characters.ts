import { and, desc, eq, gt, inArray, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { type CharacterRow, characters, characterTerms } from '../schema.ts';
import { olderThan, type Page, type Position, toPage } from './cursor.ts';
import { resolveSearch, searchWords } from './search-query.ts';

export async function findCharacter(
  db: Executor,
  owner: string,
  id: string,
): Promise<CharacterRow | undefined> {
  const [row] = await db
    .select()
    .from(characters)
    .where(and(eq(characters.owner, owner), eq(characters.id, id)));
  return row;
}

export async function findCharacterByTask(
  db: Executor,
  taskId: string,
): Promise<CharacterRow | undefined> {
  const [row] = await db.select().from(characters).where(eq(characters.taskId, taskId));
  return row;
}

export type CharacterOrder = 'RELEVANCE' | 'NEWEST';

export interface CharacterFilter {
  /** true: only characters whose source video still lives; false: only expired ones. */
  usable?: boolean | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
}

/** A keyset position: the relevance too when the list is ordered by it. */
export interface CharacterPosition extends Position {
  rank?: number | undefined;
}

export interface CharacterListOptions {
  first: number;
  after?: CharacterPosition | undefined;
  /** Words of the prompt: each must match by English stem, as a word's start, or nearly (a typo). */
  search?: string | undefined;
  /** RELEVANCE (the default with a search) or NEWEST. */
  order?: CharacterOrder | undefined;
  filter?: CharacterFilter | undefined;
}

export interface FoundCharacter {
  character: CharacterRow;
  /** How well it matched; null without a search. */
  rank: number | null;
  /** The prompt with the matched words in <mark>…</mark>; null without a search. */
  highlight: string | null;
}

/**
 * The owner's characters, by relevance to a search (then newest first) or newest first. A one-word
 * search ranked by relevance reads the ranked `character_terms` index; any other search matches
 * with the GIN full-text index and ranks the matches with ts_rank_cd.
 */
export async function listCharacters(
  db: Executor,
  owner: string,
  { first, after, search, order, filter }: CharacterListOptions,
): Promise<Page<FoundCharacter>> {
  const words = search === undefined ? undefined : searchWords(search);
  if (words === null) return { rows: [], hasNextPage: false };
  const query = words ? await resolveSearch(db, owner, words) : undefined;
  if (query === null) return { rows: [], hasNextPage: false };
  const byRelevance = query !== undefined && (order ?? 'RELEVANCE') === 'RELEVANCE';
  const options = { first, after, filter };
  const rows =
    byRelevance && query.term !== undefined
      ? await rankedByTerm(db, owner, query.term, options)
      : await matching(db, owner, query?.tsquery, byRelevance, options);
  const page = toPage(rows, first);
  const highlights = query
    ? await highlight(db, page.rows, query.tsquery)
    : new Map<string, string>();
  return {
    hasNextPage: page.hasNextPage,
    rows: page.rows.map(({ character, rank: score }) => ({
      character,
      rank: score,
      highlight: highlights.get(character.id) ?? null,
    })),
  };
}

interface PageOptions {
  first: number;
  after: CharacterPosition | undefined;
  filter: CharacterFilter | undefined;
}

type Ranked = { character: CharacterRow; rank: number | null };

/** A one-word search: the term's entries come from the index already in rank order. */
function rankedByTerm(
  db: Executor,
  owner: string,
  term: string,
  { first, after, filter }: PageOptions,
): Promise<Ranked[]> {
  return db
    .select({ character: characters, rank: sql<number>`${characterTerms.rank}::float8` })
    .from(characterTerms)
    .innerJoin(characters, eq(characters.id, characterTerms.characterId))
    .where(
      and(
        eq(characterTerms.owner, owner),
        eq(characterTerms.term, term),
        ...filterConditions(filter),
        after?.rank !== undefined
          ? sql`(${characterTerms.rank}, ${characterTerms.createdAt}, ${characterTerms.characterId}) < (${after.rank}::real, ${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
          : olderThan(
              { createdAt: characterTerms.createdAt, id: characterTerms.characterId },
              after,
            ),
      ),
    )
    .orderBy(
      desc(characterTerms.rank),
      desc(characterTerms.createdAt),
      desc(characterTerms.characterId),
    )
    .limit(first + 1);
}

/** Every other list: matched by the GIN full-text index, ranked when asked. */
function matching(
  db: Executor,
  owner: string,
  tsquery: string | undefined,
  byRelevance: boolean,
  { first, after, filter }: PageOptions,
): Promise<Ranked[]> {
  const rank = tsquery
    ? sql<number>`ts_rank_cd(${characters.searchVector}, ${tsquery}::tsquery)::float8`
    : sql<null>`null::float8`;
  return db
    .select({ character: characters, rank })
    .from(characters)
    .where(
      and(
        eq(characters.owner, owner),
        tsquery ? sql`${characters.searchVector} @@ ${tsquery}::tsquery` : undefined,
        ...filterConditions(filter),
        byRelevance && after?.rank !== undefined
          ? sql`(${rank}, ${characters.createdAt}, ${characters.id}) < (${after.rank}::float8, ${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
          : olderThan(characters, after),
      ),
    )
    .orderBy(
      ...(byRelevance ? [sql`${rank} desc`] : []),
      desc(characters.createdAt),
      desc(characters.id),
    )
    .limit(first + 1);
}

/** Marks the matched words, for the page only: ts_headline is too dear to run on every match. */
async function highlight(
  db: Executor,
  rows: { character: CharacterRow }[],
  query: string,
): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const marked = await db
    .select({
      id: characters.id,
      text: sql<string>`ts_headline('english', coalesce(${characters.prompt}, ''), ${query}::tsquery, 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true')`,
    })
    .from(characters)
    .where(
      inArray(
        characters.id,
        rows.map((row) => row.character.id),
      ),
    );
  return new Map(marked.map((row) => [row.id, row.text]));
}

function filterConditions(filter: CharacterFilter | undefined): (SQL | undefined)[] {
  if (!filter) return [];
  const expiresAt = characters.sourceVideoExpiresAt;
  return [
    filter.usable === true ? or(isNull(expiresAt), gt(expiresAt, sql`now()`)) : undefined,
    filter.usable === false ? lte(expiresAt, sql`now()`) : undefined,
    filter.createdAfter ? gt(characters.createdAt, filter.createdAfter) : undefined,
    filter.createdBefore ? lt(characters.createdAt, filter.createdBefore) : undefined,
  ];
}
