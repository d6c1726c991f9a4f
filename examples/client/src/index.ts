export { type Client, type ClientOptions, createClient } from './client.ts';
export {
  GatewayError,
  type GraphQLErrorEntry,
  NotGraphQLError,
  UnreachableError,
} from './errors.ts';
export { type FragmentOf, graphql, type ResultOf, type VariablesOf } from './graphql.ts';
export * from './operations.ts';
