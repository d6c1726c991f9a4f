import type { ResultOf, TadaDocumentNode, VariablesOf } from 'gql.tada';
import { print } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  GatewayError,
  type GraphQLErrorEntry,
  NotGraphQLError,
  subscriptionError,
  unreachable,
  wrongPath,
} from './errors.ts';
import { multipartBody } from './multipart.ts';

type Document = TadaDocumentNode<any, any>;

export interface ClientOptions {
  /** The gateway's GraphQL URL, e.g. `http://127.0.0.1:4000/graphql`; subscriptions use its ws(s) twin. */
  endpoint: string;
  /** Sent as `Authorization: Bearer <key>`; leave it out for a gateway that has no keys. */
  apiKey?: string | undefined;
}

export interface Client {
  /**
   * A query or a mutation over HTTP; a Blob in the variables (such as the `video` of
   * `createCharacter`) makes it a multipart request. Throws a GatewayError on GraphQL errors,
   * an UnreachableError when the network failed it.
   */
  request<D extends Document>(document: D, variables: VariablesOf<D>): Promise<ResultOf<D>>;
  /**
   * A subscription over graphql-ws: each result in order until the server completes it. Throws
   * like `request`.
   */
  subscribe<D extends Document>(
    document: D,
    variables: VariablesOf<D>,
  ): AsyncGenerator<ResultOf<D>, void>;
  /** Closes the graphql-ws connection, if one was opened. */
  dispose(): Promise<void>;
}

interface GraphQLBody {
  data?: unknown;
  errors?: GraphQLErrorEntry[];
}

export function createClient({ endpoint, apiKey }: ClientOptions): Client {
  const authorization = apiKey ? `Bearer ${apiKey}` : undefined;
  let ws: WsClient | undefined;

  return {
    async request(document, variables) {
      const query = print(document);
      const form = multipartBody(query, variables ?? {});
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          accept: 'application/graphql-response+json, application/json',
          ...(!form && { 'content-type': 'application/json' }),
          ...(authorization && { authorization }),
        },
        body: form ?? JSON.stringify({ query, variables }),
      }).catch((error: unknown) => {
        throw unreachable(error, endpoint) ?? error;
      });
      const text = await response.text();
      const body = graphqlBody(response, text);
      if (!body) {
        throw wrongPath(endpoint, response.status)
          ? new NotGraphQLError(endpoint, response.status)
          : new GatewayError(
              [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }],
              response.status,
            );
      }
      if (body.errors?.length || body.data == null) {
        throw new GatewayError(body.errors ?? [], response.status);
      }
      return body.data as ResultOf<typeof document>;
    },

    async *subscribe(document, variables) {
      ws ??= createWsClient({
        url: endpoint.replace(/^http/i, 'ws'),
        webSocketImpl: WebSocket,
        lazy: true,
        ...(authorization && { connectionParams: { authorization } }),
      });
      try {
        for await (const result of ws.iterate({ query: print(document), variables })) {
          if (result.errors?.length || result.data == null) {
            throw new GatewayError((result.errors ?? []) as GraphQLErrorEntry[]);
          }
          yield result.data as ResultOf<typeof document>;
        }
      } catch (error) {
        throw error instanceof GatewayError ? error : subscriptionError(error, endpoint);
      }
    },

    async dispose() {
      await ws?.dispose();
    },
  };
}

/**
 * The GraphQL response in an answer, or undefined when it holds none: a page, an empty 404, or
 * JSON of another kind (such as `/health`'s).
 */
function graphqlBody(response: Response, text: string): GraphQLBody | undefined {
  if (!/json/i.test(response.headers.get('content-type') ?? '')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const isGraphQL =
    typeof body === 'object' && body !== null && ('data' in body || 'errors' in body);
  return isGraphQL ? (body as GraphQLBody) : undefined;
}
