import type { Probe } from './probes.ts';
import { operation, post } from './requests.ts';
import type { Rng } from './rng.ts';

export function hugeDocuments(rng: Rng): Probe[] {
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
