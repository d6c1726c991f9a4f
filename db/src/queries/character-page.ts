import { gt, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { type CharacterRow, characters } from '../schema.ts';
import type { Position } from './cursor.ts';

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

/** What one page of a list asks for. */
export interface PageOptions {
  first: number;
  after: CharacterPosition | undefined;
  filter: CharacterFilter | undefined;
}

/** A character with its relevance (null when the list is not ranked). */
export interface Ranked {
  character: CharacterRow;
  rank: number | null;
}

export function filterConditions(filter: CharacterFilter | undefined): (SQL | undefined)[] {
  if (!filter) return [];
  const expiresAt = characters.sourceVideoExpiresAt;
  return [
    filter.usable === true ? or(isNull(expiresAt), gt(expiresAt, sql`now()`)) : undefined,
    filter.usable === false ? lte(expiresAt, sql`now()`) : undefined,
    filter.createdAfter ? gt(characters.createdAt, filter.createdAfter) : undefined,
    filter.createdBefore ? lt(characters.createdAt, filter.createdBefore) : undefined,
  ];
}
