import type { OutgoingHttpHeaders } from 'node:http';
import type { Probe } from './probes.ts';
import { auth, CREATE_VALID_URL } from './requests.ts';
import type { Rng } from './rng.ts';

export function getParams(rng: Rng): Probe[] {
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
