import { createApiKey, revokeApiKeys } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { graphql, LIST_TASKS, statusOf, within, wsSession } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

/**
 * Issue 18, item 2: keys cannot leave a door open. Anonymous mode (every request as owner `local`)
 * is decided from the key table as it is now, not at start: the first key made anywhere ends it
 * on a running gateway within seconds, and it never comes back, after a restart either, unless
 * ALLOW_ANONYMOUS=true.
 */

const FEW_SECONDS = 10_000;
/** Each test starts a gateway on the PGlite directory: a cold start took 30 s on a loaded machine. */
const RESTARTS = 120_000;

/** One database for the whole file, opened again by each gateway: the restart is the point. */
let database: TestDatabase;
let t: TestGateway | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
  await database?.drop();
});

async function restart(env: Record<string, string> = {}): Promise<TestGateway> {
  await t?.close();
  t = undefined;
  t = await startTestGateway({ database, env });
  return t;
}

/** Resolves once the gateway has logged `message` (it reads the key table every 2 s). */
const logged = (gateway: TestGateway, message: string) =>
  waitFor(() => gateway.logs.some((line) => line.includes(message)), FEW_SECONDS);

describe('anonymous mode', () => {
  it(
    'ends on a running gateway within seconds of the first key, closing its connections',
    async () => {
      const gateway = await restart();
      expect(await statusOf(gateway.graphqlUrl)).toBe(200);
      const anonymous = wsSession(gateway.wsUrl);
      try {
        expect(await anonymous.first(LIST_TASKS)).toEqual({ data: { tasks: { edges: [] } } });
        const { key } = await createApiKey(gateway.gateway.database.db, 'first');
        await waitFor(async () => (await statusOf(gateway.graphqlUrl)) === 401, FEW_SECONDS);
        expect(await within(anonymous.closed, FEW_SECONDS, 'the close')).toEqual({
          code: 4401,
          reason: 'Unauthorized: an API key is now required',
        });
        expect(await graphql(gateway.graphqlUrl, LIST_TASKS, undefined, key)).toEqual({
          data: { tasks: { edges: [] } },
        });
      } finally {
        await anonymous.client.dispose();
      }
    },
    RESTARTS,
  );

  it(
    'does not come back when the last key is revoked, nor after a restart',
    async () => {
      const gateway = t as TestGateway;
      expect(await revokeApiKeys(gateway.gateway.database.db, { owner: 'first' })).toBe(1);
      await logged(gateway, 'no API key is active: every request is refused');
      expect(await statusOf(gateway.graphqlUrl)).toBe(401);

      const restarted = await restart();
      expect(await statusOf(restarted.graphqlUrl)).toBe(401);
      expect(restarted.logs.join('')).toContain('no API key is active: every request is refused');
    },
    RESTARTS,
  );

  it(
    'comes back with ALLOW_ANONYMOUS=true whenever no key is active, and only then',
    async () => {
      const gateway = await restart({ ALLOW_ANONYMOUS: 'true' });
      expect(await statusOf(gateway.graphqlUrl)).toBe(200);
      const { key } = await createApiKey(gateway.gateway.database.db, 'second');
      await waitFor(async () => (await statusOf(gateway.graphqlUrl)) === 401, FEW_SECONDS);
      await revokeApiKeys(gateway.gateway.database.db, { key });
      await waitFor(async () => (await statusOf(gateway.graphqlUrl)) === 200, FEW_SECONDS);
      expect(gateway.logs.join('')).toContain('and ALLOW_ANONYMOUS is set');
    },
    RESTARTS,
  );
});
