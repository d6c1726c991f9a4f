import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export type { FragmentOf, ResultOf, VariablesOf } from 'gql.tada';

/**
 * Writes a typed document: its result and variables types are read from `schema.graphql` through
 * the introspection in `graphql-env.d.ts` (`npm run generate -w @charanim/client` after a schema
 * change). The custom scalars are typed as they travel in JSON, and `File` as what the client
 * sends in a multipart request.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    /** An RFC 3339 date-time at UTC, as the gateway sends it. */
    DateTime: string;
    JSON: unknown;
    File: Blob;
  };
}>();
