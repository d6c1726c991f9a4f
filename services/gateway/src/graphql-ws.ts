import type { Server } from 'node:http';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Identity } from './auth/authenticator.ts';
import type { Access } from './auth/set-up.ts';
import { MAX_NESTING, nestingOf } from './plugins/limits.ts';

// The adapter needs only getEnveloped, whatever the server's context types.
type Yoga = YogaServerInstance<any, any>;
type Enveloped = ReturnType<Yoga['getEnveloped']>;

/** graphql-ws closes a connection refused for its key with this code. */
export const CLOSE_UNAUTHORIZED = 4401;
/** WebSocket's own close code for a message too large to take. */
const CLOSE_TOO_LARGE = 1009;
/**
 * What a connection may send before its key is accepted: its `connection_init`, whose payload is
 * little more than the key. Far less than a message after it, so that unauthenticated connections
 * cost little memory each.
 */
const MAX_INIT_BYTES = 16 * 1024;

/**
 * graphql-ws on the HTTP server's port and path, executing through graphql-yoga's plugins. The key
 * comes in `connectionParams.authorization` (`Bearer <key>`); without a valid one the connection
 * is closed with 4401, and so is an open connection whose key is revoked (see closeWhenRefused).
 * A message over `maxMessageBytes`, or more than MAX_INIT_BYTES sent before the key is accepted,
 * closes the connection with 1009.
 */
export function serveGraphqlWs(options: {
  server: Server;
  path: string;
  yoga: Yoga;
  access: Pick<Access, 'authenticate' | 'hold'>;
  maxMessageBytes: number;
}): WebSocketServer {
  const wsServer = new WebSocketServer({
    server: options.server,
    path: options.path,
    maxPayload: options.maxMessageBytes,
  });
  const identities = new WeakMap<object, Identity>();
  wsServer.on('connection', (socket, request) => {
    // Counted on the wire, so that not even a message still arriving passes the bound. A client
    // asked to close that goes on sending is cut off.
    let received = 0;
    const count = (chunk: Buffer) => {
      if (identities.has(socket)) return void request.socket.off('data', count);
      received += chunk.length;
      if (received > 4 * MAX_INIT_BYTES) socket.terminate();
      else if (received > MAX_INIT_BYTES) {
        socket.close(CLOSE_TOO_LARGE, `more than ${MAX_INIT_BYTES} bytes before connection_ack`);
      }
    };
    request.socket.on('data', count);
  });
  useServer(
    {
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const identity = await options.access.authenticate(
          typeof authorization === 'string' ? authorization : undefined,
        );
        if (identity) {
          identities.set(ctx.extra.socket, identity);
          closeWhenRefused(ctx.extra.socket, identity, options.access);
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
          identity: identities.get(ctx.extra.socket),
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

/**
 * Closes the connection with 4401 and the reason once its key is revoked, or once a key is
 * required of a connection opened without one. 4401 rather than 4403: graphql-ws clients do not
 * reconnect after 4401, and the same key would be refused again.
 */
function closeWhenRefused(socket: WebSocket, identity: Identity, access: Pick<Access, 'hold'>) {
  // Closed while its key was looked up: there is nothing left to hold, and no 'close' to come.
  if (socket.readyState >= socket.CLOSING) return;
  const release = access.hold(identity, (reason) =>
    socket.close(CLOSE_UNAUTHORIZED, `Unauthorized: ${reason}`),
  );
  socket.once('close', release);
}
