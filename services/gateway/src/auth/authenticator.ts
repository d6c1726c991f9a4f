import { activeApiKeyOwners, type Database, hashApiKey } from '@charanim/db';

/** The owner every request runs as in anonymous mode. */
export const ANONYMOUS_OWNER = 'local';

/**
 * Who a caller is, and how it showed it: with a key from the database (kept by its hash, so that
 * a connection's key can be checked again while it lasts), with one from GATEWAY_API_KEYS (fixed
 * until a restart), or with none, in anonymous mode. `epoch` is the key table's epoch when the
 * caller was authenticated (see KeyWatch).
 */
export type Identity = { owner: string; epoch: number } & (
  | { via: 'database'; keySha256: string }
  | { via: 'environment' | 'anonymous' }
);

/** Who a request is: an identity, or nobody (a missing or unknown key). */
export type Authenticate = (
  authorization: string | null | undefined,
) => Promise<Identity | undefined>;

/** Why each refused identity no longer holds; identities that still hold are absent. */
export type Verify = (identities: Identity[]) => Promise<Map<Identity, string>>;

/** What the authenticator reads of the key table's live state. */
export interface KeyTableView {
  /** Requests without a key run as `local` now. */
  readonly anonymous: boolean;
  readonly epoch: number;
}

export interface AuthenticatorOptions {
  db: Database;
  /** Keys from GATEWAY_API_KEYS: key → owner. */
  envKeys: Map<string, string>;
  keyTable: KeyTableView;
}

/** The token of an `Authorization: Bearer <token>` header, if it has that form. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/**
 * Reads `Bearer <key>` and finds its owner among the configured keys, then the database's (which
 * stores only hashes). Keys are compared by their SHA-256, never as text. `verify` checks again,
 * in one query, the identities of the connections that are still open.
 */
export function createAuthenticator({ db, envKeys, keyTable }: AuthenticatorOptions): {
  authenticate: Authenticate;
  verify: Verify;
} {
  const envOwners = new Map([...envKeys].map(([key, owner]) => [hashApiKey(key), owner]));
  return {
    async authenticate(authorization) {
      const epoch = keyTable.epoch;
      if (keyTable.anonymous) return { owner: ANONYMOUS_OWNER, via: 'anonymous', epoch };
      const key = bearerToken(authorization);
      if (!key) return undefined;
      const keySha256 = hashApiKey(key);
      const envOwner = envOwners.get(keySha256);
      if (envOwner) return { owner: envOwner, via: 'environment', epoch };
      const owner = (await activeApiKeyOwners(db, [keySha256])).get(keySha256);
      return owner === undefined ? undefined : { owner, via: 'database', keySha256, epoch };
    },
    async verify(identities) {
      const hashes = identities.flatMap((identity) =>
        identity.via === 'database' ? [identity.keySha256] : [],
      );
      const owners = await activeApiKeyOwners(db, [...new Set(hashes)]);
      const refused = new Map<Identity, string>();
      for (const identity of identities) {
        if (identity.via === 'database' && owners.get(identity.keySha256) !== identity.owner) {
          refused.set(identity, 'the API key was revoked');
        } else if (identity.via === 'anonymous' && !keyTable.anonymous) {
          refused.set(identity, 'an API key is now required');
        }
      }
      return refused;
    },
  };
}
