import { MAX_VIDEO_BYTES } from '@charanim/provider';
import { CREATE_CHARACTER } from '../support/graphql.ts';
import { fixture } from '../support/upload.ts';
import type { Probe, Send } from './probes.ts';
import { auth, json, KEY, operation, post, rawRequest } from './requests.ts';
import type { Rng } from './rng.ts';

export function oversize(rng: Rng): Probe[] {
  const probes: Probe[] = [];
  const add = (name: string, send: Send) => probes.push({ category: 'oversize', name, send });
  const declared = (path: string, type: string, length: string, extra = '') =>
    rawRequest(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n${extra}\r\n`,
      '{"query":"{ credits }"',
      { incomplete: true },
    );
  for (const length of ['500000000', '1048577', String(rng.range(2_000_000, 900_000_000))]) {
    add(`JSON declared ${length}`, declared('/graphql', 'application/json', length));
    add(
      `multipart declared ${length}`,
      declared('/graphql', 'multipart/form-data; boundary=x', length),
    );
    add(`callback declared ${length}`, declared('/webhooks/kie', 'application/json', length));
  }
  for (const length of ['99999999999999999999', '-1', '1e9', 'abc', '1, 2', '0x10', ' 12 ']) {
    add(`content-length ${length}`, declared('/graphql', 'application/json', length));
  }
  add(
    'two content-lengths',
    declared('/graphql', 'application/json', '5', 'Content-Length: 500000000\r\n'),
  );
  add('JSON body of 1.1 MB', post(operation('{ credits }', { pad: 'x'.repeat(1_100_000) })));
  add('chunked JSON body of 1.5 MB', {
    kind: 'http',
    method: 'POST',
    path: '/graphql',
    headers: { ...json, ...auth },
    body: operation('{ credits }', { pad: 'x'.repeat(1_500_000) }),
    chunked: true,
  });
  add('callback of 70 KB', {
    kind: 'http',
    method: 'POST',
    path: '/webhooks/kie',
    headers: json,
    body: JSON.stringify({ code: 200, msg: 'x'.repeat(70_000), data: { taskId: 'task_x' } }),
  });
  add('chunked callback of 200 KB', {
    kind: 'http',
    method: 'POST',
    path: '/webhooks/kie',
    headers: json,
    body: 'x'.repeat(200_000),
    chunked: true,
  });
  add('a video of 10 MB + 1 byte', {
    kind: 'upload',
    form: () => {
      const head = fixture('clip-2s.mp4');
      const file = new Uint8Array(MAX_VIDEO_BYTES + 1);
      file.set(head.subarray(0, Math.min(head.length, file.length)));
      const form = new FormData();
      form.append(
        'operations',
        operation(CREATE_CHARACTER, { input: { video: null, prompt: 'too big' } }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.input.video'] }));
      form.append('0', new Blob([file], { type: 'video/mp4' }), 'big.mp4');
      return form;
    },
  });
  return probes;
}
