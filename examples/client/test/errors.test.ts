import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.ts';
import {
  GatewayError,
  NotGraphQLError,
  subscriptionError,
  UnreachableError,
} from '../src/errors.ts';
import { Task, TaskUpdated } from '../src/operations.ts';

/** A port nothing listens on: one the system gave a server that has closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What a request over HTTP and a subscription over graphql-ws throw at `endpoint`. */
async function failuresAt(endpoint: string) {
  const client = createClient({ endpoint });
  const overHttp = await client.request(Task, { id: 'VGFzazox' }).catch((error) => error);
  const overWs = await client
    .subscribe(TaskUpdated, { id: 'VGFzazox' })
    .next()
    .catch((error) => error);
  await client.dispose();
  return { overHttp, overWs };
}

describe('an unreachable gateway', () => {
  it('is an UnreachableError with the system code, over HTTP and over graphql-ws alike', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/graphql`;
    const { overHttp, overWs } = await failuresAt(endpoint);
    for (const failure of [overHttp, overWs]) {
      expect(failure).toBeInstanceOf(UnreachableError);
      expect(failure).toMatchObject({ endpoint, reason: 'ECONNREFUSED' });
      expect(failure.message).toBe(`cannot reach ${endpoint}: ECONNREFUSED`);
    }
  });

  it('names a refused WebSocket upgrade by what the server answered', async () => {
    const server = await answering(502, 'text/html', '<h1>Bad Gateway</h1>');
    const endpoint = `${server.url}/graphql`;
    const { overWs } = await failuresAt(endpoint);
    await server.close();
    expect(overWs).toBeInstanceOf(UnreachableError);
    expect(overWs.message).toBe(`cannot reach ${endpoint}: Unexpected server response: 502`);
  });
});

/** A server that answers every request, upgrades too, with `status` and `body`. */
async function answering(status: number, contentType: string, body: string) {
  const server = createServer((_request, response) =>
    response.writeHead(status, { 'content-type': contentType }).end(body),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('an endpoint that does not answer GraphQL', () => {
  it.each([
    ['a 404 at the root', 404, 'text/plain', '', ''],
    ['a 404 at a GraphQL path', 404, 'text/plain', '', '/graphql/'],
    ['JSON of another kind', 200, 'application/json', '{"status":"ok"}', '/health'],
  ])(
    'says the URL should end in /graphql for %s, over HTTP and graphql-ws',
    async (_name, status, type, body, path) => {
      const server = await answering(status, type, body);
      const endpoint = `${server.url}${path}`;
      const { overHttp, overWs } = await failuresAt(endpoint);
      await server.close();
      expect(overHttp).toBeInstanceOf(NotGraphQLError);
      expect(overHttp).toMatchObject({ endpoint, status });
      expect(overHttp.message).toBe(
        `${endpoint} is not a GraphQL endpoint (it answered HTTP ${status}): the URL should end in /graphql, e.g. ${server.url}/graphql`,
      );
      expect(overWs).toBeInstanceOf(NotGraphQLError);
    },
  );

  it('keeps what a GraphQL path answered when it is no 404, such as a proxy’s error page', async () => {
    const server = await answering(502, 'text/html', '<h1>Bad Gateway</h1>');
    const client = createClient({ endpoint: `${server.url}/graphql` });
    const failure = await client.request(Task, { id: 'VGFzazox' }).catch((error) => error);
    await server.close();
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ status: 502, message: 'HTTP 502: <h1>Bad Gateway</h1>' });
  });
});

describe('subscriptionError', () => {
  const endpoint = 'http://127.0.0.1:4000/graphql';

  it('reads a close event as a GatewayError with its code', () => {
    expect(subscriptionError({ code: 4401, reason: 'Unauthorized' }, endpoint)).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Unauthorized',
    });
    const closed = subscriptionError({ code: 1011, reason: '' }, endpoint);
    expect(closed).toBeInstanceOf(GatewayError);
    expect(closed).toMatchObject({
      code: 'CLOSED_1011',
      message: 'the connection closed with code 1011',
    });
  });

  it('never answers [object Object]', () => {
    const errorEvent = { type: 'error', message: 'socket hang up', error: new Error('') };
    expect(subscriptionError(errorEvent, endpoint).message).toBe(
      `cannot reach ${endpoint}: socket hang up`,
    );
    expect(subscriptionError({ type: 'error' }, endpoint).message).toBe(
      `cannot reach ${endpoint}: the WebSocket connection failed`,
    );
    expect(subscriptionError([{ message: 'bad' }], endpoint).message).toBe('bad');
  });
});
