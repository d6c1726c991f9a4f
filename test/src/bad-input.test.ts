import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { apiKeys, callbackEvents, characters, tasks } from '@charanim/db';
import { MAX_VIDEO_BYTES, signWebhook } from '@charanim/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestGateway, TEST_HMAC_KEY, type TestGateway } from './support/gateway.ts';
import { CREATE_CHARACTER, graphql } from './support/graphql.ts';
import { fixture } from './support/upload.ts';
import { waitFor } from './support/wait.ts';

/**
 * A barrage of malformed requests, generated from a seeded PRNG so that a run can be replayed
 * (`BAD_INPUT_SEED=n`; `BAD_INPUT_VERBOSE=1` prints every request and its answer): no answer may
 * be a 5xx, the process must stay up, and the database must be exactly as it was before.
 */

const SEED = Number(process.env.BAD_INPUT_SEED ?? 20_240_611);
const KEY = 'acme-key-0123456789abcdef';
const OTHER_KEY = 'acme-key-0123456789abcdeg';
/** How long a probe may go unanswered before it counts as `no-answer`. */
const ANSWER_MS = 8_000;
/** How long a raw probe that is deliberately incomplete waits before giving up. */
const INCOMPLETE_MS = 1_200;
const CONCURRENCY = 16;

// ---------------------------------------------------------------------------------------------
// A small seeded PRNG (mulberry32) and helpers.

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  word(min = 3, max = 12): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const rest = `${letters}ABCDEFGHIJ0123456789_`;
    let out = letters[this.int(26)] as string;
    const length = this.range(min, max);
    while (out.length < length) out += rest[this.int(rest.length)];
    return out;
  }
  uuid(): string {
    const hex = this.bytes(16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');

// ---------------------------------------------------------------------------------------------
// Probes: what is sent, and how.

type Category =
  | 'invalid-json'
  | 'wrong-types'
  | 'unknown-fields'
  | 'huge-documents'
  | 'deep-documents'
  | 'invalid-utf8'
  | 'content-type'
  | 'get-params'
  | 'multipart'
  | 'oversize'
  | 'forged-callbacks'
  | 'replayed-callbacks'
  | 'api-keys'
  | 'ids-cursors'
  | 'methods-paths'
  | 'protocol';

/**
 * An HTTP status, `closed` (the server closed without an answer), `not-http` (it answered
 * something else), `no-answer`, or for graphql-ws
 * `ws:<close code>` or `ws:<type of the last message>`.
 */
type Outcome = number | 'closed' | 'not-http' | 'no-answer' | `ws:${string}`;

type Send =
  | {
      kind: 'http';
      method: string;
      path: string;
      headers?: OutgoingHttpHeaders;
      body?: string | Buffer;
      /** Send the body with chunked transfer encoding instead of a content-length. */
      chunked?: boolean;
    }
  | {
      kind: 'raw';
      /** The bytes sent, as written on the socket. */
      bytes: Buffer;
      /** Ends our side after writing (a truncated request), and waits at most INCOMPLETE_MS. */
      incomplete?: boolean;
    }
  | { kind: 'ws'; payload: unknown; messages?: string[] }
  | { kind: 'upload'; form: () => FormData };

interface Probe {
  category: Category;
  name: string;
  send: Send;
}

interface Result {
  probe: Probe;
  outcome: Outcome;
}

function describeProbe({ category, name, send }: Probe): string {
  const detail =
    send.kind === 'http'
      ? `${send.method} ${send.path.slice(0, 120)} ${JSON.stringify(send.headers ?? {}).slice(0, 200)} body=${String(send.body ?? '').slice(0, 300)}`
      : send.kind === 'raw'
        ? JSON.stringify(send.bytes.subarray(0, 300).toString('latin1'))
        : send.kind === 'ws'
          ? `init ${String(JSON.stringify(send.payload)).slice(0, 100)} then ${JSON.stringify(send.messages ?? []).slice(0, 200)}`
          : 'multipart upload';
  return `[${category}] ${name}: ${detail}`;
}

let port = 0;

function sendHttp(send: Extract<Send, { kind: 'http' }>): Promise<Outcome> {
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

function sendRaw(send: Extract<Send, { kind: 'raw' }>): Promise<Outcome> {
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
function sentBytes(probes: Probe[]): number {
  let total = 0;
  for (const { send } of probes) {
    if (send.kind === 'http') total += send.body === undefined ? 0 : Buffer.byteLength(send.body);
    else if (send.kind === 'raw') total += send.bytes.length;
    else if (send.kind === 'ws') total += (send.messages ?? []).join('').length;
    else total += MAX_VIDEO_BYTES + 1;
  }
  return total;
}

async function runAll(probes: Probe[], t: TestGateway): Promise<Result[]> {
  const results: Result[] = new Array(probes.length);
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const index = next++;
      const probe = probes[index] as Probe;
      const { send } = probe;
      const outcome =
        send.kind === 'http'
          ? await sendHttp(send)
          : send.kind === 'raw'
            ? await sendRaw(send)
            : send.kind === 'ws'
              ? await sendWs(send, t.wsUrl)
              : await sendUpload(send, t.graphqlUrl);
      results[index] = { probe, outcome };
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------
// Building blocks of requests.

const auth = { authorization: `Bearer ${KEY}` };
const json = { 'content-type': 'application/json' };

const post = (body: string | Buffer, headers: OutgoingHttpHeaders = {}): Send => ({
  kind: 'http',
  method: 'POST',
  path: '/graphql',
  headers: { ...json, ...auth, ...headers },
  body,
});

const operation = (query: string, variables?: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ query, ...(variables !== undefined && { variables }), ...extra });

/** Read-only operations: whatever becomes of a malformed request around them, nothing is written. */
const READ_ONLY = [
  '{ credits }',
  '{ tasks(first: 2) { edges { node { id state } } } }',
  '{ characters(first: 1) { edges { cursor node { id prompt } } } }',
  '{ __typename }',
  'query Q { tasks(state: SUCCESS) { pageInfo { hasNextPage endCursor } } }',
];

/** A create whose URL fails validation: even if a mangled copy parses, it writes nothing. */
const INVALID_CREATE = operation(CREATE_CHARACTER, {
  input: { videoUrl: 'ftp://videos.example.com/x.mp4', prompt: 'never stored' },
});

const CREATE_VALID_URL = 'https://videos.example.com/barrage.mp4';

function rawRequest(
  head: string,
  body: Buffer | string = '',
  options: { incomplete?: boolean } = {},
): Send {
  return {
    kind: 'raw',
    bytes: Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]),
    ...(options.incomplete && { incomplete: true }),
  };
}

/** A raw POST with correct framing; the body bytes are sent exactly as given. */
function rawPost(path: string, body: Buffer, headers: string[] = []): Send {
  const head = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    `Content-Length: ${body.length}`,
    ...headers,
    '',
    '',
  ].join('\r\n');
  return rawRequest(head, body);
}

interface Part {
  name?: string;
  filename?: string;
  type?: string;
  data: string | Buffer;
  /** Replaces the part's header lines. */
  headers?: string;
}

function multipartBody(parts: Part[], boundary: string, close = true, eol = '\r\n'): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.headers ??
      [
        `Content-Disposition: form-data${part.name === undefined ? '' : `; name="${part.name}"`}${part.filename === undefined ? '' : `; filename="${part.filename}"`}`,
        ...(part.type ? [`Content-Type: ${part.type}`] : []),
      ].join(eol);
    chunks.push(Buffer.from(`--${boundary}${eol}${disposition}${eol}${eol}`, 'latin1'));
    chunks.push(Buffer.from(part.data));
    chunks.push(Buffer.from(eol));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--${eol}`));
  return Buffer.concat(chunks);
}

const multipart = (body: Buffer, boundary: string | undefined, headers = {}): Send => ({
  kind: 'http',
  method: 'POST',
  path: '/graphql',
  headers: {
    ...auth,
    'content-type':
      boundary === undefined ? 'multipart/form-data' : `multipart/form-data; boundary=${boundary}`,
    ...headers,
  },
  body,
});

function callbackBody(providerTaskId: unknown, state = 'success', characterId = 'char_x'): string {
  return JSON.stringify({
    code: state === 'success' ? 200 : 501,
    msg: state === 'success' ? 'Playground task completed successfully.' : 'failed',
    data: {
      taskId: providerTaskId,
      model: 'sora-2-characters',
      state,
      resultJson: state === 'success' ? JSON.stringify({ character_id: characterId }) : '',
      failCode: state === 'success' ? '' : '500',
      failMsg: state === 'success' ? '' : 'forged failure',
    },
  });
}

const now = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------
// The state the barrage must leave alone.

interface RealTask {
  /** Our row id. */
  id: string;
  globalId: string;
  providerTaskId: string;
  /** The signed callback that completed it, byte for byte. */
  callback: string;
  characterGlobalId: string;
}

async function snapshot(t: TestGateway): Promise<Record<string, { rows: number; sha256: string }>> {
  const { db } = t.gateway.database;
  const tables = {
    tasks: await db.select().from(tasks).orderBy(tasks.id),
    characters: await db.select().from(characters).orderBy(characters.id),
    callback_events: await db.select().from(callbackEvents).orderBy(callbackEvents.id),
    api_keys: await db.select().from(apiKeys).orderBy(apiKeys.id),
  };
  return Object.fromEntries(
    Object.entries(tables).map(([name, rows]) => [
      name,
      {
        rows: rows.length,
        sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex'),
      },
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// The generators, one per category.

function invalidJson(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, body: string | Buffer, headers?: OutgoingHttpHeaders) =>
    probes.push({ category: 'invalid-json', name, send: post(body, headers) });
  const fixed = [
    '',
    ' ',
    '{',
    '}',
    '[',
    'null',
    'true',
    '0',
    '"{ credits }"',
    '[]',
    '[{}]',
    "{'query':'{ credits }'}",
    '{"query":}',
    '{"query":"{ credits }",}',
    '{"query":"{ credits }" "variables":{}}',
    'NaN',
    '{"query": NaN}',
    '{"query":"\\uZZZZ"}',
    '{"query":"{ credits \\ud800 }"}',
    '{"query":null}',
    '{"query":1}',
    '{"query":{}}',
    '{"query":["{ credits }"]}',
    '{"variables":{}}',
    '{"query":"{ credits }","variables":"{}"}',
    '{"query":"{ credits }","variables":"not json"}',
    '{"query":"{ credits }","variables":[]}',
    '{"query":"{ credits }","variables":5}',
    '{"query":"{ credits }","extensions":"x"}',
    '{"query":"{ credits }","extensions":[1]}',
    '{"query":"{ credits }","operationName":5}',
    '{"query":"{ credits }","operationName":{}}',
    '1e999',
    '{"query":"{ credits }"}garbage',
    '{"query":"{ credits }"}{"query":"{ credits }"}',
    '{"query":"{ credits }","query":"{ __typename }"}',
    '\uFEFF{"query":"{ credits }"}',
    `{"query":"{ credits }","variables":{"deep":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`,
    `{"query":"{ credits }","variables":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
    `{"query":"{ credits }","variables":${'{"a":'.repeat(20_000)}`,
    '{"query":"{ credits }","variables":{"__proto__":{"polluted":true}}}',
    '{"__proto__":{"query":"{ credits }"}}',
    '{"constructor":{"prototype":{"polluted":true}},"query":"{ credits }"}',
  ];
  fixed.forEach((body, i) => {
    add(`fixed ${i}`, body);
  });
  const bases = [...READ_ONLY.map((query) => operation(query)), INVALID_CREATE];
  for (let i = 0; i < 20; i++) {
    const base = rng.pick(bases);
    add(`truncated ${i}`, base.slice(0, rng.int(base.length - 1)));
  }
  for (let i = 0; i < 15; i++) {
    const base = [...rng.pick(bases)];
    for (let k = rng.range(1, 4); k > 0; k--) {
      base[rng.int(base.length)] = rng.pick(['{', '}', '[', ']', '"', ':', ',', '\\', '\u0001']);
    }
    add(`mangled ${i}`, base.join(''));
  }
  for (let i = 0; i < 10; i++) add(`random bytes ${i}`, rng.bytes(rng.range(1, 2000)));
  const tokens = ['{', '}', '[', ']', ':', ',', '"query"', '"{ credits }"', 'null', '1', 'true'];
  for (let i = 0; i < 10; i++) {
    add(
      `token soup ${i}`,
      Array.from({ length: rng.range(3, 40) }, () => rng.pick(tokens)).join(''),
    );
  }
  return probes;
}

function wrongTypes(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const wrong: unknown[] = [
    123,
    -1.5,
    true,
    false,
    {},
    { a: 1 },
    [],
    ['x'],
    [1, 2],
    [[['deep']]],
    1e308,
    { kind: 'complete' },
  ];
  const fields = ['videoUrl', 'prompt', 'safetyInstruction', 'idempotencyKey', 'video'];
  for (let i = 0; i < 25; i++) {
    const field = rng.pick(fields);
    const value = rng.pick(wrong);
    const input: Record<string, unknown> = { videoUrl: CREATE_VALID_URL, [field]: value };
    // A wrong-typed video beside a valid URL is refused by validation or coercion either way.
    probes.push({
      category: 'wrong-types',
      name: `input.${field} = ${JSON.stringify(value)}`,
      send: post(operation(CREATE_CHARACTER, { input })),
    });
  }
  for (const input of [null, 5, 'x', [], [{ videoUrl: CREATE_VALID_URL }], true]) {
    probes.push({
      category: 'wrong-types',
      name: `input = ${JSON.stringify(input)}`,
      send: post(operation(CREATE_CHARACTER, { input })),
    });
  }
  probes.push({
    category: 'wrong-types',
    name: 'input missing',
    send: post(operation(CREATE_CHARACTER, {})),
  });
  // A File is only what the multipart parser makes: an object in JSON variables that looks like
  // one must not make the gateway read a file on its own disk (the last names a valid video).
  for (const path of [
    '/etc/hostname',
    '/nonexistent/video.mp4',
    '.',
    '',
    fileURLToPath(new URL('../fixtures/clip-2s.mp4', import.meta.url)),
  ]) {
    probes.push({
      category: 'wrong-types',
      name: `video as a JSON object naming ${path}`,
      send: post(
        operation(CREATE_CHARACTER, {
          input: { video: { kind: 'complete', path, filename: 'x.mp4', mimeType: 'video/mp4' } },
        }),
      ),
    });
  }
  probes.push({
    category: 'wrong-types',
    name: 'video as a JSON oversize object',
    send: post(
      operation(CREATE_CHARACTER, {
        input: { video: { kind: 'oversize', receivedBytes: -1, filename: 1, mimeType: null } },
      }),
    ),
  });
  const queries: [string, string, unknown[]][] = [
    [
      'query($id: ID!) { task(id: $id) { id } }',
      'id',
      [{}, [], null, true, 1.5, { id: 'x' }, ['a', 'b']],
    ],
    ['query($id: ID!) { node(id: $id) { id } }', 'id', [{}, null, [1], false]],
    ['query($id: ID!) { character(id: $id) { id } }', 'id', [{}, null, [], 2.5]],
    [
      'query($n: Int) { tasks(first: $n) { edges { node { id } } } }',
      'n',
      ['1', 1.5, 2 ** 31, -(2 ** 31) - 1, [1], {}, true, 1e308, '1e3'],
    ],
    ['query($a: String) { tasks(after: $a) { edges { node { id } } } }', 'a', [1, {}, [], true]],
    [
      'query($s: TaskState) { tasks(state: $s) { edges { node { id } } } }',
      's',
      ['NOPE', 'success', 0, {}, ['SUCCESS']],
    ],
    [
      'query($s: String) { characters(search: $s) { edges { node { id } } } }',
      's',
      [123, [], {}, ['cat']],
    ],
    [
      'query($f: CharacterFilter) { characters(filter: $f) { edges { node { id } } } }',
      'f',
      [
        'x',
        [],
        { usable: 'yes' },
        { createdAfter: 'yesterday' },
        { createdAfter: 1e20 },
        { createdBefore: -8.64e15 - 1 },
        { createdAfter: '0000-01-01T00:00:00Z' },
        { createdBefore: '9999-12-31T23:59:59.999Z' },
        { createdAfter: '+275760-09-13T00:00:00.000Z' },
        { nope: true },
      ],
    ],
    [
      'query($o: CharacterOrder) { characters(orderBy: $o) { edges { node { id } } } }',
      'o',
      ['RANDOM', 1, 'relevance'],
    ],
  ];
  for (const [query, name, values] of queries) {
    for (const value of values) {
      probes.push({
        category: 'wrong-types',
        name: `$${name} = ${JSON.stringify(value)}`,
        send: post(operation(query, { [name]: value })),
      });
    }
  }
  for (let i = 0; i < 10; i++) {
    const [query, name] = rng.pick(queries);
    const value = rng.pick(wrong);
    probes.push({
      category: 'wrong-types',
      name: `random $${name} = ${JSON.stringify(value)}`,
      send: post(operation(query, { [name]: value, [rng.word()]: rng.pick(wrong) })),
    });
  }
  return probes;
}

function unknownFields(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, body: string) =>
    probes.push({ category: 'unknown-fields', name, send: post(body) });
  const templates: ((w: string, W: string) => string)[] = [
    (w) => `{ ${w} }`,
    (w) => `{ tasks { ${w} } }`,
    (w) => `{ tasks { edges { node { ${w} } } } }`,
    (w) => `{ task(${w}: 1) { id } }`,
    (w) => `{ credits(${w}: "x") }`,
    (w) => `{ characters(${w}: "x") { edges { node { id } } } }`,
    (w) =>
      `mutation { createCharacter(input: { videoUrl: "${CREATE_VALID_URL}", ${w}: 1 }) { __typename } }`,
    (w) =>
      `mutation { createCharacter(input: { videoUrl: "${CREATE_VALID_URL}" }, ${w}: true) { __typename } }`,
    (w) => `mutation { ${w} }`,
    (w) => `subscription { ${w} }`,
    (_w, W) => `{ node(id: "x") { ... on ${W} { id } } }`,
    (w) => `{ credits @${w} }`,
    (_w, W) => `{ ...${W} }`,
    (w, W) => `query($${w}: ${W}) { credits }`,
    (w) => `{ credits ${w}: nope }`,
    (w) => `fragment F on ${w} { id } { ...F }`,
  ];
  for (let i = 0; i < 48; i++) {
    const w = rng.word();
    const W = w[0]?.toUpperCase() + w.slice(1);
    const template = templates[i % templates.length] as (w: string, W: string) => string;
    add(`template ${i % templates.length} (${w})`, operation(template(w, W)));
  }
  const fixed: [string, Record<string, unknown>][] = [
    ['query A { credits } query A { credits }', {}],
    ['query A { credits } query B { credits }', {}],
    ['query A { credits } query B { credits }', { operationName: 'C' }],
    ['{ credits }', { operationName: 'Nope' }],
    ['query($x: String) { credits }', { variables: { y: 1 } }],
    ['{ credits @include }', {}],
    ['{ credits @include(if: "yes") }', {}],
    ['{ credits @skip(if: true) @skip(if: false) }', {}],
    ['query { task { id } }', {}],
    ['{ tasks { edges { node { id ... on Character { characterId } } } } }', {}],
    ['{ __type(name: 1) { name } }', {}],
    ['{ __schema { nope } }', {}],
    ['subscription { taskUpdated(id: "x") { id } taskUpdated2: taskUpdated(id: "y") { id } }', {}],
  ];
  for (const [query, extra] of fixed) add(`fixed ${query}`, operation(query, undefined, extra));
  return probes;
}

function hugeDocuments(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, body: string) =>
    probes.push({ category: 'huge-documents', name, send: post(body) });
  for (const n of [16, 100, 1_000, rng.range(2_000, 20_000)]) {
    add(
      `${n} aliases`,
      operation(`{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`),
    );
    add(
      `${n} aliased credits`,
      operation(`{ ${Array.from({ length: n }, (_, i) => `c${i}: credits`).join(' ')} }`),
    );
  }
  for (const n of [2_001, 10_000, rng.range(20_000, 80_000)]) {
    add(`${n} fields`, operation(`{ ${'__typename '.repeat(n)}}`));
  }
  for (const n of [1_000, 100_000, 900_000]) {
    add(`string literal of ${n}`, operation(`{ task(id: "${'x'.repeat(n)}") { id } }`));
    add(`name token of ${n}`, operation(`{ ${'a'.repeat(n)} }`));
  }
  for (const n of [rng.range(10, 60), rng.range(100, 300)]) {
    add(
      `search of ${n} repeated words`,
      operation('query($s: String) { characters(search: $s) { edges { node { id } } } }', {
        s: 'cat '.repeat(n),
      }),
    );
    add(
      `search of ${n} random words`,
      operation('query($s: String) { characters(search: $s) { edges { node { id } } } }', {
        s: Array.from({ length: n }, () => rng.word()).join(' '),
      }),
    );
  }
  add(
    'search of 500 KB',
    operation('query($s: String) { characters(search: $s) { edges { node { id } } } }', {
      s: 'sleepy'.repeat(80_000),
    }),
  );
  for (const n of [100, 2_000]) {
    let chain = 'fragment F0 on Query { __typename }';
    for (let i = 1; i < n; i++) chain += ` fragment F${i} on Query { ...F${i - 1} }`;
    add(`${n} chained fragments`, operation(`{ ...F${n - 1} } ${chain}`));
  }
  add(
    '5000 variable definitions',
    operation(
      `query(${Array.from({ length: 5_000 }, (_, i) => `$v${i}: String`).join(' ')}) { credits }`,
    ),
  );
  add('1000 directives', operation(`{ credits ${'@include(if: true) '.repeat(1_000)}}`));
  add(
    '3000 operations',
    operation(
      Array.from({ length: 3_000 }, (_, i) => `query Q${i} { credits }`).join(' '),
      undefined,
      {
        operationName: 'Q1',
      },
    ),
  );
  add('900 KB of comments', operation(`${'# comment\n'.repeat(90_000)}{ __typename }`));
  add('900 KB of whitespace', operation(`{${' '.repeat(900_000)}__typename }`));
  add(
    'Int literal overflow',
    operation('{ tasks(first: 99999999999999999999999) { edges { cursor } } }'),
  );
  add(
    '20000 unused variables',
    operation(
      '{ __typename }',
      Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`v${i}`, i])),
    ),
  );
  add(
    'batch of 1000',
    JSON.stringify(Array.from({ length: 1_000 }, () => ({ query: '{ credits }' }))),
  );
  add('batch of 2', JSON.stringify([{ query: '{ credits }' }, { query: '{ __typename }' }]));
  let laughs = 'fragment L0 on Query { __typename }';
  for (let i = 1; i <= 15; i++)
    laughs += ` fragment L${i} on Query { ...L${i - 1} ...L${i - 1} ...L${i - 1} }`;
  add('fragment fan-out 3^15', operation(`{ ...L15 } ${laughs}`));
  return probes;
}

function deepDocuments(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, body: string) =>
    probes.push({ category: 'deep-documents', name, send: post(body) });
  for (const depth of [11, 12, 20, 50, 200, rng.range(400, 2_000)]) {
    let query = 'id';
    for (let i = 0; i < depth; i++)
      query = i % 2 === 0 ? `task { ${query} }` : `character { ${query} }`;
    add(`task/character nesting ${depth}`, operation(`{ tasks { edges { node { ${query} } } } }`));
  }
  for (const depth of [100, 1_000, 5_000, rng.range(10_000, 100_000)]) {
    add(`{a{a{…}}} ${depth}`, operation(`${'{a'.repeat(depth)}${'}'.repeat(depth)}`));
  }
  for (const depth of [10, 100, 900, 1_990, 5_000]) {
    add(
      `list literal ${depth}`,
      operation(`{ task(id: ${'['.repeat(depth)}1${']'.repeat(depth)}) { id } }`),
    );
    add(
      `object literal ${depth}`,
      operation(
        `mutation { createCharacter(input: { prompt: ${'{a:'.repeat(depth)}1${'}'.repeat(depth)} }) { __typename } }`,
      ),
    );
  }
  for (const depth of [100, 900, 3_000]) {
    add(
      `list type ${depth}`,
      operation(`query($x: ${'['.repeat(depth)}String${']'.repeat(depth)}) { credits }`, {
        x: JSON.parse(`${'['.repeat(Math.min(depth, 900))}"s"${']'.repeat(Math.min(depth, 900))}`),
      }),
    );
  }
  for (const depth of [1_000, 100_000]) {
    add(
      `variables nested ${depth}`,
      `{"query":"query($id: ID!) { task(id: $id) { id } }","variables":{"id":${'['.repeat(depth)}${']'.repeat(depth)}}}`,
    );
    add(
      `input nested ${depth}`,
      `{"query":${JSON.stringify(CREATE_CHARACTER)},"variables":{"input":{"prompt":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}}`,
    );
  }
  add(
    'fragment cycle',
    operation('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }'),
  );
  add('fragment self cycle', operation('{ ...A } fragment A on Query { credits ...A }'));
  add(
    'fragment cycle through fields',
    operation(
      '{ tasks { edges { node { ...N } } } } fragment N on Task { character { task { ...N } } }',
    ),
  );
  add(
    'inline fragments 500 deep',
    operation(`{ ${'... on Query { '.repeat(500)}__typename${' }'.repeat(500)} }`),
  );
  add(
    'selection set 300 deep with aliases',
    operation(
      `{ ${'x: tasks { edges { node { character { task { '.repeat(60)} id ${'} } } } }'.repeat(60)} }`,
    ),
  );
  return probes;
}

/** Byte sequences that are not UTF-8. */
const INVALID_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc3],
];

function invalidUtf8(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const bad = () => Buffer.from(rng.pick(INVALID_UTF8));
  const bases = [
    ...READ_ONLY.map((query) => operation(query)),
    INVALID_CREATE,
    operation('query($s: String) { characters(search: $s) { edges { node { id } } } }', {
      s: 'cat',
    }),
    operation('query($id: ID!) { task(id: $id) { id } }', { id: 'x' }),
  ];
  for (let i = 0; i < 25; i++) {
    const base = Buffer.from(rng.pick(bases));
    const at = rng.int(base.length);
    probes.push({
      category: 'invalid-utf8',
      name: `body with bad bytes at ${at}`,
      send: post(Buffer.concat([base.subarray(0, at), bad(), base.subarray(at)])),
    });
  }
  for (let i = 0; i < 10; i++) {
    const value = Buffer.concat([Buffer.from('cat'), bad(), Buffer.from('sleepy')]);
    const body = Buffer.concat([
      Buffer.from(
        '{"query":"query($s: String) { characters(search: $s) { edges { node { id } } } }","variables":{"s":"',
      ),
      value,
      Buffer.from('"}}'),
    ]);
    probes.push({
      category: 'invalid-utf8',
      name: `search string with bad bytes ${i}`,
      send: post(body),
    });
  }
  const percent = (bytes: Buffer) =>
    [...bytes].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  for (let i = 0; i < 10; i++) {
    const param = rng.pick(['query', 'variables', 'operationName', 'extensions']);
    const value = `${encodeURIComponent('{ credits }').slice(0, rng.int(12))}${percent(bad())}`;
    probes.push({
      category: 'invalid-utf8',
      name: `GET ${param} with percent-encoded bad bytes`,
      send: { kind: 'http', method: 'GET', path: `/graphql?${param}=${value}`, headers: auth },
    });
  }
  for (let i = 0; i < 6; i++) {
    const target = Buffer.concat([Buffer.from('/graphql?query={'), bad(), Buffer.from('credits}')]);
    probes.push({
      category: 'invalid-utf8',
      name: `raw bad bytes in the request target ${i}`,
      send: {
        kind: 'raw',
        bytes: Buffer.concat([
          Buffer.from('GET '),
          target,
          Buffer.from(
            ` HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nConnection: close\r\n\r\n`,
          ),
        ]),
      },
    });
  }
  for (let i = 0; i < 4; i++) {
    const body = Buffer.from(operation('{ credits }'));
    probes.push({
      category: 'invalid-utf8',
      name: `raw bad bytes in the authorization header ${i}`,
      send: {
        kind: 'raw',
        bytes: Buffer.concat([
          Buffer.from(
            `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nAuthorization: Bearer ${KEY}`,
          ),
          bad(),
          Buffer.from('\r\nConnection: close\r\n\r\n'),
          body,
        ]),
      },
    });
  }
  for (let i = 0; i < 4; i++) {
    const body = Buffer.from(operation('{ credits }'));
    probes.push({
      category: 'invalid-utf8',
      name: `raw bad bytes in the content-type header ${i}`,
      send: {
        kind: 'raw',
        bytes: Buffer.concat([
          Buffer.from(
            `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Length: ${body.length}\r\nContent-Type: application/json; charset=`,
          ),
          bad(),
          Buffer.from('\r\nConnection: close\r\n\r\n'),
          body,
        ]),
      },
    });
  }
  return probes;
}

function contentTypes(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const types = [
    undefined,
    '',
    'text/plain',
    'text/html',
    'application/xml',
    'application/x-www-form-urlencoded',
    'application/graphql',
    'application/graphql+json',
    'application/graphql-response+json',
    'application/json; charset=utf-16',
    'application/json; charset=iso-8859-1',
    'application/json;;;',
    'application/json; boundary=x',
    'multipart/mixed; boundary=x',
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'image/png',
    '*/*',
    'application/octet-stream',
    'application/json, text/plain',
    `application/${'x'.repeat(8_000)}`,
    '\tapplication/json',
  ];
  const bodies = [
    operation('{ credits }'),
    INVALID_CREATE,
    '{ credits }',
    'query=%7B%20credits%20%7D',
  ];
  types.forEach((type, i) => {
    const body = bodies[i % bodies.length] as string;
    const headers: OutgoingHttpHeaders = { ...auth };
    if (type !== undefined) headers['content-type'] = type;
    probes.push({
      category: 'content-type',
      name: `content-type ${String(type).slice(0, 60)}`,
      send: { kind: 'http', method: 'POST', path: '/graphql', headers, body },
    });
  });
  for (let i = 0; i < 10; i++) {
    const type = `${rng.word()}/${rng.word()}${rng.chance(0.5) ? `; ${rng.word()}=${rng.word()}` : ''}`;
    probes.push({
      category: 'content-type',
      name: `random content-type ${type}`,
      send: {
        kind: 'http',
        method: 'POST',
        path: '/graphql',
        headers: { ...auth, 'content-type': type },
        body: rng.pick(bodies),
      },
    });
  }
  const accepts = [
    'text/event-stream',
    'application/xml',
    'multipart/mixed',
    'nope',
    '',
    'text/html',
  ];
  for (const accept of accepts) {
    probes.push({
      category: 'content-type',
      name: `accept ${accept}`,
      send: post(operation('{ credits }'), { accept }),
    });
  }
  for (const params of ['variables=x', 'extensions=x', 'variables=%7B', 'query=%7B']) {
    probes.push({
      category: 'content-type',
      name: `urlencoded ${params}`,
      send: {
        kind: 'http',
        method: 'POST',
        path: '/graphql',
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: `query=${encodeURIComponent('{ credits }')}&${params}`,
      },
    });
  }
  probes.push({
    category: 'content-type',
    name: 'urlencoded mutation',
    send: {
      kind: 'http',
      method: 'POST',
      path: '/graphql',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('mutation { createCharacter(input: { videoUrl: "ftp://nope" }) { __typename } }')}`,
    },
  });
  return probes;
}

function getParams(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const get = (name: string, query: string, headers: OutgoingHttpHeaders = {}) =>
    probes.push({
      category: 'get-params',
      name,
      send: {
        kind: 'http',
        method: 'GET',
        path: `/graphql${query}`,
        headers: { ...auth, ...headers },
      },
    });
  const e = encodeURIComponent;
  const fixed = [
    '',
    '?',
    '?query',
    '?query=',
    '?query=%20',
    `?query=${e('{')}`,
    '?query=garbage',
    `?query=${e(`mutation { createCharacter(input: { videoUrl: "${CREATE_VALID_URL}" }) { __typename } }`)}`,
    `?query=${e('subscription { taskUpdated(id: "x") { id } }')}`,
    `?query=${e('{ credits }')}&variables=not-json`,
    `?query=${e('{ credits }')}&variables=[]`,
    `?query=${e('{ credits }')}&variables=1`,
    `?query=${e('{ credits }')}&variables=%7B`,
    `?query=${e('{ credits }')}&extensions=x`,
    `?query=${e('{ credits }')}&operationName=`,
    `?query=${e('{ credits }')}&operationName=Nope`,
    `?query=garbage&query=${e('{ credits }')}`,
    `?query=${e('{ credits }')}&query=garbage`,
    '?%',
    '?query=%zz',
    '?query=%%%',
    '?&&&',
    '?=',
    '?query=%00',
    `?query=${e('{ task(id: "\u0000") { id } }')}`,
    `?query=${e('{ __typename }')}#fragment`,
    `?query=${e(`{ ${'__typename '.repeat(1_300)}}`)}`,
    `?query=${e('{ credits }')}&${'x=1&'.repeat(3_000)}`,
    `?query=${'a'.repeat(20_000)}`,
    `?query=${e('{ task(id: "x") { id } }')}&variables=${e(JSON.stringify({ id: [] }))}`,
  ];
  fixed.forEach((query, i) => {
    get(`fixed ${i}: ${query.slice(0, 60)}`, query);
  });
  get(
    'subscription as event stream',
    `?query=${e('subscription { taskUpdated(id: "VGFzazp4") { id } }')}`,
    {
      accept: 'text/event-stream',
    },
  );
  get(
    'mutation as event stream',
    `?query=${e(`mutation { createCharacter(input: { videoUrl: "${CREATE_VALID_URL}" }) { __typename } }`)}`,
    {
      accept: 'text/event-stream',
    },
  );
  for (let i = 0; i < 15; i++) {
    const params = Array.from({ length: rng.range(1, 4) }, () => {
      const name = rng.pick(['query', 'variables', 'operationName', 'extensions', rng.word()]);
      const value = rng.chance(0.5)
        ? e(rng.bytes(rng.range(1, 40)).toString('latin1'))
        : rng.bytes(rng.range(1, 30)).toString('hex');
      return `${name}=${value}`;
    });
    get(`random params ${i}`, `?${params.join('&')}`);
  }
  return probes;
}

function brokenMultipart(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, send: Send) => probes.push({ category: 'multipart', name, send });
  const junk = () => rng.bytes(rng.range(10, 5_000));
  const image = Buffer.from(fixture('image.png'));
  const operations = operation(CREATE_CHARACTER, { input: { video: null, prompt: 'multipart' } });
  const map = JSON.stringify({ 0: ['variables.input.video'] });
  const boundary = () => `----bound${rng.bytes(6).toString('hex')}`;
  const valid = (b: string) =>
    multipartBody(
      [
        { name: 'operations', data: operations },
        { name: 'map', data: map },
        { name: '0', filename: 'a.mp4', type: 'video/mp4', data: junk() },
      ],
      b,
    );
  let b = boundary();
  add('no boundary', multipart(valid(b), undefined));
  add('empty boundary', multipart(valid(b), ''));
  add('another boundary', multipart(valid(b), boundary()));
  add('empty body', multipart(Buffer.alloc(0), b));
  add('only the closing delimiter', multipart(Buffer.from(`--${b}--\r\n`), b));
  add(
    'no closing delimiter',
    multipart(multipartBody([{ name: 'operations', data: operations }], b, false), b),
  );
  add('JSON body', multipart(Buffer.from(operations), b));
  for (let i = 0; i < 10; i++) {
    b = boundary();
    const body = valid(b);
    const cut = rng.range(1, body.length - 1);
    add(`truncated at ${cut} of ${body.length}`, multipart(body.subarray(0, cut), b));
  }
  const ops = (data: string | Buffer = operations): Part => ({ name: 'operations', data });
  const mapOf = (data: string = map): Part => ({ name: 'map', data });
  const file = (name = '0', data: Buffer = junk(), filename = 'a.mp4'): Part => ({
    name,
    filename,
    data,
  });
  const raw = (headers: string, data: string | Buffer): Part => ({ headers, data });
  const batch = JSON.stringify([JSON.parse(operations), JSON.parse(operations)]);
  const badUtf8Operations = Buffer.concat([
    Buffer.from(operations.slice(0, 40)),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(operations.slice(40)),
  ]);
  const cases: [string, Part[]][] = [
    ['missing operations', [mapOf(), file()]],
    ['missing map', [ops(), file()]],
    ['operations not JSON', [ops('{"query":'), mapOf(), file()]],
    ['operations null', [ops('null'), mapOf(), file()]],
    ['operations a string', [ops('"{ credits }"'), mapOf('{}')]],
    ['operations a batch', [ops(batch), mapOf('{"0":["0.variables.input.video"]}'), file()]],
    ['map not JSON', [ops(), mapOf('{0:'), file()]],
    ['map an array', [ops(), mapOf('[["variables.input.video"]]'), file()]],
    ['map null', [ops(), mapOf('null'), file()]],
    ['map a string', [ops(), mapOf('"x"'), file()]],
    ['map entry not an array', [ops(), mapOf('{"0":"variables.input.video"}'), file()]],
    ['map entry of numbers', [ops(), mapOf('{"0":[5, null, {}]}'), file()]],
    ['map names a missing file', [ops(), mapOf('{"1":["variables.input.video"]}'), file()]],
    ['map names a file, none sent', [ops(), mapOf()]],
    ['file not in map', [ops(), mapOf('{}'), file()]],
    ['file part without filename', [ops(), mapOf(), { name: '0', data: junk() }]],
    ['file part without name', [ops(), mapOf(), { filename: 'a.mp4', data: junk() }]],
    ['part without headers', [ops(), mapOf(), raw('', junk())]],
    ['a header without colon', [ops(), raw('Content-Disposition form-data; name="map"', map)]],
    [
      'a huge part header',
      [
        ops(),
        raw(`Content-Disposition: form-data; name="map"\r\nX-Pad: ${'x'.repeat(100_000)}`, map),
      ],
    ],
    ['path traversal filename', [ops(), mapOf(), file('0', image, '../../../../tmp/evil.mp4')]],
    ['an image', [ops(), mapOf(), { ...file('0', image), type: 'video/mp4' }]],
    ['file before operations', [{ ...file('0', image), type: 'video/mp4' }, ops(), mapOf()]],
    ['file before map', [ops(), file(), mapOf()]],
    ['three fields', [ops(), mapOf(), { name: 'extra', data: 'x' }, file()]],
    ['operations twice', [ops('{"query":"{ credits }"}'), ops()]],
    [
      'operations over 1 MB',
      [ops(operation('{ credits }', { pad: 'x'.repeat(1_050_000) })), mapOf('{}')],
    ],
    [
      'map over 1 MB',
      [ops(), mapOf(JSON.stringify({ 0: ['variables.input.video'], pad: 'x'.repeat(1_050_000) }))],
    ],
    ['invalid UTF-8 in operations', [ops(badUtf8Operations), mapOf(), file()]],
    [
      'invalid UTF-8 in a field name',
      [raw('Content-Disposition: form-data; name="op\xff\xfe"', operations)],
    ],
  ];
  for (const n of [2, 3, 5]) {
    const names = Array.from({ length: n }, (_, i) => String(i));
    const fileMap = Object.fromEntries(names.map((name) => [name, ['variables.input.video']]));
    cases.push([
      `${n} files`,
      [ops(), mapOf(JSON.stringify(fileMap)), ...names.map((name) => file(name))],
    ]);
  }
  const paths = [
    'variables.nope.deep',
    '',
    '.',
    '..',
    'variables..video',
    'variables.input.video.x',
    'variables.input.prompt.x',
    'query.x',
    '__proto__.polluted',
    '__proto__',
    'variables.__proto__.polluted',
    'variables.input.__proto__',
    'variables.input.__proto__.polluted',
    'constructor.prototype.polluted',
    'variables.constructor.prototype.polluted',
    'variables.input.constructor',
    'variables.input.toString',
    `${'a.'.repeat(5_000)}b`,
  ];
  for (const path of paths) {
    cases.push([
      `map path ${path.slice(0, 40)}`,
      [ops(), mapOf(JSON.stringify({ 0: [path] })), file()],
    ]);
  }
  for (const [name, parts] of cases) {
    b = boundary();
    add(name, multipart(multipartBody(parts, b), b));
  }
  b = boundary();
  add('LF line endings', multipart(multipartBody([ops(), mapOf(), file()], b, true, '\n'), b));
  b = boundary();
  add('random bytes', multipart(rng.bytes(3_000), b));
  b = boundary();
  add('chunked, broken off', {
    kind: 'raw',
    bytes: Buffer.concat([
      Buffer.from(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: multipart/form-data; boundary=${b}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      ),
      (() => {
        const body = valid(b).subarray(0, 600);
        return Buffer.concat([
          Buffer.from(`${body.length.toString(16)}\r\n`),
          body,
          Buffer.from('\r\n'),
        ]);
      })(),
    ]),
    incomplete: true,
  });
  b = boundary();
  add('content-length longer than the body', {
    kind: 'raw',
    bytes: Buffer.concat([
      Buffer.from(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: multipart/form-data; boundary=${b}\r\nContent-Length: 100000\r\n\r\n`,
      ),
      valid(b).subarray(0, 700),
    ]),
    incomplete: true,
  });
  return probes;
}

function oversize(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, send: Send) => probes.push({ category: 'oversize', name, send });
  const declared = (path: string, type: string, length: string, extra = '') =>
    rawRequest(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n${extra}\r\n`,
      '{"query":"{ credits }"',
      { incomplete: true },
    );
  for (const length of ['500000000', '1048577', String(rng.range(2_000_000, 900_000_000))]) {
    add(`JSON declared ${length}`, declared('/graphql', 'application/json', length));
    add(
      `multipart declared ${length}`,
      declared('/graphql', 'multipart/form-data; boundary=x', length),
    );
    add(`callback declared ${length}`, declared('/webhooks/kie', 'application/json', length));
  }
  for (const length of ['99999999999999999999', '-1', '1e9', 'abc', '1, 2', '0x10', ' 12 ']) {
    add(`content-length ${length}`, declared('/graphql', 'application/json', length));
  }
  add(
    'two content-lengths',
    declared('/graphql', 'application/json', '5', 'Content-Length: 500000000\r\n'),
  );
  add('JSON body of 1.1 MB', post(operation('{ credits }', { pad: 'x'.repeat(1_100_000) })));
  add('chunked JSON body of 1.5 MB', {
    kind: 'http',
    method: 'POST',
    path: '/graphql',
    headers: { ...json, ...auth },
    body: operation('{ credits }', { pad: 'x'.repeat(1_500_000) }),
    chunked: true,
  });
  add('callback of 70 KB', {
    kind: 'http',
    method: 'POST',
    path: '/webhooks/kie',
    headers: json,
    body: JSON.stringify({ code: 200, msg: 'x'.repeat(70_000), data: { taskId: 'task_x' } }),
  });
  add('chunked callback of 200 KB', {
    kind: 'http',
    method: 'POST',
    path: '/webhooks/kie',
    headers: json,
    body: 'x'.repeat(200_000),
    chunked: true,
  });
  add('a video of 10 MB + 1 byte', {
    kind: 'upload',
    form: () => {
      const head = fixture('clip-2s.mp4');
      const file = new Uint8Array(MAX_VIDEO_BYTES + 1);
      file.set(head.subarray(0, Math.min(head.length, file.length)));
      const form = new FormData();
      form.append(
        'operations',
        operation(CREATE_CHARACTER, { input: { video: null, prompt: 'too big' } }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.input.video'] }));
      form.append('0', new Blob([file], { type: 'video/mp4' }), 'big.mp4');
      return form;
    },
  });
  return probes;
}

function forgedCallbacks(rng: Rng, real: RealTask): Probe[] {
  const probes: Probe[] = [];
  const unknownId = () => `task_sora-2-characters_${rng.range(1, 9e9)}`;
  const bodies: [string, () => string, boolean][] = [
    // [name, body, names the real task]
    [
      'success for the real task',
      () => callbackBody(real.providerTaskId, 'success', `char_${rng.word()}`),
      true,
    ],
    ['failure for the real task', () => callbackBody(real.providerTaskId, 'fail'), true],
    ['success for an unknown task', () => callbackBody(unknownId()), false],
    ['empty object', () => '{}', false],
    ['code only', () => '{"code":200}', false],
    ['data without a task id', () => '{"code":200,"msg":"ok","data":{"state":"success"}}', false],
    ['empty task id', () => callbackBody(''), false],
    ['numeric task id', () => callbackBody(12345), false],
    ['object task id', () => callbackBody({ $ne: null }), false],
    ['not JSON', () => `{"code": 200, ${rng.word()}`, false],
    ['random bytes', () => rng.bytes(rng.range(1, 500)).toString('latin1'), false],
    ['null', () => 'null', false],
    ['an array', () => '[1,2,3]', false],
    ['empty', () => '', false],
    [
      'over 64 KB',
      () =>
        JSON.stringify({
          ...JSON.parse(callbackBody(real.providerTaskId)),
          pad: 'x'.repeat(70_000),
        }),
      true,
    ],
    ['bad state', () => callbackBody(real.providerTaskId, 'exploded'), true],
    [
      'resultJson not JSON',
      () =>
        JSON.stringify({
          code: 200,
          msg: 'x',
          data: { taskId: real.providerTaskId, state: 'success', resultJson: '{' },
        }),
      true,
    ],
  ];
  const headers = (ts: number | string, signature: string) => ({
    'x-webhook-timestamp': String(ts),
    'x-webhook-signature': signature,
  });
  const sign = (id: string, ts: number | string, key = TEST_HMAC_KEY) => signWebhook(id, ts, key);
  const oddTimestamps = ['abc', '-5', '1e9', ` ${now()}`, '', '0', `${now()}.5`, '9'.repeat(23)];
  const signatures: [string, (taskId: string) => Record<string, string>][] = [
    ['no headers', () => ({})],
    ['timestamp only', () => ({ 'x-webhook-timestamp': String(now()) })],
    ['signature only', (id) => ({ 'x-webhook-signature': sign(id, now()) })],
    ['random signature', () => headers(now(), rng.bytes(32).toString('base64'))],
    ['signed with another key', (id) => headers(now(), sign(id, now(), 'not-the-key'))],
    [
      'stale timestamp',
      (id) => {
        const ts = now() - rng.range(301, 86_400 * 30);
        return headers(ts, sign(id, ts));
      },
    ],
    [
      'future timestamp',
      (id) => {
        const ts = now() + rng.range(301, 86_400);
        return headers(ts, sign(id, ts));
      },
    ],
    [
      'odd timestamp',
      (id) => {
        const ts = rng.pick(oddTimestamps);
        return headers(ts, sign(id, ts));
      },
    ],
    ['signed for another task', () => headers(now(), sign(unknownId(), now()))],
    [
      'hex signature',
      (id) => headers(now(), Buffer.from(sign(id, now()), 'base64').toString('hex')),
    ],
    ['truncated signature', (id) => headers(now(), sign(id, now()).slice(0, 20))],
    ['signature with a suffix', (id) => headers(now(), `${sign(id, now())}=`)],
    ['valid signature', (id) => headers(now(), sign(id, now()))],
  ];
  const queries = [
    '',
    `?task=${rng.uuid()}`,
    `?task=${real.id}`,
    '?task=x',
    `?task=${'x'.repeat(5_000)}`,
    '?task=',
    '?task[]=1&task=2',
  ];
  for (let i = 0; i < 80; i++) {
    const [bodyName, makeBody, namesReal] = rng.pick(bodies);
    let [signatureName, signed] = rng.pick(signatures);
    const body = makeBody();
    // A valid signature over the real task is not a forgery: those are the replays below.
    if (namesReal && signatureName === 'valid signature')
      [signatureName, signed] = signatures[3] as (typeof signatures)[number];
    let taskId = real.providerTaskId;
    try {
      const id = JSON.parse(body)?.data?.taskId;
      if (typeof id === 'string') taskId = id;
    } catch {
      // not JSON: the signature is made over the real task id
    }
    const type = rng.pick(['application/json', 'text/plain', undefined]);
    probes.push({
      category: 'forged-callbacks',
      name: `${bodyName}, ${signatureName}`,
      send: {
        kind: 'http',
        method: 'POST',
        path: `/webhooks/kie${rng.pick(queries)}`,
        headers: { ...(type && { 'content-type': type }), ...signed(taskId) },
        body,
      },
    });
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
    probes.push({
      category: 'forged-callbacks',
      name: `${method} on the webhook`,
      send: {
        kind: 'http',
        method,
        path: '/webhooks/kie',
        headers: json,
        ...(method !== 'GET' && method !== 'HEAD' && { body: real.callback }),
      },
    });
  }
  return probes;
}

function replayedCallbacks(rng: Rng, real: RealTask): Probe[] {
  const probes: Probe[] = [];
  const queries = ['', `?task=${real.id}`, `?task=${rng.uuid()}`];
  for (let i = 0; i < 30; i++) {
    const ts = now() - rng.range(0, 240);
    probes.push({
      category: 'replayed-callbacks',
      name: `replay ${i}`,
      send: {
        kind: 'http',
        method: 'POST',
        path: `/webhooks/kie${rng.pick(queries)}`,
        headers: {
          'content-type': 'application/json',
          'x-webhook-timestamp': String(ts),
          'x-webhook-signature': signWebhook(real.providerTaskId, ts, TEST_HMAC_KEY),
        },
        body: real.callback,
      },
    });
  }
  return probes;
}

function apiKeyProbes(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const authorizations: (string | undefined)[] = [
    undefined,
    '',
    'Bearer',
    'Bearer ',
    'Bearer    ',
    `Bearer ${KEY}x`,
    `Bearer ${KEY.slice(0, -1)}`,
    `Bearer ${OTHER_KEY}`,
    `Basic ${b64(`acme:${KEY}`)}`,
    KEY,
    `Token ${KEY}`,
    `Bearer ${KEY} ${KEY}`,
    `Bearer\t${KEY}x`,
    `Bearer ${'a'.repeat(8_000)}`,
    `Bearer ${KEY.toUpperCase()}`,
    `Bearer "${KEY}"`,
    `Bearer ${KEY},`,
    `Bearer ${KEY};`,
    `Bearer ${b64(KEY)}`,
    `Bearer ${KEY}\u00e9`,
    'Bearer null',
    'Bearer undefined',
    `Bearer ${KEY.slice(0, 8)}`,
  ];
  // Every one of these may carry a create that would write if it got through.
  const bodies = [
    operation(CREATE_CHARACTER, {
      input: { videoUrl: CREATE_VALID_URL, prompt: 'unauthenticated' },
    }),
    operation('{ tasks { edges { node { id } } } }'),
    operation('{ credits }'),
  ];
  authorizations.forEach((authorization, i) => {
    for (const method of ['POST', 'GET'] as const) {
      const headers: OutgoingHttpHeaders = { ...json };
      if (authorization !== undefined) headers.authorization = authorization;
      probes.push({
        category: 'api-keys',
        name: `${method} authorization ${JSON.stringify(authorization)?.slice(0, 40)}`,
        send:
          method === 'POST'
            ? {
                kind: 'http',
                method,
                path: '/graphql',
                headers,
                body: bodies[i % bodies.length] as string,
              }
            : {
                kind: 'http',
                method,
                path: `/graphql?query=${encodeURIComponent('{ tasks { edges { node { id } } } }')}`,
                headers,
              },
      });
    }
  });
  for (let i = 0; i < 8; i++) {
    const authorization = `${rng.pick(['Bearer ', 'bearer ', 'BEARER ', ''])}${rng.bytes(rng.range(1, 40)).toString(rng.pick(['hex', 'base64']))}`;
    probes.push({
      category: 'api-keys',
      name: `random key ${i}`,
      send: post(bodies[0] as string, { authorization }),
    });
  }
  const body = Buffer.from(operation('{ credits }'));
  probes.push({
    category: 'api-keys',
    name: 'two authorization headers, the wrong one first',
    send: rawPost('/graphql', body, [
      'Content-Type: application/json',
      'Authorization: Bearer wrong-key-0123456789',
      `Authorization: Bearer ${KEY}`,
    ]),
  });
  probes.push({
    category: 'api-keys',
    name: 'authorization folded over two lines',
    send: rawPost('/graphql', body, [
      'Content-Type: application/json',
      'Authorization: Bearer',
      ` ${KEY}`,
    ]),
  });
  for (const payload of [
    undefined,
    {},
    { authorization: 'Bearer wrong' },
    { authorization: KEY },
    { authorization: 42 },
    { authorization: { toString: 'x' } },
    { authorization: `Bearer ${'x'.repeat(10_000)}` },
    'a string',
    null,
  ]) {
    probes.push({
      category: 'api-keys',
      name: `graphql-ws connection_init ${JSON.stringify(payload)?.slice(0, 40)}`,
      send: { kind: 'ws', payload },
    });
  }
  return probes;
}

function idsAndCursors(rng: Rng, real: RealTask): Probe[] {
  const probes: Probe[] = [];
  const uuid = rng.uuid();
  const realRow = real.id;
  const ids = [
    '',
    ' ',
    'x',
    'VGFzazo',
    b64('Task:'),
    b64('Task:nope'),
    b64(`Task:${uuid}`),
    b64(`Task:${uuid}\u0000`),
    b64(`Character:${realRow}`),
    real.characterGlobalId,
    b64(`Task:${realRow}'; drop table tasks; --`),
    b64(`Task:${realRow} `),
    b64(`Task:${'a'.repeat(100_000)}`),
    b64('__proto__:x'),
    b64(':'),
    b64('Task:-1'),
    b64(`Task:${'-'.repeat(36)}`),
    b64(`Query:${uuid}`),
    `Task:${realRow}`,
    realRow,
    '\u0000',
    '\ud800',
    'x'.repeat(200_000),
    rng.bytes(64).toString('base64'),
    rng.bytes(3).toString('latin1'),
    '🦊🦊🦊',
  ];
  const idQueries = [
    'query($id: ID!) { task(id: $id) { id } }',
    'query($id: ID!) { character(id: $id) { id } }',
    'query($id: ID!) { node(id: $id) { id } }',
  ];
  for (const id of ids) {
    probes.push({
      category: 'ids-cursors',
      name: `id ${JSON.stringify(id).slice(0, 50)}`,
      send: post(operation(rng.pick(idQueries), { id })),
    });
  }
  for (const id of [b64(`Task:${uuid}`), 'x', b64(`Character:${realRow}`)]) {
    probes.push({
      category: 'ids-cursors',
      name: `taskUpdated over SSE ${id.slice(0, 20)}`,
      send: post(
        operation('subscription($id: ID!) { taskUpdated(id: $id) { id state } }', { id }),
        { accept: 'text/event-stream' },
      ),
    });
  }
  const cursors = [
    'garbage',
    '!!!',
    b64url('[]'),
    b64url('{}'),
    b64url('null'),
    b64url('"x"'),
    b64url(`["2020-01-01T00:00:00Z","${uuid}"]`),
    b64url(`["-271821-04-20T00:00:00.000Z","${uuid}"]`),
    b64url(`["+275760-09-13T00:00:00.000Z","${uuid}"]`),
    b64url(`["2020-01-01T00:00:00Z","${'-'.repeat(36)}"]`),
    b64url(`["2020-01-01T00:00:00Z","${'f'.repeat(36)}"]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid}","NaN"]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid}",1e308]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid}",-1e308]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid}",1,2,3]`),
    b64url(`[0,"${uuid}"]`),
    b64url(`[null,"${uuid}"]`),
    b64url(`["2020-13-45T99:99:99Z","${uuid}"]`),
    b64url(`["${'9'.repeat(30)}","${uuid}"]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid.toUpperCase()}"]`),
    b64url(JSON.stringify(['2020-01-01T00:00:00Z', uuid, 'x'.repeat(100_000)])),
    'x'.repeat(100_000),
    b64url('['.repeat(10_000)),
  ];
  const cursorQueries = [
    'query($a: String) { tasks(after: $a) { edges { cursor } } }',
    'query($a: String) { characters(after: $a) { edges { cursor } } }',
    'query($a: String) { characters(search: "cat", after: $a) { edges { cursor } } }',
    'query($a: String) { characters(search: "cat", orderBy: NEWEST, after: $a) { edges { cursor } } }',
  ];
  for (const cursor of cursors) {
    probes.push({
      category: 'ids-cursors',
      name: `cursor ${cursor.slice(0, 40)}`,
      send: post(operation(rng.pick(cursorQueries), { a: cursor })),
    });
  }
  for (let i = 0; i < 8; i++) {
    const parts = [
      rng.pick([new Date(rng.range(-8.64e15, 8.64e15)).toISOString(), rng.word(), 0]),
      rng.pick([rng.uuid(), rng.word(36, 36)]),
      ...(rng.chance(0.5) ? [rng.next() * 10 ** rng.range(0, 300)] : []),
    ];
    probes.push({
      category: 'ids-cursors',
      name: `random cursor ${i}`,
      send: post(operation(rng.pick(cursorQueries), { a: b64url(JSON.stringify(parts)) })),
    });
  }
  return probes;
}

function methodsAndPaths(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, method: string, path: string, body?: string) =>
    probes.push({
      category: 'methods-paths',
      name,
      send: {
        kind: 'http',
        method,
        path,
        headers: { ...json, ...auth },
        ...(body !== undefined && { body }),
      },
    });
  const body = operation('{ credits }');
  for (const method of [
    'PUT',
    'DELETE',
    'PATCH',
    'PROPFIND',
    'HEAD',
    'OPTIONS',
    'SEARCH',
    'LOCK',
  ]) {
    add(`${method} /graphql`, method, '/graphql', method === 'HEAD' ? undefined : body);
  }
  for (const method of ['POST', 'PUT', 'DELETE']) {
    add(`${method} /health`, method, '/health', body);
    add(`${method} /health/live`, method, '/health/live', body);
  }
  const paths = [
    '/',
    '/graphql/',
    '/GRAPHQL',
    '/graphql/extra',
    '/graphql.json',
    '//graphql',
    '/./graphql',
    '/%2e%2e/graphql',
    '/graphql%00',
    '/graphql;x',
    '/webhooks',
    '/webhooks/kie/',
    '/webhooks/KIE',
    '/webhooks/kie/extra',
    '/health/',
    '/health/live/extra',
    '/favicon.ico',
    '/.env',
    '/../../etc/passwd',
    `/${'a'.repeat(10_000)}`,
    '/%',
    '/%zz',
    '/emulator/stats',
  ];
  for (const path of paths) add(`POST ${path.slice(0, 40)}`, rng.pick(['GET', 'POST']), path, body);
  for (let i = 0; i < 10; i++) {
    const path = `/${Array.from({ length: rng.range(1, 4) }, () => rng.word()).join('/')}`;
    add(`random path ${path}`, rng.pick(['GET', 'POST', 'PUT', 'DELETE']), path, body);
  }
  return probes;
}

function protocol(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, send: Send) => probes.push({ category: 'protocol', name, send });
  const body = operation('{ credits }');
  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
  /** The head of an authenticated JSON POST to /graphql, with these framing headers. */
  const postHead = (framing: string[]) =>
    head([
      'POST /graphql HTTP/1.1',
      'Host: x',
      `Authorization: Bearer ${KEY}`,
      'Content-Type: application/json',
      ...framing,
    ]);
  const chunkedClose = ['Transfer-Encoding: chunked', 'Connection: close'];
  const size = body.length.toString(16);
  const chunk = `${size}\r\n${body}\r\n`;
  const fixed: [string, string, boolean?][] = [
    ['garbage request line', 'GARBAGE\r\n\r\n'],
    ['HTTP/9.9', head(['GET /health HTTP/9.9', 'Host: x'])],
    ['HTTP/0.9', 'GET /health\r\n\r\n'],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['no Host', head(['GET /health HTTP/1.1', 'Connection: close'])],
    ['two Hosts', head(['GET /health HTTP/1.1', 'Host: a', 'Host: b', 'Connection: close'])],
    [
      'header without colon',
      head(['GET /health HTTP/1.1', 'Host: x', 'Broken header', 'Connection: close']),
    ],
    ['space before colon', head(['GET /health HTTP/1.1', 'Host : x', 'Connection: close'])],
    [
      'obsolete line folding',
      head(['GET /health HTTP/1.1', 'Host: x', 'X-A: a', ' folded', 'Connection: close']),
    ],
    [
      'NUL in a header',
      head(['GET /health HTTP/1.1', 'Host: x', 'X-A: a\u0000b', 'Connection: close']),
    ],
    [
      'header of 20 KB',
      head(['GET /health HTTP/1.1', 'Host: x', `X-A: ${'a'.repeat(20_000)}`, 'Connection: close']),
    ],
    [
      '300 headers',
      head([
        'GET /health HTTP/1.1',
        'Host: x',
        ...Array.from({ length: 300 }, (_, i) => `X-${i}: ${i}`),
        'Connection: close',
      ]),
    ],
    ['lower-case method', head(['get /health HTTP/1.1', 'Host: x', 'Connection: close'])],
    ['tab in the request line', 'GET\t/health\tHTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['LF only', 'GET /health HTTP/1.1\nHost: x\nConnection: close\n\n'],
    ['OPTIONS *', head(['OPTIONS * HTTP/1.1', 'Host: x', 'Connection: close'])],
    [
      'absolute-form target',
      head([
        'GET http://evil.example.com/graphql HTTP/1.1',
        'Host: x',
        `Authorization: Bearer ${KEY}`,
        'Connection: close',
      ]),
    ],
    ['CONNECT', head(['CONNECT evil.example.com:443 HTTP/1.1', 'Host: evil.example.com:443'])],
    ['TRACE', head(['TRACE /graphql HTTP/1.1', 'Host: x', 'Connection: close'])],
    [
      'Expect: 100-continue without a body',
      postHead(['Content-Length: 20', 'Expect: 100-continue']),
      true,
    ],
    [
      'Expect: nonsense',
      head([
        'POST /graphql HTTP/1.1',
        'Host: x',
        'Content-Length: 0',
        'Expect: nonsense',
        'Connection: close',
      ]),
    ],
    [
      'Transfer-Encoding gzip',
      `${postHead(['Transfer-Encoding: gzip', 'Connection: close'])}${body}`,
    ],
    [
      'Transfer-Encoding chunked, identity',
      `${postHead(['Transfer-Encoding: chunked, identity', 'Connection: close'])}${body}`,
    ],
    [
      'Content-Length and Transfer-Encoding',
      `${postHead([`Content-Length: ${body.length}`, ...chunkedClose])}${chunk}0\r\n\r\n`,
    ],
    ['bad chunk size', `${postHead(chunkedClose)}zz\r\n${body}\r\n0\r\n\r\n`],
    ['chunk without CRLF', `${postHead(chunkedClose)}${size}\r\n${body}0\r\n\r\n`],
    ['chunk longer than said', `${postHead(chunkedClose)}2\r\n${body}\r\n0\r\n\r\n`],
    ['huge chunk size', `${postHead(chunkedClose)}ffffffffffffffff\r\n${body}\r\n`, true],
    [
      'chunk extension garbage',
      `${postHead(chunkedClose)}${size};\u0001\u0002=\r\n${body}\r\n0\r\n\r\n`,
    ],
    ['no last chunk', `${postHead(['Transfer-Encoding: chunked'])}${chunk}`, true],
    ['body shorter than Content-Length', `${postHead(['Content-Length: 500'])}${body}`, true],
    [
      'callback shorter than Content-Length',
      `${head(['POST /webhooks/kie HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: 500'])}{"code":200`,
      true,
    ],
    ['pipelined garbage', `${head(['GET /health HTTP/1.1', 'Host: x'])}GARBAGE\r\n\r\n`],
    [
      'smuggled request',
      `${head(['POST /health HTTP/1.1', 'Host: x', 'Content-Length: 4', 'Transfer-Encoding: chunked'])}0\r\n\r\nGET /graphql HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
  ];
  for (const [name, text, incomplete] of fixed) {
    add(name, {
      kind: 'raw',
      bytes: Buffer.from(text, 'latin1'),
      ...(incomplete && { incomplete: true }),
    });
  }
  const subscribe = (id: string, query: string, variables?: unknown) =>
    JSON.stringify({
      id,
      type: 'subscribe',
      payload: { query, ...(variables !== undefined && { variables }) },
    });
  const wsMessages: [string, string[]][] = [
    ['syntax error', [subscribe('1', '{ nope')]],
    ['unknown field', [subscribe('1', 'subscription { nope }')]],
    ['over the token limit', [subscribe('1', `{ ${'__typename '.repeat(2_100)}}`)]],
    [
      'too deep',
      [
        subscribe(
          '1',
          `{ ${'tasks { edges { node { character { task { '.repeat(3)} id ${'} } } } } '.repeat(3)}}`,
        ),
      ],
    ],
    [
      'deep list literal',
      [
        subscribe(
          '1',
          `subscription { taskUpdated(id: ${'['.repeat(1_990)}1${']'.repeat(1_990)}) { id } }`,
        ),
      ],
    ],
    [
      'wrong variable type',
      [subscribe('1', 'subscription($id: ID!) { taskUpdated(id: $id) { id } }', { id: {} })],
    ],
    [
      'unknown task',
      [subscribe('1', 'subscription($id: ID!) { taskUpdated(id: $id) { id } }', { id: 'nope' })],
    ],
    ['no id', [JSON.stringify({ type: 'subscribe', payload: { query: '{ credits }' } })]],
    ['no payload', [JSON.stringify({ id: '1', type: 'subscribe' })]],
    ['not JSON', ['{"type":']],
    ['unknown type', [JSON.stringify({ id: '1', type: 'explode' })]],
    [
      'duplicate id',
      [
        subscribe('1', 'subscription($id: ID!) { taskUpdated(id: $id) { id } }', {
          id: b64(`Task:${rng.uuid()}`),
        }),
        subscribe('1', '{ __typename }'),
      ],
    ],
    ['a second connection_init', [JSON.stringify({ type: 'connection_init', payload: auth })]],
    [
      'a mutation that fails validation',
      [subscribe('1', CREATE_CHARACTER, { input: { videoUrl: 'ftp://x' } })],
    ],
    ['random bytes', [rng.bytes(200).toString('latin1')]],
  ];
  for (const [name, messages] of wsMessages) {
    add(`graphql-ws: ${name}`, { kind: 'ws', payload: auth, messages });
  }
  for (let i = 0; i < 10; i++) {
    add(`random bytes ${i}`, {
      kind: 'raw',
      bytes: Buffer.concat([rng.bytes(rng.range(1, 400)), Buffer.from('\r\n\r\n')]),
      incomplete: true,
    });
  }
  for (let i = 0; i < 6; i++) {
    const lines = [
      'POST /graphql HTTP/1.1',
      'Host: x',
      `Authorization: Bearer ${KEY}`,
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
      'Connection: close',
    ];
    const at = rng.range(1, lines.length - 1);
    lines[at] = rng
      .bytes(rng.range(1, 30))
      .toString('latin1')
      .replace(/[\r\n]/g, '');
    add(`random header line ${i}`, {
      kind: 'raw',
      bytes: Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1'),
    });
  }
  return probes;
}

// ---------------------------------------------------------------------------------------------

let t: TestGateway;
let real: RealTask;

beforeAll(async () => {
  t = await startTestGateway({
    env: { GATEWAY_API_KEYS: `acme:${KEY}` },
    emulator: { timing: { waitingMs: 400, queuingMs: 400, generatingMs: 400 } },
  });
  port = Number(new URL(t.gateway.url).port);
  // One real task, completed by a signed callback we keep to replay later.
  t.emulator.setCallbackMode('drop');
  const created = await graphql(
    t.graphqlUrl,
    CREATE_CHARACTER,
    {
      input: { videoUrl: 'https://videos.example.com/cat.mp4', prompt: 'A sleepy cat in a basket' },
    },
    KEY,
  );
  const task = (created.data as any).createCharacter.task;
  const row = (await t.gateway.database.db.select().from(tasks)).find(
    (candidate) => candidate.providerTaskId === task.providerTaskId,
  );
  if (!row) throw new Error('the real task was not stored');
  const callback = callbackBody(task.providerTaskId, 'success', 'char_real_cat');
  const ts = now();
  const answer = await fetch(`${t.webhookUrl}?task=${row.id}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-webhook-timestamp': String(ts),
      'x-webhook-signature': signWebhook(task.providerTaskId, ts, TEST_HMAC_KEY),
    },
    body: callback,
  });
  expect(answer.status).toBe(200);
  expect(['applied', 'stale']).toContain((await answer.json()).outcome);
  await waitFor(async () => {
    const [current] = (await t.gateway.database.db.select().from(tasks)).filter(
      (candidate) => candidate.id === row.id,
    );
    return current?.state === 'SUCCESS' && current.nextPollAt === null;
  });
  const read = await graphql(
    t.graphqlUrl,
    'query($id: ID!) { task(id: $id) { character { id } } }',
    { id: task.id },
    KEY,
  );
  real = {
    id: row.id,
    globalId: task.id,
    providerTaskId: task.providerTaskId,
    callback,
    characterGlobalId: (read.data as any).task.character.id,
  };
});

afterAll(async () => {
  await t?.close();
});

describe('a barrage of malformed requests', () => {
  it('answers every one below 500, stays up, and changes nothing in the database', {
    timeout: 120_000,
  }, async () => {
    const rng = new Rng(SEED);
    const probes = [
      ...invalidJson(rng),
      ...wrongTypes(rng),
      ...unknownFields(rng),
      ...hugeDocuments(rng),
      ...deepDocuments(rng),
      ...invalidUtf8(rng),
      ...contentTypes(rng),
      ...getParams(rng),
      ...brokenMultipart(rng),
      ...oversize(rng),
      ...forgedCallbacks(rng, real),
      ...replayedCallbacks(rng, real),
      ...apiKeyProbes(rng),
      ...idsAndCursors(rng, real),
      ...methodsAndPaths(rng),
      ...protocol(rng),
    ];
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const before = await snapshot(t);
    const started = Date.now();
    const results = await runAll(probes, t);
    const elapsed = Date.now() - started;

    const histogram = new Map<string, number>();
    const byCategory = new Map<string, Map<string, number>>();
    for (const { probe, outcome } of results) {
      const key = String(outcome);
      histogram.set(key, (histogram.get(key) ?? 0) + 1);
      const perCategory = byCategory.get(probe.category) ?? new Map<string, number>();
      perCategory.set(key, (perCategory.get(key) ?? 0) + 1);
      byCategory.set(probe.category, perCategory);
    }
    const show = (counts: Map<string, number>) =>
      [...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, n]) => `${key}: ${n}`)
        .join(', ');
    console.log(
      [
        `bad-input (${process.env.TEST_DATABASE}, seed ${SEED}): ${results.length} malformed requests, ${(sentBytes(probes) / 1e6).toFixed(1)} MB, in ${elapsed} ms`,
        `statuses: ${show(histogram)}`,
        ...[...byCategory].map(([category, counts]) => `  ${category.padEnd(20)} ${show(counts)}`),
      ].join('\n'),
    );

    if (process.env.BAD_INPUT_VERBOSE) {
      for (const { probe, outcome } of results) console.log(`${outcome} ${describeProbe(probe)}`);
    }

    const failures = results.filter(
      ({ outcome, probe }) =>
        (typeof outcome === 'number' && outcome >= 500) ||
        // graphql-ws's 4500: an internal error, its 5xx.
        (typeof outcome === 'string' && /^ws:45\d\d$/.test(outcome)) ||
        // Only a request we left incomplete may go unanswered.
        (outcome === 'no-answer' && !(probe.send.kind === 'raw' && probe.send.incomplete)),
    );
    // Soft, so that a 5xx does not hide what the barrage did to the process and the database.
    expect
      .soft(failures.map(({ probe, outcome }) => `${outcome} ${describeProbe(probe)}`))
      .toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(500);
    // A wrong or missing key is never let in, whatever the request carries.
    const admitted = results.filter(
      ({ probe, outcome }) =>
        probe.category === 'api-keys' &&
        !(outcome === 401 || outcome === 400 || outcome === 'ws:4401' || outcome === 'ws:4400'),
    );
    expect
      .soft(admitted.map(({ probe, outcome }) => `${outcome} ${describeProbe(probe)}`))
      .toEqual([]);

    // Alive, and still serving.
    const health = await fetch(`${t.gateway.url}/health`);
    expect(health.status).toBe(200);
    const read = await graphql(
      t.graphqlUrl,
      'query($id: ID!) { task(id: $id) { id state } }',
      { id: real.globalId },
      KEY,
    );
    expect(read).toEqual({ data: { task: { id: real.globalId, state: 'SUCCESS' } } });

    // Nothing written, nothing polluted, nothing left in the spool.
    expect.soft(await snapshot(t)).toEqual(before);
    expect.soft(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect.soft(({} as Record<string, unknown>).polluted).toBeUndefined();
    const spooled = async () => (await readdir(t.gateway.uploadDirectory)).length === 0;
    await waitFor(spooled, 5_000).catch(() => {});
    expect.soft(await readdir(t.gateway.uploadDirectory)).toEqual([]);
  });
});
