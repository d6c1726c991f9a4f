import SchemaBuilder from '@pothos/core';
import RelayPlugin, { decodeGlobalID } from '@pothos/plugin-relay';
import type { Context, Upload } from './context.ts';

/** The types node(id:) can load: each `builder.node` type, or node(id:) answers null for it. */
const nodeTypes = new Set(['Task', 'Character', 'Video']);

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    File: { Input: Upload; Output: never };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    cursorType: 'String',
    nodesQueryOptions: false,
    decodeGlobalID: (globalID) => {
      try {
        const decoded = decodeGlobalID(globalID);
        if (nodeTypes.has(decoded.typename)) return decoded;
      } catch {
        // Not a global id at all: as below.
      }
      // An id that names nothing of ours, malformed or of a type we do not have, reads as a task
      // that does not exist (no row id is empty), so that node(id:) answers null as task(id:) does.
      return { typename: 'Task', id: '' };
    },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
