import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { rowsOf } from './rows.ts';

/** How alike a misspelt word must be to a word of the owner's vocabulary (pg_trgm similarity). */
const TYPO_SIMILARITY = 0.3;

/**
 * How many of the owner's most alike words a typo is measured against (besides those its swapped
 * letters make), and how many of them it keeps.
 */
const TYPO_CANDIDATES = 10;
const TYPO_NEAREST = 3;

/**
 * How many of the owner's words a search word may stand for before the search keeps it as a
 * prefix (`'ro':*`): past this, listing them makes the query longer, not faster.
 */
const MAX_EXPANSION = 32;

/**
 * What one level of match is worth. A word's rank in a prompt (ts_rank_cd of the word alone: 0.1
 * an occurrence, at most 25.6, as a tsvector keeps 256 positions of a word) stays below it, so no
 * number of occurrences outweighs a better kind of match. A power of two, so that a weight plus a
 * rank (a float4) is exact in float8 and the rank can be taken back out of a cursor.
 */
const LEVEL = 32;

/**
 * The kinds of match, best first. The same word as written; another form of its stem ("robots",
 * "robotic" for robot), the nearer in spelling the better; a word it is the start of, or whose
 * stem its own stem begins ("runn" → runner, running; "dancing" → dancer); a typo's nearest
 * words, fewest edits first, then the most alike.
 */
const EXACT_LEVEL = 3000;
function sameStemLevel(likeness: number): number {
  return 2000 + Math.round(100 * likeness);
}
const START_LEVEL = 1000;
function typoLevel(edits: number, likeness: number): number {
  return 100 * (9 - Math.min(edits, 9)) + Math.round(99 * likeness);
}

/** One word of prompts that a search word stands for. */
export interface Operand {
  /** The word as prompts write it ("robots"); with `prefix`, the start of the words it stands for. */
  word: string;
  prefix: boolean;
  /** What a prompt holding it gains: its level; its rank in the prompt adds less than a level. */
  weight: number;
  /** The tsquery operand that finds the prompts holding it in `search_vector` (a superset). */
  stem: string;
  /**
   * Its English lexeme when the owner writes that lexeme in no other way: its rank in
   * `search_vector` is then the word's own, and holding the lexeme is holding the word. With
   * `prefix`, the start of lexemes it stands for.
   */
  lexeme?: string | undefined;
}

/** A search resolved against the owner's vocabulary. */
export interface SearchQuery {
  /** One group per search word: the words it stands for. A character must match every group. */
  groups: Operand[][];
}

/** Whether any prompt holding `a` outranks every prompt holding `b` but not `a`. */
export function outweighs(a: Operand, b: Operand): boolean {
  return a.weight - b.weight >= LEVEL;
}

/** Whether every operand of a search is a whole word (not a `:*` prefix). */
export function isExact(query: SearchQuery): boolean {
  return query.groups.every((group) => group.every((operand) => !operand.prefix));
}

/**
 * tsquery text over `search_vector`: what the GIN index finds. It decides a match alone when
 * `decidedByStems`; otherwise the words as written (`wordsQuery`) must be checked too.
 */
export function stemsQuery(query: SearchQuery): string {
  return conjunction(query.groups.map((group) => [...new Set(group.map((op) => op.stem))]));
}

/** tsquery text over the prompt's words as written (`to_tsvector('simple', prompt)`). */
export function wordsQuery(query: SearchQuery): string {
  return conjunction(query.groups.map((group) => group.map(wordOperand)));
}

/** Whether holding a group's lexemes is holding its words, in every group. */
export function decidedByStems(query: SearchQuery): boolean {
  return query.groups.every((group) => group.every((op) => op.lexeme !== undefined));
}

/** The tsquery operand of a word as written. */
export function wordOperand(operand: Operand): string {
  return operand.prefix ? `${quoted(operand.word)}:*` : quoted(operand.word);
}

function conjunction(groups: string[][]): string {
  return groups
    .map((group) => (group.length === 1 ? group[0] : `(${group.join(' | ')})`))
    .join(' & ');
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

/** A search word, and one of the owner's words that begin with the same letter. */
interface Known {
  ord: string | number;
  word: string;
  stem: string | null;
  term: string | null;
  lexemes: string[] | null;
  likeness: number | null;
}

/** A word of the owner's that a search word may stand for. */
interface Candidate {
  term: string;
  stem: string;
  /** 3: the word as written; 2: another form of its stem; 1: a word it is the start of. */
  tier: number;
  likeness: number;
}

/**
 * Resolves each word against the owner's vocabulary (`search_terms`, the words of its prompts as
 * written): the same word, the other forms of its English stem, the words it is the start of (or
 * whose stem its stem begins), each weighed by kind of match (see the levels above); or, when it
 * matches none, as the nearest words (a typo). Words rather than `word:*` prefixes let the ranked
 * lists of `character_terms` be walked. Null when a word is like nothing the owner has. A word
 * that matches nothing and is a stop word with two adjacent letters swapped ("teh") is read as
 * that stop word.
 *
 * @throws StopWordsOnlyError when every word is a stop word: such a search would keep everything.
 */
export async function resolveSearch(
  db: Executor,
  owner: string,
  words: string[],
): Promise<SearchQuery | null> {
  // Every form of a stem begins with the letter the stem begins with, so the owner's words that
  // begin as the search word does hold every word it can stand for and every other form of their
  // stems: which tells whether a stem is written one way only.
  const rows = rowsOf<Known>(
    await db.execute(sql`
      select w.ord, w.word, s.stem, k.term, k.lexemes, k.likeness
      from unnest(${textArray(words)}) with ordinality as w(word, ord)
      cross join lateral (
        select string_agg(lexeme, '') as stem from unnest(to_tsvector('english', w.word))
      ) s
      left join lateral (
        select t.term, tsvector_to_array(to_tsvector('english', t.term)) as lexemes,
          similarity(t.term, w.word) as likeness
        from search_terms t
        where s.stem is not null and t.owner = ${owner} and starts_with(t.term, left(w.word, 1))
      ) k on true
      order by w.ord`),
  );
  const byWord = new Map<number, Known[]>();
  for (const row of rows) {
    const ord = Number(row.ord);
    const known = byWord.get(ord);
    if (known) known.push(row);
    else byWord.set(ord, [row]);
  }
  const groups: Operand[][] = [];
  for (const known of byWord.values()) {
    const { word, stem } = known[0] as Known;
    // A stop word ("a", "the") says nothing about a prompt.
    if (!stem) continue;
    const group = expansion(word, stem, known) ?? (await nearestTerms(db, owner, word, stem));
    // Nor does a stop word mistyped ("teh").
    if (group === undefined) continue;
    if (group.length === 0) return null;
    groups.push(group);
  }
  if (groups.length === 0) throw new StopWordsOnlyError();
  return { groups };
}

/**
 * A search whose every word is a stop word ("a", "the"), misspelt or not ("teh"). It would keep
 * every character and mark nothing, as if they all matched: it is refused instead.
 */
export class StopWordsOnlyError extends Error {
  constructor() {
    super(
      'search has only stop words ("a", "the" and the like), which say nothing about a character: add a word of its prompt',
    );
    this.name = 'StopWordsOnlyError';
  }
}

/**
 * The operands of a word among the owner's words that begin with its letter; undefined when it
 * stands for none of them (a typo, perhaps).
 */
function expansion(word: string, stem: string, known: Known[]): Operand[] | undefined {
  const forms = new Map<string, number>();
  const candidates: Candidate[] = [];
  for (const { term, lexemes, likeness } of known) {
    // A word of several lexemes ("red-fox") is no word a search can name.
    if (term === null || lexemes?.length !== 1) continue;
    const lexeme = lexemes[0] as string;
    forms.set(lexeme, (forms.get(lexeme) ?? 0) + 1);
    const tier =
      term === word
        ? 3
        : lexeme === stem
          ? 2
          : term.startsWith(word) || lexeme.startsWith(stem)
            ? 1
            : 0;
    if (tier > 0 && isLexeme(term) && isLexeme(lexeme))
      candidates.push({ term, stem: lexeme, tier, likeness: Number(likeness) });
  }
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => b.tier - a.tier || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  // Too many words begin with it: the word itself and the other forms of its stem are kept as
  // words, the rest stands as a prefix.
  const many = candidates.length > MAX_EXPANSION;
  const operands: Operand[] = candidates
    .filter((candidate) => !many || candidate.tier > 1)
    .map(({ term, stem: lexeme, tier, likeness }) => ({
      word: term,
      prefix: false,
      weight:
        LEVEL * (tier === 3 ? EXACT_LEVEL : tier === 2 ? sameStemLevel(likeness) : START_LEVEL),
      stem: quoted(lexeme),
      lexeme: forms.get(lexeme) === 1 ? lexeme : undefined,
    }));
  const begun = candidates.filter((candidate) => candidate.term.startsWith(word));
  if (many && begun.length > 0) {
    // The lexemes of the words it begins all begin as their lowest and highest do. Matched and
    // ranked as that start of lexemes, not of words as written: a word this short begins words
    // and their lexemes alike, and the GIN index ranks them without reading every prompt again.
    const stems = begun.map((candidate) => candidate.stem).sort();
    const common = commonPrefix(stems[0] as string, stems.at(-1) as string);
    if (common !== '')
      operands.push({
        word,
        prefix: true,
        weight: LEVEL * START_LEVEL,
        stem: `${quoted(common)}:*`,
        lexeme: common,
      });
  }
  return operands;
}

/**
 * The owner's words nearest a misspelt one: the most alike by pg_trgm similarity (its GIN index
 * serves `%`) and the words it makes with two adjacent letters swapped, ordered by edits (a swap
 * is one), to the word or between the stems, then by similarity. Trigrams alone rank "pen" with
 * "penguin" for "pengiun", and a swap leaves a short word few of its trigrams ("fxo" is 0.14
 * like "fox"). Undefined when a swap makes a stop word ("teh"): read as a typo of a rarer word,
 * it would find nothing the user meant.
 */
async function nearestTerms(
  db: Executor,
  owner: string,
  word: string,
  stem: string,
): Promise<Operand[] | undefined> {
  const swaps = textArray(transpositions(word));
  const alike = await db.transaction(async (tx) => {
    // Whether a swap makes a stop word is asked in the round trip that sets the threshold.
    const [setting] = rowsOf<{ stop: boolean }>(
      await tx.execute(sql`
        select set_config('pg_trgm.similarity_threshold', ${String(TYPO_SIMILARITY)}, true),
          coalesce(bool_or(length(to_tsvector('english', swap)) = 0), false) as stop
        from unnest(${swaps}) swap`),
    );
    if (setting?.stop) return undefined;
    // Two scans, each with its index: in one condition (`%` or a swap) the planner may read every
    // word of every owner to measure it.
    return rowsOf<{ term: string; likeness: number; stem: string | null }>(
      await tx.execute(sql`
        select term, similarity(term, ${word}) as likeness,
          (tsvector_to_array(to_tsvector('english', term)))[1] as stem
        from (
          select term from search_terms where owner = ${owner} and term = any(${swaps})
          union
          (select term from search_terms where owner = ${owner} and term % ${word}
            order by similarity(term, ${word}) desc, term
            limit ${TYPO_CANDIDATES})
        ) candidates
        order by likeness desc, term`),
    );
  });
  if (alike === undefined) return undefined;
  return alike
    .filter((row) => isLexeme(row.term) && row.stem !== null && isLexeme(row.stem))
    .map((row) => {
      const likeness = Number(row.likeness);
      const edits = Math.min(editDistance(word, row.term), editDistance(stem, row.stem as string));
      return { row, likeness, edits };
    })
    .sort((a, b) => a.edits - b.edits || b.likeness - a.likeness)
    .slice(0, TYPO_NEAREST)
    .map(({ row, likeness, edits }) => ({
      word: row.term,
      prefix: false,
      weight: LEVEL * typoLevel(edits, likeness),
      stem: quoted(row.stem as string),
    }));
}

/** The words made of a word by swapping two adjacent letters, the commonest typo of all. */
function transpositions(word: string): string[] {
  const letters = [...word];
  const swapped = new Set<string>();
  for (let i = 1; i < letters.length; i++) {
    if (letters[i] === letters[i - 1]) continue;
    const copy = [...letters];
    [copy[i - 1], copy[i]] = [copy[i] as string, copy[i - 1] as string];
    swapped.add(copy.join(''));
  }
  return [...swapped];
}

/** A text[] of values, one parameter each. */
function textArray(values: string[]): SQL {
  return sql`array[${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )}]::text[]`;
}

/** Edits from one word to another: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  let before: number[] = [];
  let previous = t.map((_, j) => j + 1);
  previous.unshift(0);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, (before[j - 2] as number) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[t.length] as number;
}

function commonPrefix(a: string, b: string): string {
  const x = [...a];
  const y = [...b];
  let n = 0;
  while (n < x.length && x[n] === y[n]) n++;
  return x.slice(0, n).join('');
}

/** Words of letters and digits only can be quoted into tsquery text without escaping. */
function isLexeme(term: string): boolean {
  return /^[\p{L}\p{N}]+$/u.test(term);
}

export function quoted(lexeme: string): string {
  return `'${lexeme}'`;
}
