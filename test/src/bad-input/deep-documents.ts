import { CREATE_CHARACTER } from '../support/graphql.ts';
import type { Probe } from './probes.ts';
import { operation, post } from './requests.ts';
import type { Rng } from './rng.ts';

export function deepDocuments(rng: Rng): Probe[] {
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
