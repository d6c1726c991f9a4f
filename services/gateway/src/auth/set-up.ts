import { apiKeyTableState, type DatabaseHandle } from '@charanim/db';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { ANONYMOUS_OWNER, type Authenticate, createAuthenticator } from './authenticator.ts';

/** Thrown when the gateway must not start as configured. */
export class StartRefused extends Error {
  override readonly name = 'StartRefused';
}

/**
 * Keys from GATEWAY_API_KEYS and the database. With none, requests run as `local` outside
 * production (and the log says so); in production the gateway refuses to start.
 */
export async function setUpAuthentication(
  config: Config,
  database: DatabaseHandle,
  logger: Logger,
): Promise<Authenticate> {
  const envKeys = config.GATEWAY_API_KEYS ?? new Map<string, string>();
  const stored = (await apiKeyTableState(database.db)).active;
  const anonymous = envKeys.size === 0 && stored === 0;
  if (anonymous && config.production) {
    throw new StartRefused(
      'no API key is configured and NODE_ENV is production: set GATEWAY_API_KEYS=owner:key or create one with `npm run keys -- create --owner NAME`',
    );
  }
  if (anonymous) {
    logger.warn(
      `no API key is configured: every request runs as owner "${ANONYMOUS_OWNER}" without a key. Set GATEWAY_API_KEYS or run \`npm run keys -- create --owner NAME\` (then restart) to require keys`,
    );
  } else {
    logger.info({ fromEnvironment: envKeys.size, fromDatabase: stored }, 'API keys required');
  }
  return createAuthenticator({ db: database.db, envKeys, anonymous });
}
