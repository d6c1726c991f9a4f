import { and, count } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { characters } from '../schema.ts';
import type { CharacterFilter } from './character-page.ts';
import { matching, resolveCharacterSearch } from './characters.ts';

/**
 * How many of the owner's characters a list holds over all its pages: those that match the search
 * (every word, in any of the ways search matches it) and the filter. Counting every match of a
 * common word reads them all, so it is done only when a client asks for the total.
 */
export async function countCharacters(
  db: Executor,
  owner: string,
  { search, filter }: { search?: string | undefined; filter?: CharacterFilter | undefined },
): Promise<number> {
  const query = search === undefined ? undefined : await resolveCharacterSearch(db, owner, search);
  if (query === null) return 0;
  const [row] = await db
    .select({ total: count() })
    .from(characters)
    .where(and(...matching(owner, query, filter)));
  return row?.total ?? 0;
}
