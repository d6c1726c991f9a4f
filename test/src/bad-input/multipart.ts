import { CREATE_CHARACTER } from '../support/graphql.ts';
import { fixture } from '../support/upload.ts';
import type { Probe, Send } from './probes.ts';
import { KEY, multipart, multipartBody, operation, type Part } from './requests.ts';
import type { Rng } from './rng.ts';

export function brokenMultipart(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, send: Send) => probes.push({ category: 'multipart', name, send });
  const junk = () => rng.bytes(rng.range(10, 5_000));
  const image = Buffer.from(fixture('image.png'));
  const operations = operation(CREATE_CHARACTER, { input: { video: null, prompt: 'multipart' } });
  const map = JSON.stringify({ 0: ['variables.input.video'] });
  const boundary = () => `----bound${rng.bytes(6).toString('hex')}`;
  const valid = (b: string) =>
    multipartBody(
      [
        { name: 'operations', data: operations },
        { name: 'map', data: map },
        { name: '0', filename: 'a.mp4', type: 'video/mp4', data: junk() },
      ],
      b,
    );
  let b = boundary();
  add('no boundary', multipart(valid(b), undefined));
  add('empty boundary', multipart(valid(b), ''));
  add('another boundary', multipart(valid(b), boundary()));
  add('empty body', multipart(Buffer.alloc(0), b));
  add('only the closing delimiter', multipart(Buffer.from(`--${b}--\r\n`), b));
  add(
    'no closing delimiter',
    multipart(multipartBody([{ name: 'operations', data: operations }], b, false), b),
  );
  add('JSON body', multipart(Buffer.from(operations), b));
  for (let i = 0; i < 10; i++) {
    b = boundary();
    const body = valid(b);
    const cut = rng.range(1, body.length - 1);
    add(`truncated at ${cut} of ${body.length}`, multipart(body.subarray(0, cut), b));
  }
  const ops = (data: string | Buffer = operations): Part => ({ name: 'operations', data });
  const mapOf = (data: string = map): Part => ({ name: 'map', data });
  const file = (name = '0', data: Buffer = junk(), filename = 'a.mp4'): Part => ({
    name,
    filename,
    data,
  });
  const raw = (headers: string, data: string | Buffer): Part => ({ headers, data });
  const batch = JSON.stringify([JSON.parse(operations), JSON.parse(operations)]);
  const badUtf8Operations = Buffer.concat([
    Buffer.from(operations.slice(0, 40)),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(operations.slice(40)),
  ]);
  const cases: [string, Part[]][] = [
    ['missing operations', [mapOf(), file()]],
    ['missing map', [ops(), file()]],
    ['operations not JSON', [ops('{"query":'), mapOf(), file()]],
    ['operations null', [ops('null'), mapOf(), file()]],
    ['operations a string', [ops('"{ credits }"'), mapOf('{}')]],
    ['operations a batch', [ops(batch), mapOf('{"0":["0.variables.input.video"]}'), file()]],
    ['map not JSON', [ops(), mapOf('{0:'), file()]],
    ['map an array', [ops(), mapOf('[["variables.input.video"]]'), file()]],
    ['map null', [ops(), mapOf('null'), file()]],
    ['map a string', [ops(), mapOf('"x"'), file()]],
    ['map entry not an array', [ops(), mapOf('{"0":"variables.input.video"}'), file()]],
    ['map entry of numbers', [ops(), mapOf('{"0":[5, null, {}]}'), file()]],
    ['map names a missing file', [ops(), mapOf('{"1":["variables.input.video"]}'), file()]],
    ['map names a file, none sent', [ops(), mapOf()]],
    ['file not in map', [ops(), mapOf('{}'), file()]],
    ['file part without filename', [ops(), mapOf(), { name: '0', data: junk() }]],
    ['file part without name', [ops(), mapOf(), { filename: 'a.mp4', data: junk() }]],
    ['part without headers', [ops(), mapOf(), raw('', junk())]],
    ['a header without colon', [ops(), raw('Content-Disposition form-data; name="map"', map)]],
    [
      'a huge part header',
      [
        ops(),
        raw(`Content-Disposition: form-data; name="map"\r\nX-Pad: ${'x'.repeat(100_000)}`, map),
      ],
    ],
    ['path traversal filename', [ops(), mapOf(), file('0', image, '../../../../tmp/evil.mp4')]],
    ['an image', [ops(), mapOf(), { ...file('0', image), type: 'video/mp4' }]],
    ['file before operations', [{ ...file('0', image), type: 'video/mp4' }, ops(), mapOf()]],
    ['file before map', [ops(), file(), mapOf()]],
    ['three fields', [ops(), mapOf(), { name: 'extra', data: 'x' }, file()]],
    ['operations twice', [ops('{"query":"{ credits }"}'), ops()]],
    [
      'operations over 1 MB',
      [ops(operation('{ credits }', { pad: 'x'.repeat(1_050_000) })), mapOf('{}')],
    ],
    [
      'map over 1 MB',
      [ops(), mapOf(JSON.stringify({ 0: ['variables.input.video'], pad: 'x'.repeat(1_050_000) }))],
    ],
    ['invalid UTF-8 in operations', [ops(badUtf8Operations), mapOf(), file()]],
    [
      'invalid UTF-8 in a field name',
      [raw('Content-Disposition: form-data; name="op\xff\xfe"', operations)],
    ],
  ];
  for (const n of [2, 3, 5]) {
    const names = Array.from({ length: n }, (_, i) => String(i));
    const fileMap = Object.fromEntries(names.map((name) => [name, ['variables.input.video']]));
    cases.push([
      `${n} files`,
      [ops(), mapOf(JSON.stringify(fileMap)), ...names.map((name) => file(name))],
    ]);
  }
  const paths = [
    'variables.nope.deep',
    '',
    '.',
    '..',
    'variables..video',
    'variables.input.video.x',
    'variables.input.prompt.x',
    'query.x',
    '__proto__.polluted',
    '__proto__',
    'variables.__proto__.polluted',
    'variables.input.__proto__',
    'variables.input.__proto__.polluted',
    'constructor.prototype.polluted',
    'variables.constructor.prototype.polluted',
    'variables.input.constructor',
    'variables.input.toString',
    `${'a.'.repeat(5_000)}b`,
  ];
  for (const path of paths) {
    cases.push([
      `map path ${path.slice(0, 40)}`,
      [ops(), mapOf(JSON.stringify({ 0: [path] })), file()],
    ]);
  }
  for (const [name, parts] of cases) {
    b = boundary();
    add(name, multipart(multipartBody(parts, b), b));
  }
  b = boundary();
  add('LF line endings', multipart(multipartBody([ops(), mapOf(), file()], b, true, '\n'), b));
  b = boundary();
  add('random bytes', multipart(rng.bytes(3_000), b));
  b = boundary();
  add('chunked, broken off', {
    kind: 'raw',
    bytes: Buffer.concat([
      Buffer.from(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: multipart/form-data; boundary=${b}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      ),
      (() => {
        const body = valid(b).subarray(0, 600);
        return Buffer.concat([
          Buffer.from(`${body.length.toString(16)}\r\n`),
          body,
          Buffer.from('\r\n'),
        ]);
      })(),
    ]),
    incomplete: true,
  });
  b = boundary();
  add('content-length longer than the body', {
    kind: 'raw',
    bytes: Buffer.concat([
      Buffer.from(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: multipart/form-data; boundary=${b}\r\nContent-Length: 100000\r\n\r\n`,
      ),
      valid(b).subarray(0, 700),
    ]),
    incomplete: true,
  });
  return probes;
}
