import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { searchTerms } from '../schema.ts';

/** How alike a misspelt word must be to a word of the owner's vocabulary (pg_trgm similarity). */
const TYPO_SIMILARITY = 0.3;

/**
 * How many of the owner's words a word's start may stand for before the search keeps it as a
 * prefix (`'ro':*`): past this, listing them makes the query longer, not faster.
 */
const MAX_EXPANSION = 32;

/** A search as a full-text query over the owner's exact lexemes. */
export interface SearchQuery {
  /** tsquery text, to be cast with `::tsquery` (already stemmed: no configuration applies). */
  tsquery: string;
  /**
   * One group per word: the tsquery operands it stands for (`'astronaut'`, or `'gard':*` when a
   * word's start stands for too many words). A character must match every group.
   */
  groups: string[][];
  /** The one lexeme the search stands for, when it is a single word known to the owner. */
  term?: string | undefined;
}

/** Whether every operand of a search is an exact lexeme (not a `:*` prefix). */
export function isExact(query: SearchQuery): boolean {
  return query.groups.every((group) => group.every((operand) => !operand.endsWith(':*')));
}

/** The lexeme of an exact operand. */
export function lexemeOf(operand: string): string {
  return operand.slice(1, -1);
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

/**
 * Resolves each word against the owner's vocabulary (`search_terms`): by its English stem, as the
 * start of the words it begins ("astro" → astronaut), or, when it begins none, as the nearest
 * words (a typo). Exact lexemes rather than `word:*` prefixes let the GIN index intersect posting
 * lists instead of building a bitmap per prefix, and let a one-word search use the ranked
 * `character_terms` index. Null when a word is like nothing the owner has; undefined when the
 * search holds only stop words (no filter).
 */
export async function resolveSearch(
  db: Executor,
  owner: string,
  words: string[],
): Promise<SearchQuery | null | undefined> {
  const resolved = rowsOf<{ stem: string | null; terms: string[] | null }>(
    await db.execute(sql`
      select s.stem, (
        select array_agg(term order by term) from (
          select term from search_terms
          where owner = ${owner} and starts_with(term, s.stem)
          order by term limit ${MAX_EXPANSION + 1}
        ) known
      ) as terms
      from unnest(array[${sql.join(
        words.map((word) => sql`${word}`),
        sql`, `,
      )}]::text[]) with ordinality as w(word, ord)
      cross join lateral (
        select string_agg(lexeme, '') as stem from unnest(to_tsvector('english', w.word))
      ) s
      order by w.ord`),
  );
  const groups: string[][] = [];
  for (const [index, { stem, terms }] of resolved.entries()) {
    // A stop word ("a", "the") says nothing about a prompt.
    if (!stem) continue;
    const exact = terms?.filter(isLexeme) ?? [];
    if (terms && (terms.length > MAX_EXPANSION || exact.length === 0))
      groups.push([`${quoted(stem)}:*`]);
    else if (terms) groups.push(exact.map(quoted));
    else {
      const near = await nearestTerms(db, owner, words[index] as string);
      if (near.length === 0) return null;
      groups.push(near.map(quoted));
    }
  }
  if (groups.length === 0) return undefined;
  const [only] = groups;
  return {
    tsquery: groups
      .map((group) => (group.length === 1 ? group[0] : `(${group.join(' | ')})`))
      .join(' & '),
    groups,
    term:
      groups.length === 1 && only?.length === 1 && !only[0]?.endsWith(':*')
        ? lexemeOf(only[0] as string)
        : undefined,
  };
}

/** The owner's words nearest a misspelt one, by pg_trgm similarity (its GIN index serves `%`). */
async function nearestTerms(db: Executor, owner: string, word: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('pg_trgm.similarity_threshold', ${String(TYPO_SIMILARITY)}, true)`,
    );
    const near = await tx
      .select({ term: searchTerms.term })
      .from(searchTerms)
      .where(and(eq(searchTerms.owner, owner), sql`${searchTerms.term} % ${word}`))
      .orderBy(sql`similarity(${searchTerms.term}, ${word}) desc`, searchTerms.term)
      .limit(3);
    return near.map((row) => row.term).filter(isLexeme);
  });
}

/** Lexemes of letters and digits only can be quoted into tsquery text without escaping. */
function isLexeme(term: string): boolean {
  return /^[\p{L}\p{N}]+$/u.test(term);
}

function quoted(lexeme: string): string {
  return `'${lexeme}'`;
}

/** The rows of a raw query, as postgres.js (an array) or PGlite (`{ rows }`) returns them. */
export function rowsOf<Row>(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : ((result as { rows: Row[] }).rows ?? []);
}
