import type { OutgoingHttpHeaders } from 'node:http';
import type { Probe } from './probes.ts';
import { INVALID_CREATE, operation, post, READ_ONLY } from './requests.ts';
import type { Rng } from './rng.ts';

export function invalidJson(rng: Rng): Probe[] {
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
