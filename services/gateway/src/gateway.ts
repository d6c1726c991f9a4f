import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseHandle, openDatabase } from '@charanim/db';
import { createModelRegistry, MAX_VIDEO_BYTES } from '@charanim/provider';
import type { Emulator } from '@charanim/provider/emulator';
import { type Context, schema } from '@charanim/schema';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, type YogaLogger } from 'graphql-yoga';
import { apiKeyAdmin } from './auth/api-key-admin.ts';
import type { Identity } from './auth/authenticator.ts';
import { createMutationLimiter } from './auth/mutation-limiter.ts';
import { setUpAuthentication } from './auth/set-up.ts';
import { useApiKeys } from './auth/use-api-keys.ts';
import { useRevocableSubscriptions } from './auth/use-revocable-subscriptions.ts';
import type { Config } from './config.ts';
import { exampleOperations } from './graphiql-examples.ts';
import { serveGraphqlWs } from './graphql-ws.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics/registry.ts';
import { useMetrics } from './metrics/use-metrics.ts';
import { useHealth } from './plugins/health.ts';
import { callbackUrl, useKieWebhook, WEBHOOK_PATH } from './plugins/kie-webhook.ts';
import { queryLimits, useJsonBodyLimit, useRequestShape } from './plugins/limits.ts';
import { READY_PATH, useReady } from './plugins/ready.ts';
import { REQUEST_ID_HEADER, useRequestId } from './plugins/request-id.ts';
import { useUploads } from './plugins/uploads.ts';
import { connectProvider } from './provider.ts';
import { createTaskEvents } from './pubsub.ts';
import { nextDelay, Poller } from './tasks/poller.ts';

export const GRAPHQL_PATH = '/graphql';
/** The largest JSON body (and multipart `operations` field) a request may send. */
const MAX_JSON_BYTES = 1024 * 1024;
/** One video and its operations. */
const MAX_MULTIPART_BYTES = MAX_VIDEO_BYTES + 2 * MAX_JSON_BYTES;

export interface Gateway {
  /** The base URL it listens on, e.g. http://127.0.0.1:4000. */
  url: string;
  database: DatabaseHandle;
  /** The built-in kie.ai emulator, when `KIE_API_KEY` is unset. */
  emulator: Emulator | undefined;
  poller: Poller;
  /** Where uploads are spooled while their request is handled. */
  uploadDirectory: string;
  /**
   * Stops taking work, closes graphql-ws connections with 1001, completes the subscriptions
   * over SSE, and waits up to `deadlineMs` for requests in flight. Later calls return the first.
   */
  stop(deadlineMs?: number): Promise<void>;
}

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  /** Starts the poller's timer; tests that drive `poller.tick()` themselves turn it off. */
  startPoller?: boolean;
}

/** Opens the database, connects the provider and listens; resolves once it takes requests. */
export async function startGateway({
  config,
  logger,
  startPoller = true,
}: GatewayOptions): Promise<Gateway> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    maxConnections: config.DATABASE_POOL_SIZE,
    onNotice: (message) => logger.debug({ notice: message }, 'postgres notice'),
  });
  await database.migrate();
  logger.info(
    { database: database.kind, location: database.location },
    database.kind === 'pglite'
      ? `database: embedded PGlite in ${database.location} (set DATABASE_URL=postgres://… for a server)`
      : 'database: PostgreSQL server',
  );

  const metrics = createMetrics();
  const { client, emulator } = await connectProvider(config, logger, metrics);
  if (emulator && database.kind === 'postgres') {
    // Another instance on this database would poll these tasks and ask its own emulator, in vain.
    logger.warn(
      'the built-in kie.ai emulator knows only the tasks this instance sends it: to run several instances on one database, start one emulator (npm run emulator) and point each at it with KIE_API_KEY, KIE_API_BASE_URL and KIE_UPLOAD_BASE_URL (docs/deploying.md)',
    );
  }
  const models = createModelRegistry();
  const pubsub = await createTaskEvents(database, logger, (task) =>
    metrics.transitions.inc({ state: task.state }),
  );
  const webhookUrl = config.PUBLIC_URL ? `${config.PUBLIC_URL}${WEBHOOK_PATH}` : undefined;
  if (!webhookUrl)
    logger.info('PUBLIC_URL is unset: no callback URL is sent, tasks are followed by polling');
  const updater = { db: database.db, models, pubsub };

  const access = await setUpAuthentication(config, database, logger);
  const keyAdmin = apiKeyAdmin({ db: database.db, admins: config.ADMIN_OWNERS, access, logger });
  const context: Omit<Context, 'viewer' | 'apiKeys'> = {
    db: database.db,
    pubsub,
    takeMutation: createMutationLimiter(config.RATE_LIMIT_MUTATIONS_PER_MINUTE),
    provider: {
      client,
      models,
      callbackUrlFor: (taskId) => webhookUrl && callbackUrl(webhookUrl, taskId),
      createTimeoutMs: config.CREATE_TIMEOUT_MS,
      firstPollAt: () =>
        new Date(Date.now() + nextDelay(0, config.POLL_INTERVAL_MS, config.POLL_MAX_INTERVAL_MS)),
    },
  };

  const uploadDirectory = await mkdtemp(join(tmpdir(), 'charanim-uploads-'));
  const yoga = createYoga({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // yoga's own probe answers without asking the database; `/health` (below) asks it.
    healthCheckEndpoint: '/health/live',
    logging: yogaLogger(logger),
    graphiql: config.graphiql && {
      title: 'Character animation gateway',
      // GraphQL over SSE on this URL: the key in GraphiQL's Headers tab then reaches subscriptions
      // too, which GraphiQL over graphql-ws would not send (a browser WebSocket takes no headers).
      subscriptionsProtocol: 'GRAPHQL_SSE',
      defaultQuery: exampleOperations,
      headers: JSON.stringify({ authorization: 'Bearer <your API key>' }, null, 2),
    },
    // GraphiQL's scripts and styles inline in its page, so that it works without reaching a CDN:
    // offline, behind a firewall, in CI.
    renderGraphiQL,
    cors: { origin: config.corsOrigins, credentials: false, exposedHeaders: [REQUEST_ID_HEADER] },
    maxRequestBodySize: MAX_MULTIPART_BYTES,
    context: ({ identity }: { identity?: Identity }): Context => {
      // Every request that reaches execution was authenticated by useApiKeys or graphql-ws.
      if (!identity)
        throw new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } });
      return { ...context, viewer: { owner: identity.owner }, apiKeys: keyAdmin(identity) };
    },
    plugins: [
      useRequestId(),
      useHealth({ ping: database.ping, database: database.kind }),
      useReady({ database, logger }),
      useMetrics(metrics),
      useApiKeys({
        authenticate: access.authenticate,
        publicPaths: ['/health', '/health/live', READY_PATH, '/metrics', WEBHOOK_PATH],
        graphiql: config.graphiql,
        graphqlPath: GRAPHQL_PATH,
      }),
      useRevocableSubscriptions(access, logger),
      useRequestShape(),
      useJsonBodyLimit(MAX_JSON_BYTES),
      ...queryLimits(config),
      useUploads({
        directory: uploadDirectory,
        maxFileBytes: MAX_VIDEO_BYTES,
        maxFiles: 1,
        maxFieldBytes: MAX_JSON_BYTES,
      }),
      useKieWebhook({
        ...updater,
        client,
        logger,
        hmacKey: config.KIE_WEBHOOK_HMAC_KEY,
        onOutcome: (outcome) => metrics.callbacks.inc({ outcome }),
      }),
    ],
  });

  const server = createServer(yoga);
  const closeServer = gracefulClose(server);
  const wsServer = serveGraphqlWs({ server, path: GRAPHQL_PATH, yoga, access });

  await listen(server, config.PORT, config.HOST);
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;

  const poller = new Poller({
    ...updater,
    client,
    logger,
    intervalMs: config.POLL_INTERVAL_MS,
    maxIntervalMs: config.POLL_MAX_INTERVAL_MS,
    taskTimeoutMs: config.TASK_TIMEOUT_MS,
    instance: config.INSTANCE_NAME,
    leaseMs: config.POLL_LEASE_MS,
    onLag: (seconds) => metrics.pollerLag.set(seconds),
  });
  if (startPoller) poller.start();
  logger.info({ url: `${url}${GRAPHQL_PATH}` }, `gateway ready: GraphiQL at ${url}${GRAPHQL_PATH}`);

  let stopped: Promise<void> | undefined;
  const stop = async (deadlineMs: number) => {
    // Stops the timer at once; the tick in flight is awaited below, beside the connections.
    const polled = poller.stop();
    const watched = access.stop();
    // graphql-ws clients first, with 1001, so that they reconnect elsewhere and resubscribe: had
    // their feeds ended first, they would be sent `complete`, as if the task had no more changes.
    for (const socket of wsServer.clients) socket.close(1001, 'The gateway is shutting down');
    wsServer.close();
    // What is left follows over SSE, which has no "going away": its streams complete and their
    // responses end, instead of being cut at the deadline.
    pubsub.endSubscriptions();
    await Promise.all([
      polled,
      watched,
      closeServer(deadlineMs, () => {
        for (const socket of wsServer.clients) socket.terminate();
      }),
    ]);
    await yoga.dispose();
    await emulator?.close();
    await pubsub.close();
    await database.close();
    await rm(uploadDirectory, { recursive: true, force: true });
  };

  return {
    url,
    database,
    emulator,
    poller,
    uploadDirectory,
    stop(deadlineMs = 10_000) {
      stopped ??= stop(deadlineMs);
      return stopped;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Closes the server gracefully: lets requests in flight finish, closes each keep-alive connection
 * as its last response ends, and cuts the rest off at the deadline (`onDeadline` for connections
 * the HTTP server no longer tracks, such as WebSockets).
 */
function gracefulClose(
  server: Server,
): (deadlineMs: number, onDeadline: () => void) => Promise<void> {
  let closing = false;
  // Once closed, the server would leave a keep-alive connection open after its response ended (an
  // SSE stream that completed, say) until its keep-alive timeout, and wait for it.
  server.on('request', (_request, response: ServerResponse) => {
    response.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  return (deadlineMs, onDeadline) =>
    new Promise((resolve) => {
      closing = true;
      const cutoff = setTimeout(() => {
        server.closeAllConnections();
        onDeadline();
      }, deadlineMs);
      server.close(() => {
        clearTimeout(cutoff);
        resolve();
      });
      server.closeIdleConnections();
    });
}

function yogaLogger(logger: Logger): YogaLogger {
  return {
    debug: (...args: unknown[]) => logger.debug({ args }, 'graphql-yoga'),
    info: (...args: unknown[]) => logger.info({ args }, 'graphql-yoga'),
    warn: (...args: unknown[]) => logger.warn({ args }, 'graphql-yoga'),
    error: (...args: unknown[]) =>
      logger.error({ err: args[0], args: args.slice(1) }, 'graphql error'),
  };
}
