import { fileURLToPath } from 'node:url';
import { CREATE_CHARACTER } from '../support/graphql.ts';
import type { Probe } from './probes.ts';
import { CREATE_VALID_URL, operation, post } from './requests.ts';
import type { Rng } from './rng.ts';

export function wrongTypes(rng: Rng): Probe[] {
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
