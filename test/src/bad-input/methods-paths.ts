import type { Probe } from './probes.ts';
import { auth, json, operation } from './requests.ts';
import type { Rng } from './rng.ts';

export function methodsAndPaths(rng: Rng): Probe[] {
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
