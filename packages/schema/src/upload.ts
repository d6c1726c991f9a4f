import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import type { Upload } from './context.ts';

function isUpload(value: unknown): value is Upload {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'complete' || kind === 'oversize';
}

builder.scalarType('File', {
  description: 'A file sent as a part of a GraphQL multipart request.',
  serialize: () => {
    throw new GraphQLError('File is an input type');
  },
  parseValue: (value) => {
    if (!isUpload(value)) {
      throw new GraphQLError('a File must be sent as a part of a GraphQL multipart request');
    }
    return value;
  },
  parseLiteral: () => {
    throw new GraphQLError('a File must be sent as a part of a GraphQL multipart request');
  },
});
