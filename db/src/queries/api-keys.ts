import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../database.ts';
import { isRowId } from '../ids.ts';
import { apiKeys } from '../schema.ts';

/** Every key begins with it, so that a leaked key is recognisable as this gateway's. */
export const API_KEY_PREFIX = 'cag_';

/** How many of a key's first characters are kept, to recognise it in lists. */
const SHOWN_PREFIX_LENGTH = 12;
const OWNER_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** Whether `owner` is a name keys (and budgets) may be made for: 1–64 letters, digits, `.`, `_`, `-`. */
export function isOwnerName(owner: string): boolean {
  return OWNER_PATTERN.test(owner);
}

/** Hex SHA-256 of the whole key: what the table keeps instead of the key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Thrown by createApiKey for an owner name outside `[A-Za-z0-9_.-]{1,64}`. */
export class InvalidApiKeyOwnerError extends Error {
  override readonly name = 'InvalidApiKeyOwnerError';
  constructor() {
    super('an API key owner must be 1 to 64 characters, each a letter, a digit, ".", "_" or "-"');
  }
}

/** Makes a key for owner, stores only its SHA-256, and returns the key once. */
export async function createApiKey(
  db: Executor,
  owner: string,
): Promise<{ id: string; owner: string; key: string; prefix: string; createdAt: Date }> {
  if (!isOwnerName(owner)) throw new InvalidApiKeyOwnerError();
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const prefix = key.slice(0, SHOWN_PREFIX_LENGTH);
  const [row] = await db
    .insert(apiKeys)
    .values({ owner, keySha256: hashApiKey(key), prefix })
    .returning({
      id: apiKeys.id,
      owner: apiKeys.owner,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
    });
  if (!row) throw new Error('insert into api_keys returned no row');
  return { ...row, key };
}

/**
 * The owner of each active (not revoked) key among the given SHA-256 hashes; a hash of no active
 * key is absent. One query for a request's key, or for every key of the open connections at once.
 */
export async function activeApiKeyOwners(
  db: Executor,
  keySha256s: string[],
): Promise<Map<string, string>> {
  if (keySha256s.length === 0) return new Map();
  const rows = await db
    .select({ keySha256: apiKeys.keySha256, owner: apiKeys.owner })
    .from(apiKeys)
    .where(and(inArray(apiKeys.keySha256, keySha256s), isNull(apiKeys.revokedAt)));
  return new Map(rows.map((row) => [row.keySha256, row.owner]));
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

export interface ApiKeyTableState {
  /** Keys not revoked. */
  active: number;
  /** Every key ever made, the revoked ones included. */
  total: number;
  /**
   * Differs whenever a key is made, revoked, restored or deleted: the counts and the latest
   * creation and revocation times. A key changed in place (its hash rewritten by hand) leaves it
   * as it was.
   */
  version: string;
}

/**
 * What the table holds, in one cheap aggregate: read every few seconds by each gateway instance
 * to learn of keys made or revoked elsewhere (another instance, `npm run keys`, SQL).
 */
export async function apiKeyTableState(db: Executor): Promise<ApiKeyTableState> {
  const active = sql<number>`count(*) filter (where ${apiKeys.revokedAt} is null)`.mapWith(Number);
  const total = sql<number>`count(*)`.mapWith(Number);
  const [row] = await db
    .select({
      active,
      total,
      version: sql<string>`concat_ws('/', ${active}, ${total}, max(${apiKeys.createdAt}), max(${apiKeys.revokedAt}))`,
    })
    .from(apiKeys);
  return row ?? { active: 0, total: 0, version: '' };
}
