import {
  createDatabase,
  type Spawned,
  startEmulatorProcess,
  startGatewayProcess,
} from '@charanim/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_CHARACTER,
  graphql,
  LIST_TASKS,
  sseStream,
  statusOf,
  TASK_UPDATED,
  within,
  wsSession,
} from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

/**
 * Two gateway processes on one PostgreSQL database, kie.ai's emulator in a third: a key made or
 * revoked through one instance reaches the other within seconds, through the key table they
 * share (issue 17, item 1; issue 18, item 2). A requires keys from the start (an admin key in
 * GATEWAY_API_KEYS); B starts with none at all, anonymous.
 */

const ADMIN = 'admin-key-0123456789abcdef';
const FEW_SECONDS = 10_000;
/** Each state lasts ten minutes: only a revocation can end a subscription within the test. */
const STATE_MS = '600000';

let database: Awaited<ReturnType<typeof createDatabase>>;
let emulator: Spawned;
let a: Spawned;
let b: Spawned;

beforeAll(async () => {
  database = await createDatabase();
  emulator = await startEmulatorProcess({
    EMULATOR_WAITING_MS: STATE_MS,
    EMULATOR_QUEUING_MS: STATE_MS,
    EMULATOR_GENERATING_MS: STATE_MS,
  });
  const env = {
    DATABASE_URL: database.url,
    KIE_API_BASE_URL: emulator.url,
    KIE_UPLOAD_BASE_URL: emulator.url,
  };
  // One after the other: B must see an empty key table at start, before A could have made a key.
  b = await startGatewayProcess(env);
  a = await startGatewayProcess({ ...env, GATEWAY_API_KEYS: `ops:${ADMIN}`, ADMIN_OWNERS: 'ops' });
  // Three processes started one after the other.
}, 120_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await emulator?.stop();
  await database?.drop();
});

const graphqlUrl = (spawned: Spawned) => `${spawned.url}/graphql`;
const wsUrl = (spawned: Spawned) => `${spawned.url.replace(/^http/, 'ws')}/graphql`;

/** Makes a key through A's admin mutation. */
async function keyFor(owner: string): Promise<string> {
  const answer = await graphql(
    graphqlUrl(a),
    'mutation($owner: String!) { createApiKey(owner: $owner) { ... on CreateApiKeySuccess { key } } }',
    { owner },
    ADMIN,
  );
  const key = answer.data?.createApiKey?.key;
  if (!key) throw new Error(`createApiKey failed: ${JSON.stringify(answer)}`);
  return key;
}

describe('two instances on one database', () => {
  it('a key made through one instance ends anonymous access on the other within seconds', async () => {
    expect(await statusOf(graphqlUrl(b))).toBe(200);
    expect(await statusOf(graphqlUrl(a))).toBe(401);
    const anonymous = wsSession(wsUrl(b));
    try {
      expect((await anonymous.first(LIST_TASKS)).data).toBeTruthy();
      const key = await keyFor('carol');
      await waitFor(async () => (await statusOf(graphqlUrl(b))) === 401, FEW_SECONDS);
      expect(await within(anonymous.closed, FEW_SECONDS, 'the close')).toEqual({
        code: 4401,
        reason: 'Unauthorized: an API key is now required',
      });
      expect(await graphql(graphqlUrl(b), LIST_TASKS, undefined, key)).toEqual({
        data: { tasks: { edges: [] } },
      });
    } finally {
      await anonymous.client.dispose();
    }
  });

  it('a key revoked through one instance ends its connections and streams on both within seconds', async () => {
    const key = await keyFor('dave');
    const created = await graphql(
      graphqlUrl(b),
      CREATE_CHARACTER,
      { input: { videoUrl: 'https://videos.example.com/two-instances.mp4' } },
      key,
    );
    const id = created.data?.createCharacter?.task?.id;
    expect(id, JSON.stringify(created)).toBeTruthy();
    const sessions = [a, b].map((spawned) => wsSession(wsUrl(spawned), key));
    const streams = await Promise.all(
      [a, b].map((spawned) => sseStream(graphqlUrl(spawned), key, TASK_UPDATED, { id })),
    );
    try {
      for (const session of sessions) expect((await session.first(LIST_TASKS)).data).toBeTruthy();
      for (const stream of streams) await stream.until('event: next');

      const revoked = await graphql(
        graphqlUrl(a),
        'mutation($key: String!) { revokeApiKeys(input: { key: $key }) { ... on RevokeApiKeysSuccess { revokedCount } } }',
        { key },
        ADMIN,
      );
      expect(revoked.data?.revokeApiKeys).toEqual({ revokedCount: 1 });
      const [closes, ends] = await Promise.all([
        Promise.all(sessions.map((session) => within(session.closed, FEW_SECONDS, 'a close'))),
        Promise.all(streams.map((stream) => within(stream.end(), FEW_SECONDS, 'a stream end'))),
      ]);
      for (const closed of closes) {
        expect(closed).toEqual({ code: 4401, reason: 'Unauthorized: the API key was revoked' });
      }
      for (const text of ends) {
        expect(text).toContain('"code":"UNAUTHENTICATED"');
        expect(text.trimEnd()).toMatch(/event: complete\ndata:$/);
      }
      expect(await graphql(graphqlUrl(b), LIST_TASKS, undefined, key)).toMatchObject({
        errors: [{ extensions: { code: 'UNAUTHENTICATED' } }],
      });
    } finally {
      await Promise.all(sessions.map((session) => session.client.dispose()));
      await Promise.all(streams.map((stream) => stream.cancel()));
    }
  });
});
