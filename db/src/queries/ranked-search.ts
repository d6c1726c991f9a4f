import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { characters, characterTerms } from '../schema.ts';
import { filterConditions, type PageOptions, type Ranked } from './character-page.ts';
import { olderThan } from './cursor.ts';
import { isExact, lexemeOf, type SearchQuery } from './search-query.ts';
import { rankedByThreshold } from './threshold-walk.ts';

/**
 * A character's relevance to a search: for each word, the best ts_rank_cd among the lexemes it
 * stands for, summed over the words. Per word, so that `character_terms` (the rank of each lexeme
 * alone) can return candidates in an order that bounds it; computed in SQL in every path, so that
 * each path and each cursor sees the same float8 for the same character.
 */
function relevance(query: SearchQuery): SQL<number> {
  const words = query.groups.map((group) => {
    const ranks = group.map(
      (operand) => sql`ts_rank_cd(${characters.searchVector}, ${operand}::tsquery)`,
    );
    return ranks.length === 1
      ? sql`${ranks[0]}::float8`
      : sql`greatest(${sql.join(ranks, sql`, `)})::float8`;
  });
  return sql<number>`(${sql.join(words, sql` + `)})`;
}

/** Rows before `after` in (relevance, creation, id) order. */
function rankedAfter(rank: SQL, after: PageOptions['after']): SQL | undefined {
  if (after?.rank === undefined) return olderThan(characters, after);
  return sql`(${rank}, ${characters.createdAt}, ${characters.id}) < (${after.rank}::float8, ${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`;
}

/**
 * The owner's characters that match a search, best first (then newest first): `first + 1` of
 * them, so that the caller learns whether another page follows.
 */
export async function listByRelevance(
  db: Executor,
  owner: string,
  query: SearchQuery,
  options: PageOptions,
): Promise<Ranked[]> {
  if (query.term !== undefined) return rankedByTerm(db, owner, query.term, options);
  const walked = isExact(query)
    ? await rankedByThreshold(
        db,
        owner,
        query.groups.map((group) => group.map(lexemeOf)),
        options,
        (ids) => matches(db, owner, query, options, ids),
      )
    : undefined;
  return walked ?? allMatchesRanked(db, owner, query, options);
}

/** A one-word search: the word's entries come from the index already in rank order. */
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

/** The matches of a search after the page's cursor, found by the GIN index. */
function matches(
  db: Executor,
  owner: string,
  query: SearchQuery,
  { after, filter }: PageOptions,
  among?: string[],
) {
  const rank = relevance(query);
  return db
    .select({ character: characters, rank })
    .from(characters)
    .where(
      and(
        eq(characters.owner, owner),
        sql`${characters.searchVector} @@ ${query.tsquery}::tsquery`,
        ...filterConditions(filter),
        rankedAfter(rank, after),
        among ? inArray(characters.id, among) : undefined,
      ),
    );
}

/** Every match, ranked by the database: for searches the threshold walk leaves (prefixes, rare pairs). */
function allMatchesRanked(
  db: Executor,
  owner: string,
  query: SearchQuery,
  options: PageOptions,
): Promise<Ranked[]> {
  return matches(db, owner, query, options)
    .orderBy(sql`${relevance(query)} desc`, desc(characters.createdAt), desc(characters.id))
    .limit(options.first + 1);
}
