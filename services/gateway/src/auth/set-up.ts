import type { ApiKeyTableState, DatabaseHandle } from '@charanim/db';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { ANONYMOUS_OWNER, type Authenticate, createAuthenticator } from './authenticator.ts';
import { KeyWatch } from './key-watch.ts';
import { Sessions } from './sessions.ts';

/** Thrown when the gateway must not start as configured. */
export class StartRefused extends Error {
  override readonly name = 'StartRefused';
}

/** Who may call, decided from the key table as it is now, and the sessions that depend on it. */
export interface Access {
  authenticate: Authenticate;
  /** Holds a graphql-ws connection or a subscription: see Sessions.hold. */
  hold: Sessions['hold'];
  /** Reads the key table now, after a change this instance made, so that it applies at once. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keys from GATEWAY_API_KEYS and the database, followed while the gateway runs. Anonymous mode
 * (every request as `local`) holds only outside production, with no key in GATEWAY_API_KEYS and
 * none active in the database, and only while no key was ever made unless ALLOW_ANONYMOUS is set:
 * so that revoking the last key never reopens the gateway, on this instance or after a restart.
 * In production the gateway refuses to start without any key.
 */
export async function setUpAuthentication(
  config: Config,
  database: DatabaseHandle,
  logger: Logger,
): Promise<Access> {
  const envKeys = config.GATEWAY_API_KEYS ?? new Map<string, string>();
  const allowsAnonymous = (state: ApiKeyTableState) =>
    !config.production &&
    envKeys.size === 0 &&
    state.active === 0 &&
    (state.total === 0 || config.ALLOW_ANONYMOUS);
  const describe = (state: ApiKeyTableState, anonymous: boolean) => {
    if (anonymous) {
      logger.warn(
        `every request runs as owner "${ANONYMOUS_OWNER}" without a key: no API key is active${state.total > 0 ? ' and ALLOW_ANONYMOUS is set' : ' and none was ever made'}. Making one (GATEWAY_API_KEYS, or \`npm run keys -- create --owner NAME\`, no restart needed) requires keys from then on`,
      );
    } else if (envKeys.size === 0 && state.active === 0) {
      logger.warn(
        'no API key is active: every request is refused until one is made (`npm run keys -- create --owner NAME`); ALLOW_ANONYMOUS=true would run them as owner "local" instead',
      );
    } else {
      logger.info(
        { fromEnvironment: envKeys.size, fromDatabase: state.active },
        'API keys required',
      );
    }
  };

  const watch = await KeyWatch.open({
    db: database.db,
    allowsAnonymous,
    checkMs: config.API_KEY_CHECK_MS,
    recheckMs: config.API_KEY_RECHECK_MS,
    onModeChange: describe,
    logger,
  });
  if (config.production && envKeys.size === 0 && watch.state.active === 0) {
    throw new StartRefused(
      'no API key is configured and NODE_ENV is production: set GATEWAY_API_KEYS=owner:key or create one with `npm run keys -- create --owner NAME`',
    );
  }
  describe(watch.state, watch.anonymous);
  const { authenticate, verify } = createAuthenticator({
    db: database.db,
    envKeys,
    keyTable: watch,
  });
  const sessions = new Sessions({ verify, keyTable: watch, logger });
  watch.start(() => sessions.recheck());
  return {
    authenticate,
    hold: sessions.hold.bind(sessions),
    check: () => watch.check(),
    stop: () => watch.stop(),
  };
}
