import type { OutgoingHttpHeaders } from 'node:http';
import { CREATE_CHARACTER } from '../support/graphql.ts';
import type { Probe } from './probes.ts';
import {
  b64,
  CREATE_VALID_URL,
  json,
  KEY,
  OTHER_KEY,
  operation,
  post,
  rawPost,
} from './requests.ts';
import type { Rng } from './rng.ts';

export function apiKeyProbes(rng: Rng): Probe[] {
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
