import type { Server } from 'node:http';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Authenticate } from './auth/authenticator.ts';
import { MAX_NESTING, nestingOf } from './plugins/limits.ts';

// The adapter needs only getEnveloped, whatever the server's context types.
type Yoga = YogaServerInstance<any, any>;
type Enveloped = ReturnType<Yoga['getEnveloped']>;

/** graphql-ws closes a connection refused for its key with this code. */
export const CLOSE_UNAUTHORIZED = 4401;

/**
 * graphql-ws on the HTTP server's port and path, executing through graphql-yoga's plugins. The key
 * comes in `connectionParams.authorization` (`Bearer <key>`); without a valid one the connection
 * is closed with 4401.
 */
export function serveGraphqlWs(options: {
  server: Server;
  path: string;
  yoga: Yoga;
  authenticate: Authenticate;
}): WebSocketServer {
  const wsServer = new WebSocketServer({ server: options.server, path: options.path });
  const owners = new WeakMap<object, string>();
  useServer(
    {
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const owner = await options.authenticate(
          typeof authorization === 'string' ? authorization : undefined,
        );
        if (owner) {
          owners.set(ctx.extra.socket, owner);
          return true;
        }
        ctx.extra.socket.close(CLOSE_UNAUTHORIZED, 'Unauthorized: a valid API key is required');
        return false;
      },
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = options.yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          owner: owners.get(ctx.extra.socket),
        });
        // A bad document fails its own subscription, never the connection with the others on it.
        let document: ReturnType<typeof enveloped.parse>;
        try {
          if (nestingOf(params.query) > MAX_NESTING) {
            return [new GraphQLError(`the document is nested deeper than ${MAX_NESTING}`)];
          }
          document = enveloped.parse(params.query);
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          return [
            error instanceof GraphQLError ? error : new GraphQLError('the document cannot be read'),
          ];
        }
        return {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
    },
    wsServer,
  );
  return wsServer;
}
