import { and, desc, eq, sql } from 'drizzle-orm';
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

export interface CharacterListOptions {
  first: number;
  after?: Position | undefined;
  /** Words of the prompt; each must match, by English stem or as the start of a word. */
  search?: string | undefined;
}

/** Newest first. */
export async function listCharacters(
  db: Executor,
  owner: string,
  { first, after, search }: CharacterListOptions,
): Promise<Page<CharacterRow>> {
  const query = search === undefined ? undefined : toPrefixQuery(search);
  if (query === null) return { rows: [], hasNextPage: false };
  const rows = await db
    .select()
    .from(characters)
    .where(
      and(
        eq(characters.owner, owner),
        query === undefined
          ? undefined
          : sql`${characters.searchVector} @@ to_tsquery('english', ${query})`,
        olderThan(characters, after),
      ),
    )
    .orderBy(desc(characters.createdAt), desc(characters.id))
    .limit(first + 1);
  return toPage(rows, first);
}

/**
 * Turns free text into a tsquery of prefix terms (`red & fox:*`-style), keeping only letters and
 * digits so that no user input is parsed as tsquery syntax. Undefined means "no filter" (a blank
 * search), null means "nothing can match".
 */
export function toPrefixQuery(search: string): string | undefined | null {
  const words = search.match(/[\p{L}\p{N}]+/gu);
  if (!words) return search.trim() === '' ? undefined : null;
  return words.map((word) => `${word.toLowerCase()}:*`).join(' & ');
}
