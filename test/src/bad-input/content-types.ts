import type { OutgoingHttpHeaders } from 'node:http';
import type { Probe } from './probes.ts';
import { auth, INVALID_CREATE, operation, post } from './requests.ts';
import type { Rng } from './rng.ts';

export function contentTypes(rng: Rng): Probe[] {
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
