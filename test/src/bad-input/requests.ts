/** Building blocks of the probes' requests. */
import type { OutgoingHttpHeaders } from 'node:http';
import { CREATE_CHARACTER } from '../support/graphql.ts';
import type { Send } from './probes.ts';

export const KEY = 'acme-key-0123456789abcdef';
export const OTHER_KEY = 'acme-key-0123456789abcdeg';

export const b64 = (text: string) => Buffer.from(text).toString('base64');
export const b64url = (text: string) => Buffer.from(text).toString('base64url');

export const auth = { authorization: `Bearer ${KEY}` };
export const json = { 'content-type': 'application/json' };

export const post = (body: string | Buffer, headers: OutgoingHttpHeaders = {}): Send => ({
  kind: 'http',
  method: 'POST',
  path: '/graphql',
  headers: { ...json, ...auth, ...headers },
  body,
});

export const operation = (
  query: string,
  variables?: unknown,
  extra: Record<string, unknown> = {},
) => JSON.stringify({ query, ...(variables !== undefined && { variables }), ...extra });

/** Read-only operations: whatever becomes of a malformed request around them, nothing is written. */
export const READ_ONLY = [
  '{ credits }',
  '{ tasks(first: 2) { edges { node { id state } } } }',
  '{ characters(first: 1) { edges { cursor node { id prompt } } } }',
  '{ __typename }',
  'query Q { tasks(state: SUCCESS) { pageInfo { hasNextPage endCursor } } }',
];

/** A create whose URL fails validation: even if a mangled copy parses, it writes nothing. */
export const INVALID_CREATE = operation(CREATE_CHARACTER, {
  input: { videoUrl: 'ftp://videos.example.com/x.mp4', prompt: 'never stored' },
});

export const CREATE_VALID_URL = 'https://videos.example.com/barrage.mp4';

export function rawRequest(
  head: string,
  body: Buffer | string = '',
  options: { incomplete?: boolean } = {},
): Send {
  return {
    kind: 'raw',
    bytes: Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]),
    ...(options.incomplete && { incomplete: true }),
  };
}

/** A raw POST with correct framing; the body bytes are sent exactly as given. */
export function rawPost(path: string, body: Buffer, headers: string[] = []): Send {
  const head = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    `Content-Length: ${body.length}`,
    ...headers,
    '',
    '',
  ].join('\r\n');
  return rawRequest(head, body);
}

export interface Part {
  name?: string;
  filename?: string;
  type?: string;
  data: string | Buffer;
  /** Replaces the part's header lines. */
  headers?: string;
}

export function multipartBody(parts: Part[], boundary: string, close = true, eol = '\r\n'): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.headers ??
      [
        `Content-Disposition: form-data${part.name === undefined ? '' : `; name="${part.name}"`}${part.filename === undefined ? '' : `; filename="${part.filename}"`}`,
        ...(part.type ? [`Content-Type: ${part.type}`] : []),
      ].join(eol);
    chunks.push(Buffer.from(`--${boundary}${eol}${disposition}${eol}${eol}`, 'latin1'));
    chunks.push(Buffer.from(part.data));
    chunks.push(Buffer.from(eol));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--${eol}`));
  return Buffer.concat(chunks);
}

export const multipart = (body: Buffer, boundary: string | undefined, headers = {}): Send => ({
  kind: 'http',
  method: 'POST',
  path: '/graphql',
  headers: {
    ...auth,
    'content-type':
      boundary === undefined ? 'multipart/form-data' : `multipart/form-data; boundary=${boundary}`,
    ...headers,
  },
  body,
});

export function callbackBody(
  providerTaskId: unknown,
  state = 'success',
  characterId = 'char_x',
): string {
  return JSON.stringify({
    code: state === 'success' ? 200 : 501,
    msg: state === 'success' ? 'Playground task completed successfully.' : 'failed',
    data: {
      taskId: providerTaskId,
      model: 'sora-2-characters',
      state,
      resultJson: state === 'success' ? JSON.stringify({ character_id: characterId }) : '',
      failCode: state === 'success' ? '' : '500',
      failMsg: state === 'success' ? '' : 'forged failure',
    },
  });
}

export const now = () => Math.floor(Date.now() / 1000);
