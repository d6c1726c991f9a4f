import { CREATE_CHARACTER } from '../support/graphql.ts';
import type { Probe, Send } from './probes.ts';
import { auth, b64, KEY, operation } from './requests.ts';
import type { Rng } from './rng.ts';

export function protocol(rng: Rng): Probe[] {
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
