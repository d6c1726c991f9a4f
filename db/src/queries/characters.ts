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
import { listByRelevance } from './ranked-search.ts';
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

export type { CharacterFilter, CharacterPosition };

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
 * The owner's characters, by relevance to a search (then newest first) or newest first. Each word
 * of a search must match by English stem, as a word's start, or nearly (a typo): see resolveSearch.
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
  const options = { first, after, filter };
  const rows =
    query !== undefined && (order ?? 'RELEVANCE') === 'RELEVANCE'
      ? await listByRelevance(db, owner, query, options)
      : await newestFirst(db, owner, query?.tsquery, options);
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

/** Newest first: every character, or those that match a search (the GIN index finds them). */
function newestFirst(
  db: Executor,
  owner: string,
  tsquery: string | undefined,
  { first, after, filter }: PageOptions,
): Promise<Ranked[]> {
  return db
    .select({ character: characters, rank: sql<null>`null::float8` })
    .from(characters)
    .where(
      and(
        eq(characters.owner, owner),
        tsquery ? sql`${characters.searchVector} @@ ${tsquery}::tsquery` : undefined,
        ...filterConditions(filter),
        olderThan(characters, after),
      ),
    )
    .orderBy(desc(characters.createdAt), desc(characters.id))
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
