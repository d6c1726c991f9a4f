import type { Plugin } from 'graphql-yoga';
import { jsonResponse } from '../plugins/json-response.ts';
import type { Authenticate, Identity } from './authenticator.ts';

/** Where the identity of an authenticated HTTP request travels to the GraphQL context. */
export interface AuthenticatedServerContext {
  identity?: Identity;
}

export interface UseApiKeysOptions {
  authenticate: Authenticate;
  /** Paths answered without a key: health, readiness, metrics, the webhook route. */
  publicPaths: string[];
  /** GraphiQL is served: its page at `graphqlPath` is then public. */
  graphiql: boolean;
  graphqlPath: string;
}

/**
 * Every GraphQL request over HTTP needs `Authorization: Bearer <key>`; a missing or unknown key is
 * answered 401 before the body is read.
 */
export function useApiKeys(options: UseApiKeysOptions): Plugin {
  const open = new Set(options.publicPaths);
  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      // Every path but the few public ones, since yoga answers GraphQL on variants of its own.
      if (open.has(url.pathname) || request.method === 'OPTIONS') return;
      if (isGraphiqlPage(request, url, options)) return;
      const identity = await options.authenticate(request.headers.get('authorization'));
      if (identity) {
        (serverContext as AuthenticatedServerContext).identity = identity;
        return;
      }
      const response = jsonResponse(fetchAPI, 401, {
        errors: [
          {
            message: 'a valid API key is required: send Authorization: Bearer <key>',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
      response.headers.set('www-authenticate', 'Bearer');
      endResponse(response);
    },
  };
}

/**
 * The GraphiQL page itself is public: the operations it sends carry the key like any other. Only
 * while GraphiQL is on, and only the request yoga answers with the page (a browser's GET of the
 * GraphQL path), never executing it: with GraphiQL off, the same GET (`?query=…` and
 * `Accept: text/html, application/json`) is executed, and must carry a key like any request.
 */
function isGraphiqlPage(request: Request, url: URL, options: UseApiKeysOptions): boolean {
  return (
    options.graphiql &&
    request.method === 'GET' &&
    url.pathname.replace(/\/$/, '') === options.graphqlPath &&
    (request.headers.get('accept') ?? '').includes('text/html')
  );
}
