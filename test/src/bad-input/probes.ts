/** Probes of the bad-input barrage: what is sent, and how. */
import type { OutgoingHttpHeaders } from 'node:http';
export type Category =
  | 'invalid-json'
  | 'wrong-types'
  | 'unknown-fields'
  | 'huge-documents'
  | 'deep-documents'
  | 'invalid-utf8'
  | 'content-type'
  | 'get-params'
  | 'multipart'
  | 'oversize'
  | 'forged-callbacks'
  | 'replayed-callbacks'
  | 'api-keys'
  | 'ids-cursors'
  | 'methods-paths'
  | 'protocol';

/**
 * An HTTP status, `closed` (the server closed without an answer), `not-http` (it answered
 * something else), `no-answer`, or for graphql-ws
 * `ws:<close code>` or `ws:<type of the last message>`.
 */
export type Outcome = number | 'closed' | 'not-http' | 'no-answer' | `ws:${string}`;

export type Send =
  | {
      kind: 'http';
      method: string;
      path: string;
      headers?: OutgoingHttpHeaders;
      body?: string | Buffer;
      /** Send the body with chunked transfer encoding instead of a content-length. */
      chunked?: boolean;
    }
  | {
      kind: 'raw';
      /** The bytes sent, as written on the socket. */
      bytes: Buffer;
      /** Ends our side after writing (a truncated request), and waits at most INCOMPLETE_MS. */
      incomplete?: boolean;
    }
  | { kind: 'ws'; payload: unknown; messages?: string[] }
  | { kind: 'upload'; form: () => FormData };

export interface Probe {
  category: Category;
  name: string;
  send: Send;
}

export interface Result {
  probe: Probe;
  outcome: Outcome;
}

export function describeProbe({ category, name, send }: Probe): string {
  const detail =
    send.kind === 'http'
      ? `${send.method} ${send.path.slice(0, 120)} ${JSON.stringify(send.headers ?? {}).slice(0, 200)} body=${String(send.body ?? '').slice(0, 300)}`
      : send.kind === 'raw'
        ? JSON.stringify(send.bytes.subarray(0, 300).toString('latin1'))
        : send.kind === 'ws'
          ? `init ${String(JSON.stringify(send.payload)).slice(0, 100)} then ${JSON.stringify(send.messages ?? []).slice(0, 200)}`
          : 'multipart upload';
  return `[${category}] ${name}: ${detail}`;
}
