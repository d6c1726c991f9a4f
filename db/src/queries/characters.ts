import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { type CharacterRow, characters } from '../schema.ts';
import {
  type CharacterFilter,
  type CharacterPosition,
  filterConditions,
  type PageOptions,
  type Ranked,
} from './character-page.ts';
import { olderThan, type Page, toPage } from './cursor.ts';
import { listByRelevance, matchCondition } from './ranked-search.ts';
import { resolveSearch, type SearchQuery, searchWords, wordsQuery } from './search-query.ts';

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

/** The owner's characters among `ids` (others' and unknown ids are left out), in no order. */
export async function findOwnCharacters(
  db: Executor,
  owner: string,
  ids: string[],
): Promise<CharacterRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(characters)
    .where(and(eq(characters.owner, owner), inArray(characters.id, ids)));
}

export async function findCharacterByTask(
  db: Executor,
  taskId: string,
): Promise<CharacterRow | undefined> {
  const [row] = await db.select().from(characters).where(eq(characters.taskId, taskId));
  return row;
}

export type CharacterOrder = 'RELEVANCE' | 'NEWEST';

export {
  type Operand,
  type SearchQuery,
  StopWordsOnlyError,
  searchWords,
} from './search-query.ts';
export type { CharacterFilter, CharacterPosition };

export interface CharacterListOptions {
  first: number;
  after?: CharacterPosition | undefined;
  /**
   * Words of the prompt: each must match as written, by English stem, as a word's start, or
   * nearly (a typo).
   */
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
 * The owner's characters, by relevance to a search (then newest first) or newest first. Each word
 * of a search must match as written, by English stem, as a word's start, or nearly (a typo), and
 * ranks a prompt in that order: see resolveSearch.
 *
 * @throws StopWordsOnlyError when the search has only stop words ("the a")
 */
export async function listCharacters(
  db: Executor,
  owner: string,
  { first, after, search, order, filter }: CharacterListOptions,
): Promise<Page<FoundCharacter>> {
  const query = search === undefined ? undefined : await resolveCharacterSearch(db, owner, search);
  if (query === null) return { rows: [], hasNextPage: false };
  const options = { first, after, filter };
  const rows =
    query !== undefined && (order ?? 'RELEVANCE') === 'RELEVANCE'
      ? await listByRelevance(db, owner, query, options)
      : await newestFirst(db, owner, query, options);
  const page = toPage(rows, first);
  const highlights = query ? await highlight(db, page.rows, query) : new Map<string, string>();
  return {
    hasNextPage: page.hasNextPage,
    rows: page.rows.map(({ character, rank: score }) => ({
      character,
      rank: score,
      highlight: highlights.get(character.id) ?? null,
    })),
  };
}

/**
 * What a search stands for among the owner's words, each with its weight: null when nothing can
 * match, undefined when it is blank (no filter).
 *
 * @throws StopWordsOnlyError when it has only stop words ("the a")
 */
export async function resolveCharacterSearch(
  db: Executor,
  owner: string,
  search: string,
): Promise<SearchQuery | null | undefined> {
  const words = searchWords(search);
  if (words === null) return null;
  return words ? resolveSearch(db, owner, words) : undefined;
}

/** Newest first: every character, or those that match a search (the GIN index finds them). */
function newestFirst(
  db: Executor,
  owner: string,
  query: SearchQuery | undefined,
  { first, after, filter }: PageOptions,
): Promise<Ranked[]> {
  return db
    .select({ character: characters, rank: sql<null>`null::float8` })
    .from(characters)
    .where(
      and(
        eq(characters.owner, owner),
        query ? matchCondition(query) : undefined,
        ...filterConditions(filter),
        olderThan(characters, after),
      ),
    )
    .orderBy(desc(characters.createdAt), desc(characters.id))
    .limit(first + 1);
}

/**
 * Marks the words the search stands for, as written (a stem's other forms are marked only when
 * the search stands for them), for the page only: ts_headline is too dear to run on every match.
 */
async function highlight(
  db: Executor,
  rows: { character: CharacterRow }[],
  query: SearchQuery,
): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const marked = await db
    .select({
      id: characters.id,
      text: sql<string>`ts_headline('simple', coalesce(${characters.prompt}, ''), ${wordsQuery(query)}::tsquery, 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true')`,
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
