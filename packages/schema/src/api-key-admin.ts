/** An API key as an admin sees it: never the key, nor its hash. */
export interface ApiKeyRecord {
  id: string;
  owner: string;
  /** The key's first characters, to recognise it. */
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export type CreateApiKeyOutcome =
  | { kind: 'created'; key: string; apiKey: ApiKeyRecord }
  | { kind: 'invalid-owner'; message: string };

/** One key by its id, one by the key itself, or every active key of an owner. */
export type ApiKeySelector = { id: string } | { key: string } | { owner: string };

/** Key management, for the caller of one request; the gateway implements it. */
export interface ApiKeyAdmin {
  /** The caller may manage keys: it sent a key of an owner in ADMIN_OWNERS (never anonymous). */
  readonly allowed: boolean;
  /** Makes a key for owner; the key is in the outcome, and nowhere else, ever. */
  create(owner: string): Promise<CreateApiKeyOutcome>;
  /** Every key, or every key of owner, oldest first. */
  list(owner?: string): Promise<ApiKeyRecord[]>;
  /** How many active keys it revoked; their connections on this instance have ended by then. */
  revoke(which: ApiKeySelector): Promise<number>;
}
