import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import {
  CREATE_CHARACTER,
  type GraphQLResponse,
  graphql,
  TASK_UPDATED,
  wsClient,
} from './support/graphql.ts';

/**
 * Bounds on what clients can make the gateway hold or do (issue 17): WebSocket messages before and
 * after authentication, open subscriptions, metric labels, kie.ai calls for `credits`, and who may
 * read /metrics or call from a browser in production.
 */

const ACME = 'acme-key-0123456789abcdef';
const GLOBEX = 'globex-key-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789';

let t: TestGateway;
let production: TestGateway;
/** Tasks of acme and of globex that stay unfinished, so that subscriptions to them stay open. */
let pendingTask: string;
let globexTask: string;

beforeAll(async () => {
  t = await startTestGateway({
    // Tasks wait at kie.ai for ten minutes: their subscriptions stay open.
    emulator: { timing: { waitingMs: 600_000, queuingMs: 1, generatingMs: 1 } },
    env: {
      GATEWAY_API_KEYS: `acme:${ACME},globex:${GLOBEX}`,
      // The account's credits are for admin owners: both, so that each has a budget of reads.
      ADMIN_OWNERS: 'acme,globex',
      MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
      MAX_SUBSCRIPTIONS_PER_OWNER: '5',
      RATE_LIMIT_CREDITS_PER_MINUTE: '20',
    },
  });
  production = await startTestGateway({
    env: {
      NODE_ENV: 'production',
      GATEWAY_API_KEYS: `acme:${ACME}`,
      METRICS_TOKEN,
    },
  });
  const create = async (key: string) => {
    const input = { videoUrl: 'https://videos.example.com/slow.mp4' };
    const created = await graphql(t.graphqlUrl, CREATE_CHARACTER, { input }, key);
    return (created.data as any).createCharacter.task.id as string;
  };
  pendingTask = await create(ACME);
  globexTask = await create(GLOBEX);
});
afterAll(async () => {
  await t?.close();
  await production?.close();
});

/** A raw graphql-ws connection, for what the client library would not send. */
async function rawSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

const closeOf = (socket: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );

describe('graphql-ws messages', () => {
  it('before the key is accepted: closed with 1009 past 16 KB, even of a message still arriving', async () => {
    const socket = await rawSocket(t.wsUrl);
    const closed = closeOf(socket);
    // A connection_init that never ends: fragments of 8 KB, the last one never sent.
    const fragment = `{"type":"connection_init","payload":{"pad":"${'x'.repeat(8 * 1024)}`;
    for (let i = 0; i < 4; i++) socket.send(fragment, { fin: false });
    expect(await closed).toEqual({
      code: 1009,
      reason: 'more than 16384 bytes before connection_ack',
    });
  });

  it('after it: closed with 1009 past the 1 MB of an HTTP body', async () => {
    const socket = await rawSocket(t.wsUrl);
    const closed = closeOf(socket);
    const acked = new Promise((resolve) => socket.once('message', resolve));
    socket.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ACME}` } }),
    );
    expect(JSON.parse(String(await acked))).toEqual({ type: 'connection_ack' });
    socket.send(JSON.stringify({ type: 'ping', payload: { pad: 'x'.repeat(1_100_000) } }));
    expect((await closed).code).toBe(1009);
  });
});

interface Opened {
  /** The first message: the task as it is, or the refusal. */
  first: GraphQLResponse;
  stop(): void;
}

/** Subscribes to a pending task and waits for its first message. */
function follow(client: Client, id = pendingTask): Promise<Opened> {
  return new Promise((resolve, reject) => {
    let stop = () => {};
    stop = client.subscribe(
      { query: TASK_UPDATED, variables: { id } },
      {
        next: (first) => resolve({ first: first as GraphQLResponse, stop }),
        error: reject,
        complete: () => {},
      },
    );
  });
}

const refused = (limit: number, per: string) => ({
  message: `too many subscriptions: at most ${limit} may be open per ${per}; complete one first`,
  extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit, per },
});

describe('open subscriptions', () => {
  it('are capped per connection and per owner with a typed error, over graphql-ws and SSE', async () => {
    const [a, b, other] = [
      wsClient(t.wsUrl, ACME),
      wsClient(t.wsUrl, ACME),
      wsClient(t.wsUrl, GLOBEX),
    ];
    try {
      const onA = await Promise.all([follow(a), follow(a), follow(a)]);
      for (const { first } of onA) expect(first.data?.taskUpdated.state).toBeDefined();
      expect((await follow(a)).first.errors).toEqual([refused(3, 'connection')]);

      const onB = await Promise.all([follow(b), follow(b)]);
      for (const { first } of onB) expect(first.data?.taskUpdated.state).toBeDefined();
      // Five open for acme: a sixth is refused on any connection, and over SSE.
      expect((await follow(b)).first.errors).toEqual([refused(5, 'owner')]);
      const overSse = await fetch(t.graphqlUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ACME}`,
          accept: 'text/event-stream',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ query: TASK_UPDATED, variables: { id: pendingTask } }),
      });
      expect(await overSse.text()).toContain('"code":"TOO_MANY_SUBSCRIPTIONS"');

      // Another owner's count is its own.
      expect((await follow(other, globexTask)).first.data?.taskUpdated.state).toBeDefined();

      // Completing one frees its place.
      onA[0]?.stop();
      await expect
        .poll(async () => {
          const next = await follow(b);
          next.stop();
          return next.first.errors ?? 'open';
        })
        .toBe('open');
    } finally {
      await Promise.all([a.dispose(), b.dispose(), other.dispose()]);
    }
  });
});

describe('credits', () => {
  it('is read from kie.ai once for many concurrent fields, each field counting against the owner', async () => {
    const creditCalls = () => t.emulator.calls.filter((call) => call.route === 'credit').length;
    const before = creditCalls();
    const fields = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `c${i}: credits`).join(' ')} }`;
    // 300 fields at once; acme may read 20 a minute.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => graphql(t.graphqlUrl, fields(15), undefined, ACME)),
    );
    expect(creditCalls() - before).toBe(1);
    expect(answers.filter((answer) => answer.data).length).toBeLessThanOrEqual(1);
    for (const answer of answers.filter((each) => each.errors)) {
      expect(answer.errors?.[0]).toMatchObject({
        message: expect.stringMatching(
          /^credits may be read 20 times a minute per owner; retry after \d+ s$/,
        ),
        extensions: { code: 'RATE_LIMITED', perMinute: 20, retryAfterSeconds: expect.any(Number) },
      });
    }
    // Another owner's budget is its own, and every field of it counts: 15 and 5, then no more.
    expect((await graphql(t.graphqlUrl, fields(15), undefined, GLOBEX)).errors).toBeUndefined();
    expect((await graphql(t.graphqlUrl, fields(5), undefined, GLOBEX)).errors).toBeUndefined();
    const spent = await graphql(t.graphqlUrl, fields(1), undefined, GLOBEX);
    expect(spent.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // All of it from the one value read, within its five seconds.
    expect(creditCalls() - before).toBe(1);
  });
});

describe('GraphQL operation metrics', () => {
  it('are labelled by root field only, whatever names clients give their operations', async () => {
    const names = Array.from({ length: 40 }, (_, i) => `TenantSecretOperation${i}`);
    for (const name of names) {
      await graphql(t.graphqlUrl, `query ${name} { models { id } }`, undefined, ACME);
    }
    await graphql(
      t.graphqlUrl,
      'query Two { models { id } tasks { edges { cursor } } }',
      undefined,
      ACME,
    );
    const text = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(text).not.toContain('TenantSecretOperation');
    const labels = text
      .split('\n')
      .filter((line) => line.startsWith('gateway_graphql_operations_total{'))
      .map((line) => line.slice(0, line.lastIndexOf(' ')));
    expect(labels).toContain(
      'gateway_graphql_operations_total{type="query",field="models",outcome="ok"}',
    );
    expect(labels).toContain(
      'gateway_graphql_operations_total{type="query",field="multiple",outcome="ok"}',
    );
  });
});

describe('in production', () => {
  it('allows no browser origin when CORS_ORIGINS is unset', async () => {
    const preflight = await fetch(production.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const post = await fetch(production.graphqlUrl, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        authorization: `Bearer ${ACME}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ query: '{ models { id } }' }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves /metrics only with the metrics token', async () => {
    const metrics = (authorization?: string) =>
      fetch(`${production.gateway.url}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
    const anonymous = await metrics();
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({
      errors: [
        {
          message: '/metrics needs Authorization: Bearer <METRICS_TOKEN>',
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
    expect((await metrics(`Bearer ${ACME}`)).status).toBe(401);
    const allowed = await metrics(`Bearer ${METRICS_TOKEN}`);
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('gateway_graphql_operations_total');
  });
});
