import type { Probe } from './probes.ts';
import { CREATE_VALID_URL, operation, post } from './requests.ts';
import type { Rng } from './rng.ts';

export function unknownFields(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, body: string) =>
    probes.push({ category: 'unknown-fields', name, send: post(body) });
  const templates: ((w: string, W: string) => string)[] = [
    (w) => `{ ${w} }`,
    (w) => `{ tasks { ${w} } }`,
    (w) => `{ tasks { edges { node { ${w} } } } }`,
    (w) => `{ task(${w}: 1) { id } }`,
    (w) => `{ credits(${w}: "x") }`,
    (w) => `{ characters(${w}: "x") { edges { node { id } } } }`,
    (w) =>
      `mutation { createCharacter(input: { videoUrl: "${CREATE_VALID_URL}", ${w}: 1 }) { __typename } }`,
    (w) =>
      `mutation { createCharacter(input: { videoUrl: "${CREATE_VALID_URL}" }, ${w}: true) { __typename } }`,
    (w) => `mutation { ${w} }`,
    (w) => `subscription { ${w} }`,
    (_w, W) => `{ node(id: "x") { ... on ${W} { id } } }`,
    (w) => `{ credits @${w} }`,
    (_w, W) => `{ ...${W} }`,
    (w, W) => `query($${w}: ${W}) { credits }`,
    (w) => `{ credits ${w}: nope }`,
    (w) => `fragment F on ${w} { id } { ...F }`,
  ];
  for (let i = 0; i < 48; i++) {
    const w = rng.word();
    const W = w[0]?.toUpperCase() + w.slice(1);
    const template = templates[i % templates.length] as (w: string, W: string) => string;
    add(`template ${i % templates.length} (${w})`, operation(template(w, W)));
  }
  const fixed: [string, Record<string, unknown>][] = [
    ['query A { credits } query A { credits }', {}],
    ['query A { credits } query B { credits }', {}],
    ['query A { credits } query B { credits }', { operationName: 'C' }],
    ['{ credits }', { operationName: 'Nope' }],
    ['query($x: String) { credits }', { variables: { y: 1 } }],
    ['{ credits @include }', {}],
    ['{ credits @include(if: "yes") }', {}],
    ['{ credits @skip(if: true) @skip(if: false) }', {}],
    ['query { task { id } }', {}],
    ['{ tasks { edges { node { id ... on Character { characterId } } } } }', {}],
    ['{ __type(name: 1) { name } }', {}],
    ['{ __schema { nope } }', {}],
    ['subscription { taskUpdated(id: "x") { id } taskUpdated2: taskUpdated(id: "y") { id } }', {}],
  ];
  for (const [query, extra] of fixed) add(`fixed ${query}`, operation(query, undefined, extra));
  return probes;
}
