import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import type { CharacterRow } from '../schema.ts';
import { filterConditions, type PageOptions, type Ranked } from './character-page.ts';
import { rowsOf } from './rows.ts';

/** How far down each word's list a walk goes before it leaves the search to the GIN index. */
const WALK_BUDGET = 4096;

/**
 * A first batch that ranks fewer than one character in this many entries read tells of words that
 * seldom go together: the walk leaves them to the GIN index.
 */
const SPARSE = 100;

/** Where a walk down one word's list of `character_terms` stands (the list's own rank). */
interface Cursor {
  rank: number;
  createdAt: number;
  id: string;
}

/** A word of prompts that a search word stands for, and what holding it is worth. */
export interface WeightedTerm {
  term: string;
  weight: number;
}

/** A character met in some lists: when it was made, and its rank in each list it was met in. */
interface Met {
  createdAt: number;
  id: string;
  ranks: Map<string, number>;
}

/** A position in (relevance, creation, id) order, the order of every ranked list. */
interface Position {
  rank: number;
  createdAt: number;
  id: string;
}

/**
 * Ranks a search without reading the characters that cannot make the page: the no-random-access
 * threshold algorithm (Fagin, Lotem and Naor) over `character_terms`. Each word's list is walked
 * in rank order, a batch at a time; a character met under every search word is ranked exactly
 * (relevance is the sum over search words of the best weight + rank among the words each stands
 * for; a weight is the same for a whole list, so rank order is relevance order); the walk ends once
 * no character met in part, nor any not met at all, could still rank before the page's last one.
 * Searches whose words go together ("neon city") end after a batch or two however many
 * characters match; rare combinations run out of budget (undefined) and are better served by the
 * GIN index.
 *
 * @param groups the words each word of the search stands for, with their weights
 * @param fetch the characters among `ids` that the page's filter keeps
 * @param fetchRanked the characters among `ids` that match the search and the page, with their
 *   relevance computed by the database
 */
export async function rankedByThreshold(
  db: Executor,
  owner: string,
  groups: WeightedTerm[][],
  { first, after, filter }: PageOptions,
  fetch: (ids: string[]) => Promise<CharacterRow[]>,
  fetchRanked: (ids: string[]) => Promise<Ranked[]>,
): Promise<Ranked[] | undefined> {
  const wanted = first + 1;
  const from: Position | undefined =
    after?.rank === undefined
      ? undefined
      : { rank: after.rank, createdAt: after.createdAt.getTime(), id: after.id };
  // With one search word a character's relevance is its best entry, so an entry ranked before the
  // cursor is a character already paged: each list starts at the cursor instead of its top.
  const start = groups.length === 1 ? from : undefined;
  const walk = new Walk(groups, start);
  const candidates: Position[] = [];
  // Characters are read only when they could make the page: null once read and refused by the
  // page (filter, cursor).
  const read = new Map<string, Ranked | null>();
  const page = async (): Promise<Ranked[]> => {
    for (;;) {
      const top: Ranked[] = [];
      const unread: string[] = [];
      for (const candidate of candidates) {
        if (top.length + unread.length >= wanted) break;
        const known = read.get(candidate.id);
        if (known === undefined) unread.push(candidate.id);
        else if (known) top.push(known);
      }
      if (unread.length === 0) return top;
      for (const id of unread) read.set(id, null);
      if (start) {
        // A character ranked before the cursor may have been met only in the lists it ranks
        // lower in, and been given too little: the database ranks the candidates.
        for (const row of await fetchRanked(unread)) read.set(row.character.id, row);
        continue;
      }
      // Met in every list that could give it anything: its relevance is exact, the same float8 as
      // the database computes (weight plus rank, summed in the same order).
      const ranks = new Map(candidates.map((candidate) => [candidate.id, candidate.rank]));
      for (const character of await fetch(unread))
        read.set(character.id, { character, rank: ranks.get(character.id) ?? null });
    }
  };
  // Nothing can refuse a candidate (no cursor, no filter, and characters are never deleted): the
  // page is the best candidates, and their rows are read once, at the end, not at every step.
  const kept = after === undefined && filterConditions(filter).every((condition) => !condition);
  for (let batch = wanted * 8, walked = 0; walked < WALK_BUDGET; walked += batch, batch *= 2) {
    await walk.step(db, owner, batch, filter);
    const complete = walk.takeComplete();
    candidates.push(...complete.filter((found) => !from || before(from, found)));
    candidates.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
    const top = kept ? undefined : await page();
    const paged = top?.[wanted - 1];
    const last = kept ? candidates[wanted - 1] : paged && position(paged);
    if (walk.finished() || (last && walk.cannotBeat(last))) return top ?? page();
    // Words that seldom go together: the walk would read far down every list to fill a page,
    // while the GIN index finds their few common characters at once.
    if (walked === 0 && complete.length * SPARSE < batch) return undefined;
  }
  return undefined;
}

class Walk {
  /** Per search word, the words it stands for with their weights. */
  readonly #groups: WeightedTerm[][];
  readonly #terms: string[];
  readonly #cursors = new Map<string, Cursor | 'end'>();
  readonly #met = new Map<string, Met>();
  /** Characters already ranked or dropped: a later list that holds them too changes nothing. */
  readonly #settled = new Set<string>();
  readonly #start: Position | undefined;

  constructor(groups: WeightedTerm[][], start: Position | undefined) {
    this.#groups = groups;
    this.#terms = [...new Set(groups.flat().map(({ term }) => term))];
    this.#start = start;
  }

  /** Walks the next `batch` entries of every list not yet at its end. */
  async step(
    db: Executor,
    owner: string,
    batch: number,
    filter: PageOptions['filter'],
  ): Promise<void> {
    const open = this.#terms.filter((term) => this.#cursors.get(term) !== 'end');
    const lists = open.map((term) => {
      const from = (this.#cursors.get(term) as Cursor | undefined) ?? this.#startOf(term);
      return sql`(select ${term}::text as term, rank::float8 as score, character_id::text as id,
          (extract(epoch from created_at) * 1000)::float8 as created_ms
        from character_terms where owner = ${owner} and term = ${term}
        ${from ? sql`and (rank, created_at, character_id) < (${rankParameter(from.rank)}, ${new Date(from.createdAt).toISOString()}::timestamptz, ${from.id}::uuid)` : sql``}
        ${filter?.createdAfter ? sql`and created_at > ${filter.createdAfter.toISOString()}::timestamptz` : sql``}
        ${filter?.createdBefore ? sql`and created_at < ${filter.createdBefore.toISOString()}::timestamptz` : sql``}
        order by rank desc, created_at desc, character_id desc limit ${batch})`;
    });
    const rows = rowsOf<{ term: string; score: number; id: string; created_ms: number }>(
      await db.execute(sql.join(lists, sql` union all `)),
    );
    const counts = new Map<string, number>();
    for (const row of rows) {
      const entry = { rank: Number(row.score), createdAt: Number(row.created_ms), id: row.id };
      counts.set(row.term, (counts.get(row.term) ?? 0) + 1);
      this.#cursors.set(row.term, entry);
      this.#meet(row.term, entry);
    }
    for (const term of open) if ((counts.get(term) ?? 0) < batch) this.#cursors.set(term, 'end');
  }

  /**
   * Where a list starts: after the page's cursor, in the list's own ranks (a weight plus a rank
   * is exact, so the cursor's relevance less the weight is the rank it stands at).
   */
  #startOf(term: string): Cursor | undefined {
    const weight = this.#groups[0]?.find((entry) => entry.term === term)?.weight;
    if (!this.#start || weight === undefined) return undefined;
    return { ...this.#start, rank: this.#start.rank - weight };
  }

  #meet(term: string, entry: Cursor): void {
    if (this.#settled.has(entry.id)) return;
    let met = this.#met.get(entry.id);
    if (!met) {
      met = { createdAt: entry.createdAt, id: entry.id, ranks: new Map() };
      this.#met.set(entry.id, met);
    }
    met.ranks.set(term, entry.rank);
  }

  /**
   * The most relevance a character can reach: per search word, the best of its words, summed. A
   * word's list gives the weight plus the character's rank there if met; nothing once the list
   * ended without it; else no more than the weight plus the cursor's rank, and less when the
   * character would stand before the cursor at that rank (the list has passed where it would be).
   * Undefined when a search word can give it nothing. Run for every character met, at every step:
   * it allocates nothing but its answer.
   */
  #bound(met: Pick<Met, 'createdAt' | 'id' | 'ranks'>): Bound | undefined {
    let total = 0;
    let strict = false;
    for (const group of this.#groups) {
      let best = Number.NEGATIVE_INFINITY;
      let bestStrict = false;
      let any = false;
      for (const { term, weight } of group) {
        let most: number;
        let mostStrict = false;
        const rank = met.ranks.get(term);
        if (rank !== undefined) most = weight + rank;
        else {
          const cursor = this.#cursors.get(term);
          if (cursor === 'end') continue;
          if (cursor === undefined) most = Number.POSITIVE_INFINITY;
          else {
            most = weight + cursor.rank;
            mostStrict = newer(met, cursor);
          }
        }
        if (!any || most > best || (most === best && !mostStrict)) {
          best = most;
          bestStrict = mostStrict;
          any = true;
        }
      }
      if (!any) return undefined;
      total += best;
      strict ||= bestStrict;
    }
    return { rank: total, strict };
  }

  /**
   * The characters whose relevance is now known (met under every word, at ranks no list still to
   * walk can beat), forgotten here; and those that lack a word, dropped.
   */
  takeComplete(): Position[] {
    const complete: Position[] = [];
    for (const met of this.#met.values()) {
      // Per search word: the best of the lists that met it, and the most of those still open.
      let total = 0;
      let known = true;
      let lacking = false;
      for (const group of this.#groups) {
        let best = Number.NEGATIVE_INFINITY;
        let open = Number.NEGATIVE_INFINITY;
        for (const { term, weight } of group) {
          const rank = met.ranks.get(term);
          if (rank !== undefined) {
            best = Math.max(best, weight + rank);
            continue;
          }
          const cursor = this.#cursors.get(term);
          if (cursor === 'end') continue;
          open = Math.max(
            open,
            cursor === undefined ? Number.POSITIVE_INFINITY : weight + cursor.rank,
          );
        }
        if (best === Number.NEGATIVE_INFINITY && open === Number.NEGATIVE_INFINITY) {
          lacking = true;
          break;
        }
        if (best === Number.NEGATIVE_INFINITY || open > best) known = false;
        // The same float8 additions, in the same order, as the database's relevance.
        total += best;
      }
      if (lacking) this.#settle(met.id);
      else if (known) {
        complete.push({ rank: total, createdAt: met.createdAt, id: met.id });
        this.#settle(met.id);
      }
    }
    return complete;
  }

  #settle(id: string): void {
    this.#met.delete(id);
    this.#settled.add(id);
  }

  /** Whether every character that could still match has been met and ranked. */
  finished(): boolean {
    return (
      this.#met.size === 0 &&
      this.#groups.some((group) => group.every(({ term }) => this.#cursors.get(term) === 'end'))
    );
  }

  /** Whether no character met in part, nor any not met at all, could rank before `last`. */
  cannotBeat(last: Position): boolean {
    for (const met of this.#met.values()) {
      const bound = this.#bound(met);
      if (bound && !beats(last, bound, met)) return false;
    }
    // A character not met at all would stand after every cursor: at best the cursors' ranks, and
    // at those ranks no newer than the newest cursor that holds them, in every word.
    const unmet = { createdAt: Number.NEGATIVE_INFINITY, id: '', ranks: new Map<string, number>() };
    let createdAt = Number.POSITIVE_INFINITY;
    for (const group of this.#groups) {
      const open: { score: number; createdAt: number }[] = [];
      for (const { term, weight } of group) {
        const cursor = this.#cursors.get(term);
        if (cursor !== undefined && cursor !== 'end')
          open.push({ score: weight + cursor.rank, createdAt: cursor.createdAt });
      }
      if (open.length === 0) return true;
      const best = Math.max(...open.map((cursor) => cursor.score));
      createdAt = Math.min(
        createdAt,
        Math.max(
          ...open.filter((cursor) => cursor.score === best).map((cursor) => cursor.createdAt),
        ),
      );
    }
    const bound = this.#bound(unmet);
    return !bound || beats(last, bound, { createdAt, id: '\uffff' });
  }
}

/** The most relevance a character can still reach; `strict` when it must stay below `rank`. */
interface Bound {
  rank: number;
  strict: boolean;
}

/** Whether `last` ranks before any character of creation `at` whose relevance is within `bound`. */
function beats(last: Position, bound: Bound, at: Pick<Position, 'createdAt' | 'id'>): boolean {
  if (last.rank !== bound.rank) return last.rank > bound.rank;
  return bound.strict || before(last, { rank: bound.rank, ...at });
}

/** Whether a character would stand before a list's cursor at the cursor's rank. */
function newer(a: Pick<Position, 'createdAt' | 'id'>, cursor: Cursor): boolean {
  return a.createdAt !== cursor.createdAt ? a.createdAt > cursor.createdAt : a.id > cursor.id;
}

/**
 * A rank to compare `character_terms.rank` with: a real when it is one (a list's own cursor), as
 * a real compares faster with a real; else exactly, as a float8 (a cursor's relevance less a
 * weight).
 */
export function rankParameter(rank: number): SQL {
  return Math.fround(rank) === rank ? sql`${rank}::real` : sql`${rank}::float8`;
}

function position(found: Ranked): Position {
  return {
    rank: found.rank ?? 0,
    createdAt: found.character.createdAt.getTime(),
    id: found.character.id,
  };
}

/** Whether `a` comes strictly before `b` in a ranked list. */
function before(a: Position, b: Position): boolean {
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  return a.id > b.id;
}
