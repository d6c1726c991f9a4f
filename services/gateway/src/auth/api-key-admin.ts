import {
  createApiKey,
  type Database,
  InvalidApiKeyOwnerError,
  listApiKeys,
  revokeApiKeys,
} from '@charanim/db';
import type { ApiKeyAdmin } from '@charanim/schema';
import type { Logger } from '../logger.ts';
import type { Identity } from './authenticator.ts';
import type { Access } from './set-up.ts';

export interface ApiKeyAdminOptions {
  db: Database;
  /** ADMIN_OWNERS. */
  admins: ReadonlySet<string>;
  access: Pick<Access, 'check'>;
  logger: Logger;
}

/**
 * Key management for each request's caller. A change is followed by a read of the key table, so
 * that it applies on this instance before the answer (other instances see it within their next
 * read); each change is logged with who made it, never with the key.
 */
export function apiKeyAdmin({
  db,
  admins,
  access,
  logger,
}: ApiKeyAdminOptions): (caller: Identity) => ApiKeyAdmin {
  return (caller) => ({
    // Anonymous callers are never admins, whatever ADMIN_OWNERS names: `local` is everyone then.
    allowed: caller.via !== 'anonymous' && admins.has(caller.owner),
    async create(owner) {
      let created: Awaited<ReturnType<typeof createApiKey>>;
      try {
        created = await createApiKey(db, owner);
      } catch (error) {
        if (!(error instanceof InvalidApiKeyOwnerError)) throw error;
        return { kind: 'invalid-owner', message: error.message };
      }
      logger.info({ by: caller.owner, owner, id: created.id }, 'API key made');
      await access.check();
      const { key, ...apiKey } = created;
      return { kind: 'created', key, apiKey: { ...apiKey, revokedAt: null } };
    },
    list: (owner) => listApiKeys(db, owner),
    async revoke(which) {
      const revoked = await revokeApiKeys(db, which);
      const selector = 'key' in which ? 'key' : 'id' in which ? { id: which.id } : which;
      logger.info({ by: caller.owner, which: selector, revoked }, 'API keys revoked');
      if (revoked > 0) await access.check();
      return revoked;
    },
  });
}
