import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { registerUpload, type Upload } from '@charanim/schema';
import busboy from 'busboy';
import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { jsonResponse } from './json-response.ts';

/** How large a file of one input field may be, and what a refusal calls it ("a video"). */
export interface FileLimit {
  maxBytes: number;
  noun: string;
}

export interface UploadLimits {
  /** Where files are spooled while a request is handled; each is removed once it is answered. */
  directory: string;
  /**
   * The files a request may carry, by the input field each goes to (the last part of its `map`
   * path, such as `video` or `portrait`). A file over its limit is cut off and handed on as
   * `oversize`, its bytes dropped.
   */
  files: Record<string, FileLimit>;
  /** How many files one request may carry. */
  maxFiles: number;
  /** The largest `operations` or `map` field. */
  maxFieldBytes: number;
}

/** The limit of the file a map path leads to; the largest for a path naming no known field. */
function limitOf(limits: UploadLimits, path: unknown): FileLimit & { field: string } {
  const field = String(path).split('.').at(-1) ?? '';
  const known = limits.files[field];
  if (known) return { ...known, field };
  const largest = Object.values(limits.files).reduce((a, b) => (a.maxBytes >= b.maxBytes ? a : b));
  return { ...largest, field };
}

function payloadTooLarge(declared: number, limit: FileLimit & { field: string }) {
  const message = `${limit.field}: the request is ${declared.toLocaleString('en-US')} bytes; ${limit.noun} must be at most ${limit.maxBytes.toLocaleString('en-US')} bytes`;
  return { message, extensions: { code: 'PAYLOAD_TOO_LARGE', field: limit.field } };
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
/** The largest multipart body any request may be: its largest files, and its two fields. */
export function multipartBodyLimit(limits: Omit<UploadLimits, 'directory'>): number {
  const largest = Object.values(limits.files)
    .map((limit) => limit.maxBytes)
    .sort((a, b) => b - a)
    .slice(0, limits.maxFiles);
  return largest.reduce((sum, bytes) => sum + bytes, 0) + 2 * limits.maxFieldBytes;
}

export function useUploads(limits: UploadLimits): Plugin {
  const maxBodyBytes = multipartBodyLimit(limits);
  const spool = new Map<Request, string[]>();
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (!isMultipart(request)) return;
      // A body that says up front it is larger than any request may be is refused before a byte
      // of it is read; one larger than its own files may be, once its map says which they are.
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (declared > maxBodyBytes) {
        endResponse(
          jsonResponse(fetchAPI, 413, {
            errors: [payloadTooLarge(declared, limitOf(limits, Object.keys(limits.files)[0]))],
          }),
        );
      }
    },
    onRequestParse({ request, serverContext, setRequestParser }) {
      if (!isMultipart(request)) return;
      // Node's own request stream, where there is one, keeps backpressure all the way to the disk
      // without the copies the fetch ponyfill's stream makes.
      const incoming = (serverContext as { req?: IncomingMessage }).req;
      const declared = Number(request.headers.get('content-length') ?? 0);
      setRequestParser((req) =>
        parseMultipart(incoming?.readable ? incoming : req, limits, declared, (path) => {
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
  declared: number,
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
          // Each file is cut off at its field's limit below; busboy's own limit is a backstop.
          fileSize: Math.max(...Object.values(limits.files).map((limit) => limit.maxBytes)) + 1,
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

    /** The limit of each file part, by part name, once the map has said where each goes. */
    const partLimits = new Map<string, FileLimit & { field: string }>();
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated)
        return finish(badRequest(`the multipart field ${name} is too large`, 413));
      fields.set(name, value);
      if (name !== 'map') return;
      const tooLarge = readPartLimits(limits, value, declared, partLimits);
      if (tooLarge)
        finish(
          new GraphQLError(tooLarge.message, {
            extensions: { ...tooLarge.extensions, http: { status: 413 } },
          }),
        );
    });
    parser.on('file', (name, stream, info) => {
      const path = join(limits.directory, randomUUID());
      spooled(path);
      const sink = createWriteStream(path);
      const limit = partLimits.get(name) ?? limitOf(limits, name);
      const cutOff = cutOffAt(limit.maxBytes);
      stream.on('limit', () => cutOff.over());
      pending.add(
        pipeline(stream, cutOff, sink).then(
          () => {
            if (cutOff.isOver()) {
              files.set(
                name,
                registerUpload({
                  kind: 'oversize',
                  filename: info.filename,
                  mimeType: info.mimeType,
                  // Counting stops one byte past the limit, which tells a file of exactly the
                  // limit from a larger one.
                  receivedBytes: limit.maxBytes + 1,
                }),
              );
            } else {
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
          (error: Error) => finish(badRequest(`the upload broke off: ${error.message}`)),
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

/**
 * Reads the map's part names and the field each goes to; a request whose declared size passes
 * what its own files may be is answered with the refusal, before any file is read.
 */
function readPartLimits(
  limits: UploadLimits,
  mapText: string,
  declared: number,
  partLimits: Map<string, FileLimit & { field: string }>,
): ReturnType<typeof payloadTooLarge> | undefined {
  let map: unknown;
  try {
    map = JSON.parse(mapText);
  } catch {
    return undefined; // reported by assemble, with the rest of the request's shape
  }
  if (typeof map !== 'object' || map === null) return undefined;
  let allowed = 2 * limits.maxFieldBytes;
  for (const [part, paths] of Object.entries(map)) {
    const limit = limitOf(limits, Array.isArray(paths) ? paths[0] : part);
    partLimits.set(part, limit);
    allowed += limit.maxBytes;
  }
  const first = partLimits.values().next().value;
  return first && declared > allowed ? payloadTooLarge(declared, first) : undefined;
}

/**
 * Passes a file's bytes through up to one past `maxBytes`, then drops the rest as it comes: the
 * file on disk stops there, and the parser reads on to the parts after it.
 */
function cutOffAt(maxBytes: number) {
  let passed = 0;
  let over = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const room = maxBytes + 1 - passed;
      if (room <= 0) return done();
      passed += Math.min(room, chunk.length);
      if (passed > maxBytes) over = true;
      done(null, chunk.length <= room ? chunk : chunk.subarray(0, room));
    },
  });
  return Object.assign(stream, {
    isOver: () => over,
    over: () => {
      over = true;
    },
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
