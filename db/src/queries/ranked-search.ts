import { and, desc, eq, inArray, isNotNull, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { characters, characterTerms } from '../schema.ts';
import { filterConditions, type PageOptions, type Ranked } from './character-page.ts';
import { olderThan } from './cursor.ts';
import {
  decidedByStems,
  isExact,
  type Operand,
  outweighs,
  quoted,
  type SearchQuery,
  stemsQuery,
  wordOperand,
  wordsQuery,
} from './search-query.ts';
import { rankedByThreshold } from './threshold-walk.ts';

/** A prompt's words as written, as `character_terms` and the vocabulary hold them. */
const promptWords = sql`to_tsvector('simple', coalesce(${characters.prompt}, ''))`;

/**
 * A character's relevance to a search: for each search word, the best among the words it stands
 * for of (the word's weight + the word's ts_rank_cd in the prompt), summed over the search words;
 * null when a search word has none of its words in the prompt. Per word, so that
 * `character_terms` (the rank of each word alone) can return candidates in an order that bounds
 * it; computed in SQL in every path, so that each path and each cursor sees the same float8 for
 * the same character. The prompt is parsed again only for words whose lexeme the owner writes in
 * more than one way.
 */
function relevance(query: SearchQuery): SQL<number | null> {
  const parsed = !decidedByStems(query);
  const words = query.groups.map((group) => {
    const scores = group.map((operand) => score(operand, sql`parsed.words`));
    return scores.length === 1 ? (scores[0] as SQL) : sql`greatest(${sql.join(scores, sql`, `)})`;
  });
  const sum = sql.join(words, sql` + `);
  return parsed
    ? sql<number | null>`(select ${sum} from (select ${promptWords} as words) parsed)`
    : sql<number | null>`(${sum})`;
}

function score(operand: Operand, words: SQL): SQL {
  const rank =
    operand.lexeme === undefined
      ? sql`ts_rank_cd(${words}, ${wordOperand(operand)}::tsquery)`
      : sql`ts_rank_cd(${characters.searchVector}, ${`${quoted(operand.lexeme)}${operand.prefix ? ':*' : ''}`}::tsquery)`;
  return sql`(${operand.weight}::float8 + nullif(${rank}, 0)::float8)`;
}

/** The characters that can match a search: found by the GIN index over their lexemes. */
function mayMatch(query: SearchQuery): SQL {
  return sql`${characters.searchVector} @@ ${stemsQuery(query)}::tsquery`;
}

/** The characters that match a search, the prompt read again when lexemes do not decide it. */
export function matchCondition(query: SearchQuery): SQL {
  return decidedByStems(query)
    ? mayMatch(query)
    : sql`(${mayMatch(query)} and ${promptWords} @@ ${wordsQuery(query)}::tsquery)`;
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
  const [only, ...others] = query.groups;
  if (only && others.length === 0) {
    // One search word whose best word outweighs the rest: while that word's list fills the page,
    // the page is that list's.
    const [best, next] = [...only].sort((a, b) => b.weight - a.weight);
    if (
      best &&
      !best.prefix &&
      (!next || outweighs(best, next)) &&
      (options.after?.rank === undefined || options.after.rank > best.weight)
    ) {
      const rows = await rankedByWord(db, owner, best, options);
      if (!next || rows.length > options.first) return rows;
    }
  }
  const walked = isExact(query)
    ? await rankedByThreshold(
        db,
        owner,
        query.groups.map((group) => group.map(({ word, weight }) => ({ term: word, weight }))),
        options,
        (ids) => ranked(db, owner, query, { ...options, first: ids.length }, ids),
      )
    : undefined;
  return walked ?? ranked(db, owner, query, options);
}

/** A search that stands for one word: its entries come from the index already in rank order. */
function rankedByWord(
  db: Executor,
  owner: string,
  { word, weight }: Operand,
  { first, after, filter }: PageOptions,
): Promise<Ranked[]> {
  return db
    .select({
      character: characters,
      rank: sql<number>`${weight}::float8 + ${characterTerms.rank}::float8`,
    })
    .from(characterTerms)
    .innerJoin(characters, eq(characters.id, characterTerms.characterId))
    .where(
      and(
        eq(characterTerms.owner, owner),
        eq(characterTerms.term, word),
        ...filterConditions(filter),
        // The weight plus a rank is exact, so the cursor's rank less the weight is the rank.
        after?.rank !== undefined
          ? sql`(${characterTerms.rank}, ${characterTerms.createdAt}, ${characterTerms.characterId}) < (${after.rank - weight}::float8, ${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
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

/**
 * The matches of a search after the page's cursor (among `among` when given), found by the GIN
 * index and ranked by the database: for what the threshold walk leaves (prefixes, words seldom
 * together), and to read the walk's candidates.
 */
function ranked(
  db: Executor,
  owner: string,
  query: SearchQuery,
  { first, after, filter }: PageOptions,
  among?: string[],
): Promise<Ranked[]> {
  const rank = relevance(query);
  return db
    .select({ character: characters, rank: sql<number>`${rank}` })
    .from(characters)
    .where(
      and(
        eq(characters.owner, owner),
        mayMatch(query),
        // A lexeme's other forms are not the word: its relevance is null.
        decidedByStems(query) ? undefined : isNotNull(rank),
        ...filterConditions(filter),
        after?.rank === undefined
          ? olderThan(characters, after)
          : sql`(${rank}, ${characters.createdAt}, ${characters.id}) < (${after.rank}::float8, ${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`,
        among ? inArray(characters.id, among) : undefined,
      ),
    )
    .orderBy(sql`${rank} desc`, desc(characters.createdAt), desc(characters.id))
    .limit(first + 1);
}
