import { createHash, randomBytes } from 'node:crypto';
import { and, asc, count, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { isRowId } from '../ids.ts';
import { apiKeys } from '../schema.ts';

/** Every key begins with it, so that a leaked key is recognisable as this gateway's. */
export const API_KEY_PREFIX = 'cag_';

/** How many of a key's first characters are kept, to recognise it in lists. */
const SHOWN_PREFIX_LENGTH = 12;
const OWNER_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Hex SHA-256 of the whole key: what the table keeps instead of the key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Makes a key for owner, stores only its SHA-256, and returns the key once. */
export async function createApiKey(
  db: Executor,
  owner: string,
): Promise<{ id: string; owner: string; key: string; prefix: string }> {
  if (!OWNER_PATTERN.test(owner)) {
    throw new Error(
      'an API key owner must be 1 to 64 characters, each a letter, a digit, ".", "_" or "-"',
    );
  }
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const prefix = key.slice(0, SHOWN_PREFIX_LENGTH);
  const [row] = await db
    .insert(apiKeys)
    .values({ owner, keySha256: hashApiKey(key), prefix })
    .returning({ id: apiKeys.id, owner: apiKeys.owner, prefix: apiKeys.prefix });
  if (!row) throw new Error('insert into api_keys returned no row');
  return { id: row.id, owner: row.owner, key, prefix: row.prefix };
}

/** The owner of an active (not revoked) key, or undefined; looked up by the key's SHA-256. */
export async function ownerOfApiKey(db: Executor, key: string): Promise<string | undefined> {
  if (key === '') return undefined;
  const [row] = await db
    .select({ owner: apiKeys.owner })
    .from(apiKeys)
    .where(and(eq(apiKeys.keySha256, hashApiKey(key)), isNull(apiKeys.revokedAt)));
  return row?.owner;
}

/** Revokes by id, by the whole key, or every active key of an owner; returns how many it revoked. */
export async function revokeApiKeys(
  db: Executor,
  which: { id: string } | { key: string } | { owner: string },
): Promise<number> {
  let match: SQL;
  if ('id' in which) {
    // Not a uuid names no key; PostgreSQL would refuse it with a parse error instead.
    if (!isRowId(which.id)) return 0;
    match = eq(apiKeys.id, which.id);
  } else if ('key' in which) {
    match = eq(apiKeys.keySha256, hashApiKey(which.key));
  } else {
    match = eq(apiKeys.owner, which.owner);
  }
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(match, isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return revoked.length;
}

/** Every key, or every key of owner, oldest first; never the key nor its hash. */
export async function listApiKeys(
  db: Executor,
  owner?: string,
): Promise<
  { id: string; owner: string; prefix: string; createdAt: Date; revokedAt: Date | null }[]
> {
  return db
    .select({
      id: apiKeys.id,
      owner: apiKeys.owner,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(owner === undefined ? undefined : eq(apiKeys.owner, owner))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

/** How many keys are active, to know at start whether any key is configured. */
export async function countActiveApiKeys(db: Executor): Promise<number> {
  const [row] = await db.select({ n: count() }).from(apiKeys).where(isNull(apiKeys.revokedAt));
  return row?.n ?? 0;
}
