import { and, desc, eq, gt, inArray, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { type CharacterRow, characters } from '../schema.ts';
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

/** How alike a misspelt word must be to a word of the prompt (pg_trgm word similarity). */
const TYPO_SIMILARITY = 0.45;

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
  const query = words && words.map((word) => `${word}:*`).join(' & ');
  const prompt = sql`coalesce(${characters.prompt}, '')`;
  const rank = query
    ? sql<number>`((${characters.searchVector} @@ to_tsquery('english', ${query}))::int
        + ts_rank_cd(${characters.searchVector}, to_tsquery('english', ${query}))
        + word_similarity(${search}, ${prompt}))::float8`
    : sql<null>`null::float8`;
  const conditions: (SQL | undefined)[] = [
    eq(characters.owner, owner),
    ...(words ?? []).map(
      (word) =>
        sql`(${characters.searchVector} @@ to_tsquery('english', ${`${word}:*`}) or ${word} <% ${prompt})`,
    ),
    ...filterConditions(filter),
    byRelevance && after?.rank !== undefined
      ? sql`(${rank}, ${characters.createdAt}, ${characters.id}) < (${after.rank}::float8, ${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
      : olderThan(characters, after),
  ];
  const rows = await db.transaction(async (tx) => {
    // The trigram operator `<%` takes its threshold from this setting, for this transaction only.
    await tx.execute(
      sql`select set_config('pg_trgm.word_similarity_threshold', ${String(TYPO_SIMILARITY)}, true)`,
    );
    return tx
      .select({ character: characters, rank })
      .from(characters)
      .where(and(...conditions))
      .orderBy(
        ...(byRelevance ? [sql`${rank} desc`] : []),
        desc(characters.createdAt),
        desc(characters.id),
      )
      .limit(first + 1);
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
