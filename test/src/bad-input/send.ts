/** Sends probes to the gateway, a few at a time, and reads what became of each. */
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { MAX_VIDEO_BYTES } from '@charanim/provider';
import WebSocket from 'ws';
import type { TestGateway } from '../support/gateway.ts';
import type { Outcome, Probe, Result, Send } from './probes.ts';
import { KEY } from './requests.ts';

/** How long a probe may go unanswered before it counts as `no-answer`. */
const ANSWER_MS = 8_000;
/** How long a raw probe that is deliberately incomplete waits before giving up. */
const INCOMPLETE_MS = 1_200;
const CONCURRENCY = 16;

function sendHttp(send: Extract<Send, { kind: 'http' }>, port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const headers: OutgoingHttpHeaders = { connection: 'close', ...send.headers };
    if (send.body !== undefined && !send.chunked && headers['content-length'] === undefined) {
      headers['content-length'] = Buffer.byteLength(send.body);
    }
    const request = httpRequest(
      { host: '127.0.0.1', port, method: send.method, path: send.path, headers, agent: false },
      (response) => {
        const status = response.statusCode ?? 0;
        // An event stream may stay open: its status is all that counts.
        if ((response.headers['content-type'] ?? '').includes('text/event-stream')) {
          response.destroy();
          return settle(status);
        }
        response.on('data', () => {});
        response.on('end', () => settle(status));
        response.on('error', () => settle(status));
        response.on('close', () => settle(status));
      },
    );
    request.setTimeout(ANSWER_MS, () => {
      settle('no-answer');
      request.destroy();
    });
    request.on('error', () => settle('closed'));
    if (send.chunked && send.body !== undefined) {
      const body = Buffer.from(send.body);
      for (let offset = 0; offset < body.length; offset += 64 * 1024) {
        request.write(body.subarray(offset, offset + 64 * 1024));
      }
      request.end();
    } else {
      request.end(send.body);
    }
  });
}

function sendRaw(send: Extract<Send, { kind: 'raw' }>, port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    let received = '';
    const socket = connect(port, '127.0.0.1');
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => settle('no-answer'),
      send.incomplete ? INCOMPLETE_MS : ANSWER_MS,
    );
    socket.on('connect', () => {
      socket.write(send.bytes);
      if (send.incomplete) socket.end();
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      if (status) settle(Number(status[1]));
      else if (received.includes('\r\n') || received.length > 64) settle('not-http');
    });
    socket.on('error', () => settle('closed'));
    socket.on('close', () => settle('closed'));
  });
}

/**
 * A graphql-ws connection: `connection_init` with `payload`, then, once acknowledged, `messages`.
 * The outcome is the server's close code, or `ws:<type>` of its last message when it kept the
 * connection open (we close it then).
 */
function sendWs(send: Extract<Send, { kind: 'ws' }>, wsUrl: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    let last = 'none';
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      settle(`ws:${last}`);
      socket.terminate();
    }, ANSWER_MS);
    let quiet: NodeJS.Timeout | undefined;
    socket.on('open', () => {
      socket.send(
        JSON.stringify({
          type: 'connection_init',
          ...(send.payload !== undefined && { payload: send.payload }),
        }),
      );
    });
    socket.on('message', (data) => {
      let type = 'unreadable';
      try {
        type = String(JSON.parse(String(data)).type);
      } catch {
        // reported as unreadable
      }
      last = type;
      if (type === 'connection_ack') {
        if (!send.messages?.length) {
          settle('ws:ack');
          socket.close(1000);
          return;
        }
        for (const message of send.messages) socket.send(message);
      }
      // Whatever the server had to say has been said once it is quiet for a moment.
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        settle(`ws:${last}`);
        socket.close(1000);
      }, 500);
    });
    socket.on('close', (code) => {
      clearTimeout(quiet);
      settle(`ws:${code}`);
    });
    socket.on('error', () => {});
  });
}

async function sendUpload(
  send: Extract<Send, { kind: 'upload' }>,
  graphqlUrl: string,
): Promise<Outcome> {
  try {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: send.form(),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 'closed';
  }
}

/** What the probes send, in bytes, to keep the barrage modest. */
export function sentBytes(probes: Probe[]): number {
  let total = 0;
  for (const { send } of probes) {
    if (send.kind === 'http') total += send.body === undefined ? 0 : Buffer.byteLength(send.body);
    else if (send.kind === 'raw') total += send.bytes.length;
    else if (send.kind === 'ws') total += (send.messages ?? []).join('').length;
    else total += MAX_VIDEO_BYTES + 1;
  }
  return total;
}

export async function runAll(probes: Probe[], t: TestGateway): Promise<Result[]> {
  const port = Number(new URL(t.gateway.url).port);
  const results: Result[] = new Array(probes.length);
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const index = next++;
      const probe = probes[index] as Probe;
      const { send } = probe;
      const outcome =
        send.kind === 'http'
          ? await sendHttp(send, port)
          : send.kind === 'raw'
            ? await sendRaw(send, port)
            : send.kind === 'ws'
              ? await sendWs(send, t.wsUrl)
              : await sendUpload(send, t.graphqlUrl);
      results[index] = { probe, outcome };
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}
