import { activeApiKeyOwners, type Database, hashApiKey } from '@charanim/db';

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
    const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!key) return undefined;
    const keySha256 = hashApiKey(key);
    return envOwners.get(keySha256) ?? (await activeApiKeyOwners(db, [keySha256])).get(keySha256);
  };
}
