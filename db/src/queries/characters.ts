import { and, desc, eq, gt, inArray, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { type CharacterRow, characters, searchTerms } from '../schema.ts';
import { olderThan, type Page, type Position, toPage } from './cursor.ts';

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

/** How alike a misspelt word must be to a word of the owner's vocabulary (pg_trgm similarity). */
const TYPO_SIMILARITY = 0.3;

/**
 * The owner's characters, by relevance to a search (then newest first) or newest first. Matching
 * uses the GIN full-text index (stems and word starts) and the GIN trigram index (typos).
 */
export async function listCharacters(
  db: Executor,
  owner: string,
  { first, after, search, order, filter }: CharacterListOptions,
): Promise<Page<FoundCharacter>> {
  const words = search === undefined ? undefined : searchWords(search);
  if (words === null) return { rows: [], hasNextPage: false };
  const byRelevance = words !== undefined && (order ?? 'RELEVANCE') === 'RELEVANCE';
  const { rows, query } = await db.transaction(async (tx) => {
    const query = words ? await tsqueryFor(tx, owner, words) : undefined;
    if (query === null) return { rows: [], query };
    const rank = query
      ? sql<number>`ts_rank_cd(${characters.searchVector}, to_tsquery('english', ${query}))::float8`
      : sql<null>`null::float8`;
    const found = await tx
      .select({ character: characters, rank })
      .from(characters)
      .where(
        and(
          eq(characters.owner, owner),
          query ? sql`${characters.searchVector} @@ to_tsquery('english', ${query})` : undefined,
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
    return { rows: found, query };
  });
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
 * The full-text query for a search: each word as a stem or a word's start, and a word that
 * matches nothing so is taken for a typo as its nearest words in the owner's vocabulary
 * (pg_trgm similarity on search_terms). Null when a word is like nothing the owner has;
 * undefined when the search holds only stop words (no filter).
 */
async function tsqueryFor(
  db: Executor,
  owner: string,
  words: string[],
): Promise<string | null | undefined> {
  await db.execute(
    sql`select set_config('pg_trgm.similarity_threshold', ${String(TYPO_SIMILARITY)}, true)`,
  );
  const parts: string[] = [];
  for (const word of words) {
    const [stem] = rowsOf<{ lexeme: string | null }>(
      await db.execute(
        sql`select string_agg(lexeme, '') as lexeme from unnest(to_tsvector('english', ${word}))`,
      ),
    );
    // A stop word ("a", "the") says nothing about a prompt.
    if (!stem?.lexeme) continue;
    // Asked of the owner's vocabulary, which is small, rather than of the characters: a probe
    // there with LIMIT 1 can walk the whole table when the word is missing.
    const [known] = await db
      .select({ term: searchTerms.term })
      .from(searchTerms)
      .where(and(eq(searchTerms.owner, owner), sql`${searchTerms.term} like ${`${stem.lexeme}%`}`))
      .limit(1);
    if (known) {
      parts.push(`${word}:*`);
      continue;
    }
    const near = await db
      .select({ term: searchTerms.term })
      .from(searchTerms)
      .where(and(eq(searchTerms.owner, owner), sql`${searchTerms.term} % ${word}`))
      .orderBy(sql`similarity(${searchTerms.term}, ${word}) desc`, searchTerms.term)
      .limit(3);
    const terms = near.map((row) => row.term).filter((term) => /^[\p{L}\p{N}]+$/u.test(term));
    if (terms.length === 0) return null;
    parts.push(`(${terms.map((term) => `${term}:*`).join(' | ')})`);
  }
  return parts.length > 0 ? parts.join(' & ') : undefined;
}

/** The rows of a raw query, as postgres.js (an array) or PGlite (`{ rows }`) returns them. */
function rowsOf<Row>(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : ((result as { rows: Row[] }).rows ?? []);
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
      text: sql<string>`ts_headline('english', coalesce(${characters.prompt}, ''), to_tsquery('english', ${query}), 'StartSel=<mark>, StopSel=</mark>, HighlightAll=true')`,
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

/**
 * The words of a search, lower-cased, keeping only letters and digits so that no input is read as
 * tsquery syntax. Undefined for a blank search (no filter); null when nothing can match.
 */
export function searchWords(search: string): string[] | undefined | null {
  const words = search.match(/[\p{L}\p{N}]+/gu);
  if (!words) return search.trim() === '' ? undefined : null;
  return words.map((word) => word.toLowerCase());
}
