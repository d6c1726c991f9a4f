import { type Client, createClient } from 'graphql-ws';
import { expect } from 'vitest';
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

/** The HTTP status of a small query sent with `key`, or without one: 200 or 401. */
export async function statusOf(url: string, key?: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key && { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  await response.body?.cancel();
  return response.status;
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

/** The ids of the caller's tasks: the smallest query that reads the caller's own data. */
export const LIST_TASKS = '{ tasks { edges { node { id } } } }';

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

/** A graphql-ws connection opened at once, and how it closed once it does. */
export interface WsSession {
  client: Client;
  closed: Promise<{ code: number; reason: string }>;
  /** The first result of an operation on this connection. */
  first(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
}

export function wsSession(url: string, key?: string): WsSession {
  let onClosed: (event: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    onClosed = resolve;
  });
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => {},
    ...(key && { connectionParams: { authorization: `Bearer ${key}` } }),
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return {
    client,
    closed,
    async first(query, variables) {
      for await (const result of client.iterate({ query, ...(variables && { variables }) })) {
        return result as GraphQLResponse;
      }
      throw new Error('the operation completed without a result');
    },
  };
}

/** A subscription over SSE (GraphQL over SSE, distinct connections), read as text. */
export interface SseStream {
  /** Reads until the stream holds `text`, and returns everything read so far. */
  until(text: string): Promise<string>;
  /** Reads to the end, and returns everything read. */
  end(): Promise<string>;
  cancel(): Promise<void>;
}

export async function sseStream(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<SseStream> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      accept: 'text/event-stream',
      'content-type': 'application/json',
      authorization: `Bearer ${key}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    throw new Error(`not an event stream: ${response.status} ${await response.text()}`);
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let stream = '';
  const read = async () => {
    const part = await reader.read();
    if (!part.done) stream += decoder.decode(part.value, { stream: true });
    return part.done;
  };
  return {
    async until(text) {
      while (!stream.includes(text)) {
        if (await read()) throw new Error(`the stream ended without ${text}: ${stream}`);
      }
      return stream;
    },
    async end() {
      while (!(await read()));
      return stream;
    },
    cancel: () => reader.cancel(),
  };
}

/** Resolves as `promise` does, or rejects after `ms`, naming what did not happen. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let foxes = 0;
/**
 * createCharacter of a video no earlier call sent, as `key`, through `document` (CREATE_CHARACTER
 * by default): its result, once the test has checked it is not a GraphQL error.
 */
export async function createFox(
  graphqlUrl: string,
  key: string,
  document = CREATE_CHARACTER,
): Promise<Record<string, any>> {
  foxes += 1;
  const input = { videoUrl: `https://videos.example.com/${foxes}.mp4`, prompt: `Fox ${foxes}` };
  const response = await graphql(graphqlUrl, document, { input }, key);
  expect(response.errors).toBeUndefined();
  return response.data?.createCharacter;
}
