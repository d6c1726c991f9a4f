import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { registerUpload, type Upload } from '@charanim/schema';
import busboy from 'busboy';
import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { jsonResponse } from './json-response.ts';

export interface UploadLimits {
  /** Where files are spooled while a request is handled; each is removed once it is answered. */
  directory: string;
  /** A file over this many bytes is cut off and handed on as `oversize`, its bytes dropped. */
  maxFileBytes: number;
  /** How many files one request may carry. */
  maxFiles: number;
  /** The largest `operations` or `map` field. */
  maxFieldBytes: number;
}

const isMultipart = (request: Request) =>
  request.method === 'POST' &&
  (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');

function badRequest(message: string, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status } } });
}

/**
 * GraphQL multipart requests (the spec graphql-yoga implements), parsed as they stream in, so that
 * a file is spooled to disk rather than held in memory, and one over the limit is cut off at the
 * limit: the resolver then gets an `oversize` upload and answers with a ValidationError on its field.
 */
export function useUploads(limits: UploadLimits): Plugin {
  const maxBodyBytes = limits.maxFiles * limits.maxFileBytes + 2 * limits.maxFieldBytes;
  const spool = new Map<Request, string[]>();
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (!isMultipart(request)) return;
      // A body that says up front it is too large is refused before a byte of it is read.
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (declared > maxBodyBytes) {
        const message = `video: the request is ${declared.toLocaleString('en-US')} bytes; a video must be at most ${limits.maxFileBytes.toLocaleString('en-US')} bytes`;
        endResponse(
          jsonResponse(fetchAPI, 413, {
            errors: [{ message, extensions: { code: 'PAYLOAD_TOO_LARGE', field: 'video' } }],
          }),
        );
      }
    },
    onRequestParse({ request, serverContext, setRequestParser }) {
      if (!isMultipart(request)) return;
      // Node's own request stream, where there is one, keeps backpressure all the way to the disk
      // without the copies the fetch ponyfill's stream makes.
      const incoming = (serverContext as { req?: IncomingMessage }).req;
      setRequestParser((req) =>
        parseMultipart(incoming?.readable ? incoming : req, limits, (path) => {
          const paths = spool.get(request) ?? [];
          paths.push(path);
          spool.set(request, paths);
        }),
      );
    },
    async onResponse({ request }) {
      const paths = spool.get(request);
      if (!paths) return;
      spool.delete(request);
      await Promise.all(paths.map((path) => rm(path, { force: true })));
    },
  };
}

function parseMultipart(
  request: Request | IncomingMessage,
  limits: UploadLimits,
  spooled: (path: string) => void,
): Promise<GraphQLParams | GraphQLParams[]> {
  return new Promise((resolve, reject) => {
    const source = bodyOf(request);
    if (!source) return reject(badRequest('the multipart request has no body'));
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType(request) },
        limits: {
          // busboy cuts off at the limit itself, so one byte more tells a file of exactly the limit
          // from a larger one.
          fileSize: limits.maxFileBytes + 1,
          files: limits.maxFiles,
          fieldSize: limits.maxFieldBytes,
          fields: 2,
        },
      });
    } catch {
      return reject(badRequest('the multipart request has no boundary'));
    }
    const fields = new Map<string, string>();
    const files = new Map<string, Upload>();
    const pending = new Set<Promise<void>>();
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      // The rest of a cut-off body is thrown away as it comes, never held.
      if (source === request) source.resume();
      else source.destroy();
      if (error) return reject(error);
      try {
        resolve(assemble(fields, files));
      } catch (assembleError) {
        reject(assembleError);
      }
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated)
        return finish(badRequest(`the multipart field ${name} is too large`, 413));
      fields.set(name, value);
    });
    parser.on('file', (name, stream, info) => {
      const path = join(limits.directory, randomUUID());
      spooled(path);
      const sink = createWriteStream(path);
      stream.on('limit', () => {
        files.set(
          name,
          registerUpload({
            kind: 'oversize',
            filename: info.filename,
            mimeType: info.mimeType,
            // busboy stops at its limit, one byte past ours.
            receivedBytes: limits.maxFileBytes + 1,
          }),
        );
        sink.destroy();
        finish();
      });
      pending.add(
        pipeline(stream, sink).then(
          () => {
            if (!files.has(name)) {
              files.set(
                name,
                registerUpload({
                  kind: 'complete',
                  filename: info.filename,
                  mimeType: info.mimeType,
                  path,
                }),
              );
            }
          },
          // A cut-off file was recorded as oversize already; a broken one ends the request.
          (error: Error) => {
            if (!files.has(name)) finish(badRequest(`the upload broke off: ${error.message}`));
          },
        ),
      );
    });
    parser.on('filesLimit', () =>
      finish(badRequest(`a request may carry at most ${limits.maxFiles} file(s)`, 413)),
    );
    parser.on('fieldsLimit', () =>
      finish(badRequest('a multipart request has only operations, map and files')),
    );
    parser.on('close', () => {
      Promise.all(pending).then(() => finish());
    });
    parser.on('error', (error: Error) =>
      finish(badRequest(`the multipart request is malformed: ${error.message}`)),
    );
    source.on('error', (error) =>
      finish(badRequest(`the request body broke off: ${error.message}`)),
    );
    source.pipe(parser);
  });
}

function bodyOf(request: Request | IncomingMessage): Readable | undefined {
  if (request instanceof Readable) return request;
  if (!request.body) return undefined;
  // The fetch ponyfill's stream is not Node's web stream, but both are async iterables.
  return Readable.from(request.body as unknown as AsyncIterable<Uint8Array>, { objectMode: false });
}

function contentType(request: Request | IncomingMessage): string {
  return request instanceof Readable
    ? (request.headers['content-type'] ?? '')
    : (request.headers.get('content-type') ?? '');
}

/** Puts each file where the `map` field says, as the GraphQL multipart request spec describes. */
function assemble(
  fields: Map<string, string>,
  files: Map<string, Upload>,
): GraphQLParams | GraphQLParams[] {
  const operations = parseJsonField(fields, 'operations');
  const map = parseJsonField(fields, 'map') ?? {};
  if (typeof operations !== 'object' || operations === null) {
    throw badRequest('the multipart field operations must hold a JSON object or array');
  }
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw badRequest('the multipart field map must hold a JSON object');
  }
  for (const [name, paths] of Object.entries(map as Record<string, unknown>)) {
    const file = files.get(name);
    if (!file)
      throw badRequest(`the map names a file part ${name} that the request does not carry`);
    if (!Array.isArray(paths)) throw badRequest(`the map entry ${name} must be an array of paths`);
    for (const path of paths) setPath(operations as Record<string, unknown>, String(path), file);
  }
  return operations as GraphQLParams | GraphQLParams[];
}

function parseJsonField(fields: Map<string, string>, name: string): unknown {
  const text = fields.get(name);
  if (text === undefined) {
    if (name === 'operations') throw badRequest('the multipart request has no operations field');
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`the multipart field ${name} is not valid JSON`);
  }
}

/** Sets `variables.input.video`-style paths; only into objects and arrays that already exist. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop();
  let node: unknown = target;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null || key === '__proto__') break;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== 'object' || node === null || last === undefined || last === '__proto__') {
    throw badRequest(`the map path ${path} does not lead into the operations`);
  }
  (node as Record<string, unknown>)[last] = value;
}
