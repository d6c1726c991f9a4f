import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookAnswer, WebhookTransport } from '@charanim/tasks';
import { allowedAddresses } from './address-policy.ts';

/** How much of an answer is read: enough for an excerpt, never a body an endpoint streams forever. */
const MAX_ANSWER_BYTES = 4_096;
/** How much of it is kept with the attempt. */
const EXCERPT_LENGTH = 300;

export interface TransportOptions {
  /** Each attempt's time limit, connection and answer included. */
  timeoutMs: number;
  /** Sends to loopback, private, link-local and CGNAT addresses too (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/**
 * Posts deliveries over node's http and https: the host is resolved and checked before each
 * send, and the socket connects to the address checked (a `lookup` that answers it), so that a
 * name resolving to a public address at the check and a private one at the connection gets
 * nowhere. Redirects are answers like any other (not followed), and at most 4 KB of an answer is
 * read.
 */
export function webhookTransport(options: TransportOptions): WebhookTransport {
  return {
    async check(url) {
      const checked = await allowedAddresses(url.hostname, options.allowPrivate);
      return 'refused' in checked ? checked.refused : undefined;
    },
    async post(target, headers, body) {
      const url = new URL(target);
      const checked = await allowedAddresses(url.hostname, options.allowPrivate);
      if ('refused' in checked) return { statusCode: null, excerpt: `refused: ${checked.refused}` };
      const [first] = checked.addresses;
      const pinned: LookupFunction = (_host, lookupOptions, callback) => {
        if (lookupOptions.all) callback(null, checked.addresses);
        else callback(null, first?.address ?? '', first?.family ?? 4);
      };
      return send(url, headers, body, pinned, options.timeoutMs);
    },
  };
}

function send(
  url: URL,
  headers: Record<string, string>,
  body: string,
  lookup: LookupFunction,
  timeoutMs: number,
): Promise<WebhookAnswer> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup,
      // A fresh connection each time: a kept-alive socket was connected to an address checked
      // before, and agents share sockets by host name.
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const text = Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
        resolve({ statusCode: res.statusCode ?? null, excerpt: text.slice(0, EXCERPT_LENGTH) });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_ANSWER_BYTES) done();
      });
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (error: Error & { code?: string }) => {
      const why =
        error.name === 'AbortError' || error.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : `connection failed: ${error.code ?? error.message}`;
      resolve({ statusCode: null, excerpt: why });
    });
    req.end(body);
  });
}
