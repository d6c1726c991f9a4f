import { Readable } from 'node:stream';
import type { Upload } from '@charanim/schema';
import busboy from 'busboy';
import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { jsonResponse } from './json-response.ts';

export interface UploadLimits {
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
 * a file over the limit is cut off at the limit instead of being held whole: the resolver then
 * gets an `oversize` upload and answers with a ValidationError on its field.
 */
export function useUploads(limits: UploadLimits): Plugin {
  const maxBodyBytes = limits.maxFiles * limits.maxFileBytes + 2 * limits.maxFieldBytes;
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
    onRequestParse({ request, setRequestParser }) {
      if (isMultipart(request)) setRequestParser((req) => parseMultipart(req, limits));
    },
  };
}

function parseMultipart(
  request: Request,
  limits: UploadLimits,
): Promise<GraphQLParams | GraphQLParams[]> {
  return new Promise((resolve, reject) => {
    if (!request.body) return reject(badRequest('the multipart request has no body'));
    // The fetch ponyfill's stream is not Node's web stream, but both are async iterables.
    const source = Readable.from(request.body as unknown as AsyncIterable<Uint8Array>, {
      objectMode: false,
    });
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': request.headers.get('content-type') ?? '' },
        limits: {
          fileSize: limits.maxFileBytes,
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
      // What was not read is not read: the rest of an oversize body is never taken in.
      source.destroy();
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
      const chunks: Buffer[] = [];
      let received = 0;
      const done = new Promise<void>((settle) => {
        stream.on('data', (chunk: Buffer) => {
          received += chunk.length;
          chunks.push(chunk);
        });
        stream.on('limit', () => {
          files.set(name, {
            kind: 'oversize',
            filename: info.filename,
            mimeType: info.mimeType,
            receivedBytes: received,
          });
          chunks.length = 0;
          finish();
        });
        stream.on('end', () => {
          if (!files.has(name)) {
            files.set(name, {
              kind: 'complete',
              filename: info.filename,
              mimeType: info.mimeType,
              bytes: new Uint8Array(Buffer.concat(chunks)),
            });
          }
          settle();
        });
      });
      pending.add(done);
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
