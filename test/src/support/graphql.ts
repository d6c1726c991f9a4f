import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<Data = Record<string, any>> {
  data?: Data | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** One GraphQL request over HTTP, as any client would send it. */
export async function graphql<Data = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  key?: string,
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(key && { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<Data>;
}

export function wsClient(url: string, key?: string): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(key && { connectionParams: { authorization: `Bearer ${key}` } }),
  });
}

/** Every result of a subscription until it completes; an `error` message ends it as `{ errors }`. */
export async function collect<Data = Record<string, any>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<Data>[]> {
  const results: GraphQLResponse<Data>[] = [];
  try {
    for await (const result of client.iterate<Data>({ query, ...(variables && { variables }) })) {
      results.push(result as GraphQLResponse<Data>);
    }
  } catch (errors) {
    if (!Array.isArray(errors)) throw errors;
    results.push({ errors });
  }
  return results;
}

export const CREATE_CHARACTER = /* GraphQL */ `
  mutation Create($input: CreateCharacterInput!) {
    createCharacter(input: $input) {
      __typename
      ... on CreateCharacterSuccess { task { id state providerTaskId model input } }
      ... on Error { message }
      ... on ValidationError { field }
      ... on ProviderError { code retryable recordedTask { id state providerTaskId } }
    }
  }
`;

export const TASK_UPDATED = /* GraphQL */ `
  subscription Follow($id: ID!) {
    taskUpdated(id: $id) {
      id state providerTaskId completedAt
      error { code message }
      character { id characterId prompt sourceVideoUrl }
    }
  }
`;

/** Every result of a subscription, on a connection of its own that is closed afterwards. */
export async function subscribeOnce(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  key?: string,
): Promise<GraphQLResponse[]> {
  const client = wsClient(url, key);
  try {
    return await collect(client, query, variables);
  } finally {
    await client.dispose();
  }
}
