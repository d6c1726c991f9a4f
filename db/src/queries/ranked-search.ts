import { and, desc, eq, inArray, isNotNull, type SQL, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
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
import { rankedByThreshold, rankParameter } from './threshold-walk.ts';

/** A prompt's words as written, as `character_terms` and the vocabulary hold them. */
const promptWords = sql`to_tsvector('simple', coalesce(${characters.prompt}, ''))`;

/**
 * A character's relevance to a search: for each search word, the best among the words it stands
 * for of (the word's weight + the word's ts_rank_cd in the prompt), summed over the search words;
 * null when a search word has none of its words in the prompt. Per word, so that
 * `character_terms` (the rank of each word alone) can return candidates in an order that bounds
 * it. Every path adds the same float8s in the same order (here, from a list's ranks, or in the
 * walk), so that each path and each cursor sees the same relevance for the same character. The
 * prompt is parsed again only for words whose lexeme the owner writes in more than one way.
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
  if (only && others.length === 0 && isExact(query)) {
    const [best, next] = [...only].sort((a, b) => b.weight - a.weight);
    if (!next || !options.after) return firstOfWords(db, owner, only, options);
    // The best word outweighs the rest: while its list fills the page, the page is that list's.
    const after = options.after.rank;
    if (best && outweighs(best, next) && after !== undefined && after > best.weight) {
      const rows = await rankedByWord(db, owner, best, options);
      if (rows.length > options.first) return rows;
    }
  }
  const walked = isExact(query)
    ? await rankedByThreshold(
        db,
        owner,
        query.groups.map((group) => group.map(({ word, weight }) => ({ term: word, weight }))),
        options,
        (ids) =>
          db
            .select()
            .from(characters)
            .where(
              and(
                inArray(characters.id, ids),
                ...filterConditions(options.filter),
                // A cursor of a newest-first list: what the walk's ranks cannot place.
                options.after?.rank === undefined
                  ? olderThan(characters, options.after)
                  : undefined,
              ),
            ),
        (ids) => ranked(db, owner, query, { ...options, first: ids.length }, ids),
      )
    : undefined;
  return walked ?? ranked(db, owner, query, options);
}

/**
 * One search word's page when no cursor is given (or it stands for one word): each word's list
 * gives its best, and a character holding several of the words counts once, by the best of them.
 * Every character of the page is among the best of the list it ranks best in, so no list need
 * give more than a page. A cursor would call for a walk: a character already paged may rank after
 * it in a list it ranks lower in.
 */
async function firstOfWords(
  db: Executor,
  owner: string,
  operands: Operand[],
  options: PageOptions,
): Promise<Ranked[]> {
  const [head, ...rest] = operands.map((operand) => rankedByWord(db, owner, operand, options));
  if (!head) return [];
  if (rest.length === 0) return head;
  const best = new Map<string, Ranked>();
  for (const row of await unionAll(head, ...(rest as [typeof head]))) {
    const known = best.get(row.character.id);
    if (!known || (row.rank as number) > (known.rank as number)) best.set(row.character.id, row);
  }
  return [...best.values()].sort(byRelevance).slice(0, options.first + 1);
}

/** Best first, then newest, then by id: the order of every ranked list. */
function byRelevance(a: Ranked, b: Ranked): number {
  return (
    (b.rank as number) - (a.rank as number) ||
    b.character.createdAt.getTime() - a.character.createdAt.getTime() ||
    (a.character.id < b.character.id ? 1 : a.character.id > b.character.id ? -1 : 0)
  );
}

/** A search word's word: its entries come from the index already in rank order. */
function rankedByWord(
  db: Executor,
  owner: string,
  { word, weight }: Operand,
  { first, after, filter }: PageOptions,
) {
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
          ? sql`(${characterTerms.rank}, ${characterTerms.createdAt}, ${characterTerms.characterId}) < (${rankParameter(after.rank - weight)}, ${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
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
