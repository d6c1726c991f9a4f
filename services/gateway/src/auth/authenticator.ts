import { type Database, hashApiKey, ownerOfApiKey } from '@charanim/db';

/** Who a request is: an owner, or nobody (a missing or unknown key). */
export type Authenticate = (
  authorization: string | null | undefined,
) => Promise<string | undefined>;

/** The owner every request runs as when no key is configured outside production. */
export const ANONYMOUS_OWNER = 'local';

export interface AuthenticatorOptions {
  db: Database;
  /** Keys from GATEWAY_API_KEYS: key → owner. */
  envKeys: Map<string, string>;
  /** No key is configured: every request runs as `local`. */
  anonymous: boolean;
}

/** The token of an `Authorization: Bearer <token>` header, if it has that form. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/**
 * Reads `Bearer <key>` and finds its owner among the configured keys, then the database's (which
 * stores only hashes). Keys are compared by their SHA-256, never as text.
 */
export function createAuthenticator({
  db,
  envKeys,
  anonymous,
}: AuthenticatorOptions): Authenticate {
  const envOwners = new Map([...envKeys].map(([key, owner]) => [hashApiKey(key), owner]));
  return async (authorization) => {
    if (anonymous) return ANONYMOUS_OWNER;
    const key = bearerToken(authorization);
    if (!key) return undefined;
    return envOwners.get(hashApiKey(key)) ?? (await ownerOfApiKey(db, key));
  };
}
