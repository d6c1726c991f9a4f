import { randomBytes } from 'node:crypto';

/** How Standard Webhooks writes a signing secret: the prefix, then the key in base64. */
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes, as the `standardwebhooks` library reads them. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}
