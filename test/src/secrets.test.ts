import { signWebhook } from '@charanim/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { successBody } from './support/callbacks.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import {
  startTestGateway,
  TEST_API_KEY,
  TEST_HMAC_KEY,
  type TestGateway,
} from './support/gateway.ts';
import { CREATE_CHARACTER, collect, graphql, TASK_UPDATED, wsClient } from './support/graphql.ts';
import { fixture } from './support/upload.ts';

/**
 * A whole working day at debug level, with every secret configured and every path that handles
 * one exercised (keys right, wrong and missing; signed, forged and failed calls): not one secret
 * may reach the log.
 */

const ALICE_KEY = 'alice-secret-key-7f3a9c1e5b2d4086';
const BOB_KEY = 'bob-secret-key-0c8e2a6f4d1b3957e';
/** Put into the database URL when the test server takes any password (trust authentication). */
const DB_PASSWORD = 'db-secret-password-5e1d9a73c4';

let t: TestGateway;
let database: TestDatabase | undefined;
let databasePassword: string | undefined;

beforeAll(async () => {
  const env: Record<string, string> = {
    GATEWAY_API_KEYS: `alice:${ALICE_KEY}, bob:${BOB_KEY}`,
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '3',
    // Admins, so that their credits queries reach kie.ai and its failures are logged.
    ADMIN_OWNERS: 'alice,bob',
    LOG_LEVEL: 'debug',
  };
  if (process.env.TEST_DATABASE !== 'pglite') {
    // The gateway's DATABASE_URL carries a password: the server's own, or one it ignores.
    database = await createTestDatabase();
    const url = new URL(database.url);
    if (!url.password) url.password = DB_PASSWORD;
    databasePassword = decodeURIComponent(url.password);
    env.DATABASE_URL = url.toString();
  }
  t = await startTestGateway({
    env,
    emulator: { timing: { waitingMs: 50, queuingMs: 50, generatingMs: 50 } },
  });
});

afterAll(async () => {
  await t?.close();
  await database?.drop();
});

const asAlice = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, ALICE_KEY);
const asBob = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, BOB_KEY);

describe('secrets in the log', () => {
  it('never writes a key, the webhook secret or the database password, at debug level', async () => {
    // A create by URL, followed over graphql-ws to SUCCESS.
    const created = await asAlice(CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/owl.mp4', prompt: 'A wise owl' },
    });
    const task = (created.data as any).createCharacter.task;
    expect(task.state).toBe('WAITING');
    const alice = wsClient(t.wsUrl, ALICE_KEY);
    const updates = await collect(alice, TASK_UPDATED, { id: task.id });
    await alice.dispose();
    expect(updates.at(-1)?.data?.taskUpdated.state).toBe('SUCCESS');

    // A create by upload.
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: CREATE_CHARACTER,
        variables: { input: { video: null, prompt: 'An uploaded fox' } },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.input.video'] }));
    form.append('0', new Blob([fixture('clip-2s.mp4')], { type: 'video/mp4' }), 'fox.mp4');
    const uploaded = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOB_KEY}` },
      body: form,
    });
    expect(uploaded.status).toBe(200);
    expect((await uploaded.json()).data.createCharacter.__typename).toBe('CreateCharacterSuccess');

    // A burst over alice her budget of three a minute (she has spent one).
    const burst: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await asAlice(CREATE_CHARACTER, {
        input: { videoUrl: `https://videos.example.com/burst-${i}.mp4` },
      });
      burst.push((answer.data as any).createCharacter.__typename);
    }
    expect(burst.filter((name) => name === 'RateLimitedError')).toHaveLength(3);

    // A wrong key and no key, over HTTP and graphql-ws.
    for (const headers of [
      { authorization: `Bearer ${ALICE_KEY}-wrong` },
      { authorization: 'Bearer not-a-key-at-all-000000' },
      {},
    ] as Record<string, string>[]) {
      const refused = await fetch(t.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ credits }' }),
      });
      expect(refused.status).toBe(401);
    }
    const closed = await new Promise<number>((resolve) => {
      const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
      socket.on('open', () =>
        socket.send(
          JSON.stringify({
            type: 'connection_init',
            payload: { authorization: `Bearer ${BOB_KEY}x` },
          }),
        ),
      );
      socket.on('close', (code) => resolve(code));
    });
    expect(closed).toBe(4401);

    // Forged callbacks: signed with another key, stale, and unsigned.
    const providerTaskId = task.providerTaskId as string;
    const body = successBody(providerTaskId);
    const now = Math.floor(Date.now() / 1000);
    for (const headers of [
      {
        'x-webhook-timestamp': String(now),
        'x-webhook-signature': signWebhook(providerTaskId, now, `${TEST_HMAC_KEY}-not`),
      },
      {
        'x-webhook-timestamp': String(now - 3_600),
        'x-webhook-signature': signWebhook(providerTaskId, now - 3_600, TEST_HMAC_KEY),
      },
      {},
    ] as Record<string, string>[]) {
      const forged = await fetch(t.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(forged.status).toBe(401);
    }

    // kie.ai refuses our API key.
    t.emulator.failNext('createTask', {
      code: 401,
      msg: 'You do not have access permissions: the API key is invalid',
    });
    const refused = await asBob(CREATE_CHARACTER, {
      input: { videoUrl: 'https://videos.example.com/refused.mp4' },
    });
    expect((refused.data as any).createCharacter).toMatchObject({
      __typename: 'ProviderError',
    });

    // The credits query fails: refused, then a server error.
    t.emulator.failNext('credit', { code: 401, msg: 'You do not have access permissions' });
    const noCredits = await asAlice('{ credits }');
    expect(noCredits.errors?.length).toBeGreaterThan(0);
    // The client retries a server error: every attempt fails.
    t.emulator.failNext('credit', { code: 500, msg: 'Server error', httpStatus: 500 }, 10);
    const brokenCredits = await asBob('{ credits }');
    expect(brokenCredits.errors?.length).toBeGreaterThan(0);

    // The log says a lot, at debug level too...
    const log = t.logs.join('\n');
    expect(t.logs.length).toBeGreaterThan(20);
    const levels = t.logs.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(levels.filter((level) => level === 20).length).toBeGreaterThan(5);
    expect(levels.some((level) => level >= 40)).toBe(true);
    expect(log).toContain('callback refused');
    expect(log).toContain('kie.ai createTask failed');

    // ...and not one secret, as it is or base64-encoded.
    const secrets: Record<string, string> = {
      'alice her API key': ALICE_KEY,
      'bob his API key': BOB_KEY,
      'the kie.ai API key': TEST_API_KEY,
      'the webhook HMAC key': TEST_HMAC_KEY,
      ...(databasePassword && { 'the database password': databasePassword }),
    };
    const leaks = Object.entries(secrets).flatMap(([name, secret]) =>
      [secret, Buffer.from(secret).toString('base64')]
        .filter((form) => log.includes(form))
        .map((form) => `${name} (${form === secret ? 'as is' : 'base64'}) in: ${lineWith(form)}`),
    );
    expect(leaks).toEqual([]);
  });
});

function lineWith(text: string): string {
  return (t.logs.find((line) => line.includes(text)) ?? '').slice(0, 500);
}
