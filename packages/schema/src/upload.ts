import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import type { Upload } from './context.ts';

/**
 * Uploads the gateway's multipart parser made. Only these are files: a JSON object that looks
 * like one (say, naming a path on the server's disk) is refused.
 */
const made = new WeakSet<object>();

/** Marks a value made by the request parser from a multipart file part as an upload. */
export function registerUpload<Made extends Upload>(upload: Made): Made {
  made.add(upload);
  return upload;
}

const notAFile = () =>
  new GraphQLError('a File must be sent as a part of a GraphQL multipart request', {
    extensions: { code: 'BAD_USER_INPUT' },
  });

builder.scalarType('File', {
  description: 'A file sent as a part of a GraphQL multipart request.',
  serialize: () => {
    throw new GraphQLError('File is an input type');
  },
  parseValue: (value) => {
    if (typeof value !== 'object' || value === null || !made.has(value)) throw notAFile();
    return value as Upload;
  },
  parseLiteral: () => {
    throw notAFile();
  },
});
