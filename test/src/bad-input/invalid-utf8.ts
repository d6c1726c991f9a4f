import type { Probe } from './probes.ts';
import { auth, INVALID_CREATE, KEY, operation, post, READ_ONLY } from './requests.ts';
import type { Rng } from './rng.ts';

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

export function invalidUtf8(rng: Rng): Probe[] {
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
