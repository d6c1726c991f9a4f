import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.ts';
import { GatewayError, subscriptionError, UnreachableError } from '../src/errors.ts';
import { Task, TaskUpdated } from '../src/operations.ts';

/** A port nothing listens on: one the system gave a server that has closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('an unreachable gateway', () => {
  it('is an UnreachableError with the system code, over HTTP and over graphql-ws alike', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/graphql`;
    const client = createClient({ endpoint });
    const overHttp = await client.request(Task, { id: 'VGFzazox' }).catch((error) => error);
    const overWs = await client
      .subscribe(TaskUpdated, { id: 'VGFzazox' })
      .next()
      .catch((error) => error);
    await client.dispose();
    for (const failure of [overHttp, overWs]) {
      expect(failure).toBeInstanceOf(UnreachableError);
      expect(failure).toMatchObject({ endpoint, reason: 'ECONNREFUSED' });
      expect(failure.message).toBe(`cannot reach ${endpoint}: ECONNREFUSED`);
    }
  });

  it('names a refused WebSocket upgrade by what the server answered', async () => {
    const server = createServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const client = createClient({ endpoint });
    const failure = await client
      .subscribe(TaskUpdated, { id: 'VGFzazox' })
      .next()
      .catch((error) => error);
    await client.dispose();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(failure).toBeInstanceOf(UnreachableError);
    expect(failure.message).toBe(`cannot reach ${endpoint}: Unexpected server response: 404`);
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
