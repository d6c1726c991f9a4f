import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedAddresses, refusedAddress } from '../src/webhooks/address-policy.ts';
import { webhookTransport } from '../src/webhooks/transport.ts';

describe('the address policy', () => {
  it('refuses every address that is not public unicast, IPv4 and IPv6', () => {
    const refused = {
      '127.0.0.1': 'loopback',
      '10.1.2.3': 'private',
      '172.16.0.1': 'private',
      '192.168.0.1': 'private',
      '169.254.169.254': 'linkLocal',
      '100.64.0.1': 'carrierGradeNat',
      '0.0.0.0': 'unspecified',
      '224.0.0.1': 'multicast',
      '::1': 'loopback',
      '::': 'unspecified',
      'fe80::1': 'linkLocal',
      'fd12:3456::1': 'uniqueLocal',
      '::ffff:10.0.0.1': 'private',
      '::ffff:169.254.169.254': 'linkLocal',
    };
    for (const [address, range] of Object.entries(refused)) {
      expect(refusedAddress(address), address).toBe(range);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) {
      expect(refusedAddress(address), address).toBeUndefined();
    }
  });

  it('resolves a name and judges every address it has', async () => {
    expect(await allowedAddresses('localhost', false)).toEqual({
      refused: expect.stringMatching(/^localhost resolves to .*, which is a loopback address/),
    });
    expect(await allowedAddresses('localhost', true)).toMatchObject({
      addresses: expect.arrayContaining([expect.objectContaining({ family: expect.any(Number) })]),
    });
    expect(await allowedAddresses('[::1]', false)).toEqual({
      refused: '::1 is a loopback address (WEBHOOK_ALLOW_PRIVATE is off)',
    });
    expect(await allowedAddresses('no-such-host.invalid', true)).toEqual({
      refused: expect.stringMatching(/^no-such-host\.invalid does not resolve/),
    });
  });
});

describe('the transport', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  async function serve(listener: RequestListener): Promise<string> {
    server = createServer(listener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }
  const open = webhookTransport({ timeoutMs: 300, allowPrivate: true });

  it('sends nothing to a private address unless allowed', async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests += 1;
      res.end('ok');
    });
    const closed = webhookTransport({ timeoutMs: 300, allowPrivate: false });
    expect(await closed.post(url, {}, '{}')).toEqual({
      statusCode: null,
      excerpt: 'refused: 127.0.0.1 is a loopback address (WEBHOOK_ALLOW_PRIVATE is off)',
    });
    expect(requests).toBe(0);
    expect(await open.post(url, {}, '{}')).toEqual({ statusCode: 200, excerpt: 'ok' });
  });

  it('follows no redirect', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/' }).end('moved');
    });
    expect(await open.post(url, {}, '{}')).toEqual({ statusCode: 302, excerpt: 'moved' });
  });

  it('reads a few KB of an answer at most, and keeps a short excerpt', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      // An endless answer: the transport stops reading it.
      const chunk = 'x'.repeat(1024);
      const write = () => {
        while (res.write(chunk)) {}
        res.once('drain', write);
      };
      write();
    });
    const answer = await open.post(url, {}, '{}');
    expect(answer).toEqual({ statusCode: 200, excerpt: 'x'.repeat(300) });
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    const url = await serve(() => {
      // Never answers.
    });
    expect(await open.post(url, {}, '{}')).toEqual({
      statusCode: null,
      excerpt: 'no answer within 300 ms',
    });
  });
});
