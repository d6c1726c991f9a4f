import type { Probe } from './probes.ts';
import { b64, b64url, operation, post } from './requests.ts';
import type { Rng } from './rng.ts';
import type { RealTask } from './state.ts';

export function idsAndCursors(rng: Rng, real: RealTask): Probe[] {
  const probes: Probe[] = [];
  const uuid = rng.uuid();
  const realRow = real.id;
  const ids = [
    '',
    ' ',
    'x',
    'VGFzazo',
    b64('Task:'),
    b64('Task:nope'),
    b64(`Task:${uuid}`),
    b64(`Task:${uuid}\u0000`),
    b64(`Character:${realRow}`),
    real.characterGlobalId,
    b64(`Task:${realRow}'; drop table tasks; --`),
    b64(`Task:${realRow} `),
    b64(`Task:${'a'.repeat(100_000)}`),
    b64('__proto__:x'),
    b64(':'),
    b64('Task:-1'),
    b64(`Task:${'-'.repeat(36)}`),
    b64(`Query:${uuid}`),
    `Task:${realRow}`,
    realRow,
    '\u0000',
    '\ud800',
    'x'.repeat(200_000),
    rng.bytes(64).toString('base64'),
    rng.bytes(3).toString('latin1'),
    '🦊🦊🦊',
  ];
  const idQueries = [
    'query($id: ID!) { task(id: $id) { id } }',
    'query($id: ID!) { character(id: $id) { id } }',
    'query($id: ID!) { node(id: $id) { id } }',
  ];
  for (const id of ids) {
    probes.push({
      category: 'ids-cursors',
      name: `id ${JSON.stringify(id).slice(0, 50)}`,
      send: post(operation(rng.pick(idQueries), { id })),
    });
  }
  for (const id of [b64(`Task:${uuid}`), 'x', b64(`Character:${realRow}`)]) {
    probes.push({
      category: 'ids-cursors',
      name: `taskUpdated over SSE ${id.slice(0, 20)}`,
      send: post(
        operation('subscription($id: ID!) { taskUpdated(id: $id) { id state } }', { id }),
        { accept: 'text/event-stream' },
      ),
    });
  }
  const cursors = [
    'garbage',
    '!!!',
    b64url('[]'),
    b64url('{}'),
    b64url('null'),
    b64url('"x"'),
    b64url(`["2020-01-01T00:00:00Z","${uuid}"]`),
    b64url(`["-271821-04-20T00:00:00.000Z","${uuid}"]`),
    b64url(`["+275760-09-13T00:00:00.000Z","${uuid}"]`),
    b64url(`["2020-01-01T00:00:00Z","${'-'.repeat(36)}"]`),
    b64url(`["2020-01-01T00:00:00Z","${'f'.repeat(36)}"]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid}","NaN"]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid}",1e308]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid}",-1e308]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid}",1,2,3]`),
    b64url(`[0,"${uuid}"]`),
    b64url(`[null,"${uuid}"]`),
    b64url(`["2020-13-45T99:99:99Z","${uuid}"]`),
    b64url(`["${'9'.repeat(30)}","${uuid}"]`),
    b64url(`["2020-01-01T00:00:00Z","${uuid.toUpperCase()}"]`),
    b64url(JSON.stringify(['2020-01-01T00:00:00Z', uuid, 'x'.repeat(100_000)])),
    'x'.repeat(100_000),
    b64url('['.repeat(10_000)),
  ];
  const cursorQueries = [
    'query($a: String) { tasks(after: $a) { edges { cursor } } }',
    'query($a: String) { characters(after: $a) { edges { cursor } } }',
    'query($a: String) { characters(search: "cat", after: $a) { edges { cursor } } }',
    'query($a: String) { characters(search: "cat", orderBy: NEWEST, after: $a) { edges { cursor } } }',
  ];
  for (const cursor of cursors) {
    probes.push({
      category: 'ids-cursors',
      name: `cursor ${cursor.slice(0, 40)}`,
      send: post(operation(rng.pick(cursorQueries), { a: cursor })),
    });
  }
  for (let i = 0; i < 8; i++) {
    const parts = [
      rng.pick([new Date(rng.range(-8.64e15, 8.64e15)).toISOString(), rng.word(), 0]),
      rng.pick([rng.uuid(), rng.word(36, 36)]),
      ...(rng.chance(0.5) ? [rng.next() * 10 ** rng.range(0, 300)] : []),
    ];
    probes.push({
      category: 'ids-cursors',
      name: `random cursor ${i}`,
      send: post(operation(rng.pick(cursorQueries), { a: b64url(JSON.stringify(parts)) })),
    });
  }
  return probes;
}
