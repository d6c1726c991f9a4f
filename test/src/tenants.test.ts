import { createApiKey, revokeApiKeys } from '@charanim/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, collect, graphql, TASK_UPDATED, wsClient } from './support/graphql.ts';
import { waitFor } from './support/wait.ts';

const ALICE = 'alice-key-0123456789';
const BOB = 'bob-key-0123456789abc';

let t: TestGateway;
let aliceTask: { id: string; providerTaskId: string };
let aliceCharacter: string;

const asAlice = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, ALICE);
const asBob = (query: string, variables?: Record<string, unknown>) =>
  graphql(t.graphqlUrl, query, variables, BOB);

const input = {
  videoUrl: 'https://videos.example.com/alice.mp4',
  prompt: 'Alice her secret owl',
  idempotencyKey: 'shared-key',
};

beforeAll(async () => {
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `alice:${ALICE}, bob:${BOB}`, RATE_LIMIT_MUTATIONS_PER_MINUTE: '8' },
    emulator: { timing: { waitingMs: 20, queuingMs: 20, generatingMs: 20 } },
  });
  const created = await asAlice(CREATE_CHARACTER, { input });
  aliceTask = (created.data as any).createCharacter.task;
  await waitFor(async () => {
    const read = await asAlice('query($id: ID!) { task(id: $id) { state character { id } } }', {
      id: aliceTask.id,
    });
    aliceCharacter = (read.data as any)?.task?.character?.id;
    return aliceCharacter !== undefined;
  });
});
afterAll(async () => {
  await t?.close();
});

describe('API keys', () => {
  it('answers a request without a key, or with an unknown one, with 401', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer nobody-knows-this-key' },
      { authorization: ALICE },
    ];
    for (const headers of attempts) {
      const response = await fetch(t.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ tasks { edges { node { id } } } }' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect((await response.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('closes a graphql-ws connection without a valid key with 4401', async () => {
    for (const params of [undefined, { authorization: 'Bearer wrong' }]) {
      const code = await new Promise<number>((resolve) => {
        const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
        socket.on('open', () =>
          socket.send(
            JSON.stringify({ type: 'connection_init', ...(params && { payload: params }) }),
          ),
        );
        socket.on('close', (closeCode) => resolve(closeCode));
      });
      expect(code).toBe(4401);
    }
  });

  it('serves the GraphiQL page without a key, so a person can enter one there', async () => {
    const page = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
  });

  it('takes keys from the database, and forgets revoked ones', async () => {
    const { key } = await createApiKey(t.gateway.database.db, 'carol');
    const listed = await graphql(
      t.graphqlUrl,
      '{ tasks { edges { node { id } } } }',
      undefined,
      key,
    );
    expect(listed).toEqual({ data: { tasks: { edges: [] } } });
    await revokeApiKeys(t.gateway.database.db, { key });
    const refused = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ credits }' }),
    });
    expect(refused.status).toBe(401);
  });
});

describe('every entry point is scoped to its owner', () => {
  it('shows alice her own task and character', async () => {
    const read = await asAlice(
      'query($t: ID!, $c: ID!) { task(id: $t) { id } node(id: $c) { id } character(id: $c) { id } tasks { edges { node { id } } } characters(search: "owl") { edges { node { id } } } }',
      { t: aliceTask.id, c: aliceCharacter },
    );
    expect(read.data).toEqual({
      task: { id: aliceTask.id },
      node: { id: aliceCharacter },
      character: { id: aliceCharacter },
      tasks: { edges: [{ node: { id: aliceTask.id } }] },
      characters: { edges: [{ node: { id: aliceCharacter } }] },
    });
  });

  it('shows bob nothing of alice, exactly as if it did not exist', async () => {
    const read = await asBob(
      'query($t: ID!, $c: ID!) { task(id: $t) { id } taskNode: node(id: $t) { id } node(id: $c) { id } character(id: $c) { id } tasks { edges { node { id } } } characters { edges { node { id } } } search: characters(search: "owl") { edges { node { id } } } }',
      { t: aliceTask.id, c: aliceCharacter },
    );
    expect(read).toEqual({
      data: {
        task: null,
        taskNode: null,
        node: null,
        character: null,
        tasks: { edges: [] },
        characters: { edges: [] },
        search: { edges: [] },
      },
    });
  });

  it('refuses bob a subscription to alice her task as an unknown id', async () => {
    const bob = wsClient(t.wsUrl, BOB);
    const updates = await collect(bob, TASK_UPDATED, { id: aliceTask.id });
    await bob.dispose();
    expect(updates).toEqual([
      { errors: [expect.objectContaining({ message: `No task has the id ${aliceTask.id}` })] },
    ]);
    const alice = wsClient(t.wsUrl, ALICE);
    const own = await collect(alice, TASK_UPDATED, { id: aliceTask.id });
    await alice.dispose();
    expect(own.at(-1)?.data?.taskUpdated.state).toBe('SUCCESS');
  });

  it('keeps idempotency keys apart: the same key is bob his own', async () => {
    const bobs = await asBob(CREATE_CHARACTER, { input: { ...input, prompt: 'Bob his owl' } });
    expect((bobs.data as any).createCharacter.__typename).toBe('CreateCharacterSuccess');
    expect((bobs.data as any).createCharacter.task.id).not.toBe(aliceTask.id);
    const again = await asAlice(CREATE_CHARACTER, { input });
    expect((again.data as any).createCharacter.task.id).toBe(aliceTask.id);
  });
});

describe('the mutation rate limit', () => {
  it('answers a key over its budget with RateLimitedError, and leaves other keys alone', async () => {
    const query = `mutation($input: CreateCharacterInput!) { createCharacter(input: $input) { __typename ... on RateLimitedError { message retryAfterSeconds } } }`;
    const results: string[] = [];
    let limited: any;
    for (let i = 0; i < 10; i++) {
      const answer = await asAlice(query, {
        input: { videoUrl: 'https://videos.example.com/x.mp4', prompt: `n${i}` },
      });
      const result = (answer.data as any).createCharacter;
      results.push(result.__typename);
      if (result.__typename === 'RateLimitedError') limited = result;
    }
    // alice made two mutations before (one of them repeated): eight a minute leaves her six here.
    expect(results.filter((name) => name === 'CreateCharacterSuccess')).toHaveLength(6);
    expect(results.slice(6)).toEqual([
      'RateLimitedError',
      'RateLimitedError',
      'RateLimitedError',
      'RateLimitedError',
    ]);
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(limited.message).toMatch(/retry after \d+ s/);
    const bob = await asBob(query, { input: { videoUrl: 'https://videos.example.com/y.mp4' } });
    expect((bob.data as any).createCharacter.__typename).toBe('CreateCharacterSuccess');
  });
});
