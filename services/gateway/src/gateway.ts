import { rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DatabaseHandle, openDatabase } from '@charanim/db';
import {
  createModelRegistry,
  MAX_IMAGE_BYTES,
  MAX_VIDEO_BYTES,
  type ModelRegistry,
} from '@charanim/provider';
import type { Emulator } from '@charanim/provider/emulator';
import { type Context, schema } from '@charanim/schema';
import {
  availabilityLearner,
  createTaskCore,
  createTaskEvents,
  databaseCreateLimiter,
  logTaskChange,
  nextDelay,
  noCreateLimit,
  Poller,
  probeModels,
  type WebhookSender,
} from '@charanim/tasks';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, type YogaLogger } from 'graphql-yoga';
import { apiKeyAdmin } from './auth/api-key-admin.ts';
import type { Identity } from './auth/authenticator.ts';
import { createOwnerBudget } from './auth/owner-budget.ts';
import { setUpAuthentication } from './auth/set-up.ts';
import { useApiKeys } from './auth/use-api-keys.ts';
import { useRevocableSubscriptions } from './auth/use-revocable-subscriptions.ts';
import type { Config } from './config.ts';
import { cacheCredits } from './credits-cache.ts';
import { every } from './every.ts';
import { exampleOperations } from './graphiql-examples.ts';
import { serveGraphqlWs } from './graphql-ws.ts';
import type { Logger } from './logger.ts';
import { measuredCreateLimiter } from './metrics/create-limit.ts';
import { createMetrics } from './metrics/registry.ts';
import { METRICS_PATH, useMetrics } from './metrics/use-metrics.ts';
import { useHealth } from './plugins/health.ts';
import { callbackUrl, useKieWebhook, WEBHOOK_PATH } from './plugins/kie-webhook.ts';
import { queryLimits, useJsonBodyLimit, useRequestShape } from './plugins/limits.ts';
import { READY_PATH, useReady } from './plugins/ready.ts';
import { REQUEST_ID_HEADER, useRequestId } from './plugins/request-id.ts';
import { useSubscriptionLimits } from './plugins/subscription-limits.ts';
import { type FileLimit, multipartBodyLimit, useUploads } from './plugins/uploads.ts';
import { connectProvider } from './provider.ts';
import { createUploadSpool } from './upload-spool.ts';
import { createOutbound } from './webhooks/outbound.ts';

/** The span of kie.ai's create limit: its count is of the last 10 seconds. */
const KIE_CREATE_WINDOW_MS = 10_000;
/**
 * Creates are counted over 11 s: the time from a place taken to kie.ai receiving the call varies,
 * so calls admitted just over 10 s apart may arrive less than 10 s apart (the benchmark saw up to
 * 2 over 18 in 10 s at kie.ai without it).
 */
const KIE_CREATE_SLACK_MS = 1_000;

export const GRAPHQL_PATH = '/graphql';
/** The largest JSON body (and multipart `operations` field) a request may send. */
const MAX_JSON_BYTES = 1024 * 1024;
/** How often the poller looks for due tasks. */
const POLL_TICK_MS = 250;
/** What each medium may weigh, and what a refusal calls it. */
const mediaLimits: Record<'video' | 'image', FileLimit> = {
  video: { maxBytes: MAX_VIDEO_BYTES, noun: 'a video' },
  image: { maxBytes: MAX_IMAGE_BYTES, noun: 'an image' },
};

/** The files the models take, by input field, and how many one model takes at most. */
function uploadLimitsOf(models: ModelRegistry) {
  const files: Record<string, FileLimit> = {};
  let maxFiles = 1;
  for (const model of models.list()) {
    const fields = Object.entries(model.files ?? {});
    maxFiles = Math.max(maxFiles, fields.length);
    for (const [field, spec] of fields) files[field] = mediaLimits[spec.media];
  }
  return { files, maxFiles, maxFieldBytes: MAX_JSON_BYTES };
}

export interface Gateway {
  /** The base URL it listens on, e.g. http://127.0.0.1:4000. */
  url: string;
  database: DatabaseHandle;
  /** The built-in kie.ai emulator, when `KIE_API_KEY` is unset. */
  emulator: Emulator | undefined;
  /** Polls kie.ai for unfinished tasks; its timer runs unless `startPoller` is false. */
  poller: Poller;
  /** Sends webhooks to clients' apps; its timer always runs (WEBHOOK_TICK_MS). */
  webhookSender: WebhookSender;
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

  // Before anything else is opened: a refused start (keys required, none configured) then has
  // only the database to close.
  const access = await setUpAuthentication(config, database, logger).catch(async (error) => {
    await database.close();
    throw error;
  });

  const metrics = createMetrics();
  const { client, emulator } = await connectProvider(config, logger, metrics);
  if (emulator && database.kind === 'postgres') {
    // Another instance on this database would poll these tasks and ask its own emulator, in vain.
    logger.warn(
      'the built-in kie.ai emulator knows only the tasks this instance sends it: to run several instances on one database, start one emulator (npm run emulator) and point each at it with KIE_API_KEY, KIE_API_BASE_URL and KIE_UPLOAD_BASE_URL (docs/deploying.md)',
    );
  }
  const models = createModelRegistry();
  const events = await createTaskEvents(database, logger, (task) => {
    metrics.transitions.inc({ state: task.state });
    logTaskChange(logger, task);
  });
  // The built-in emulator runs in this process and reaches it on loopback: its callbacks finish a
  // task as soon as it ends, as kie.ai's do, rather than at the poller's next read.
  let webhookUrl = config.PUBLIC_URL ? `${config.PUBLIC_URL}${WEBHOOK_PATH}` : undefined;
  if (!webhookUrl && !emulator)
    logger.info('PUBLIC_URL is unset: no callback URL is sent, tasks are followed by polling');
  const deps = {
    db: database.db,
    client,
    models,
    events,
    logger,
    callbackUrlFor: (taskId: string) => webhookUrl && callbackUrl(webhookUrl, taskId),
    createTimeoutMs: config.CREATE_TIMEOUT_MS,
    uploadLifetimeMs: config.KIE_UPLOAD_TTL_HOURS * 3_600_000,
    createLimiter:
      config.KIE_CREATE_LIMIT === 0
        ? noCreateLimit
        : measuredCreateLimiter(
            databaseCreateLimiter(database.db, {
              limit: config.KIE_CREATE_LIMIT,
              windowMs: KIE_CREATE_WINDOW_MS,
              slackMs: KIE_CREATE_SLACK_MS,
            }),
            metrics,
          ),
    availability: availabilityLearner(database.db),
    firstPollAt: () =>
      new Date(Date.now() + nextDelay(0, config.POLL_INTERVAL_MS, config.POLL_MAX_INTERVAL_MS)),
    taskTimeoutMs: config.TASK_TIMEOUT_MS,
    allowForeignOriginTasks: config.ALLOW_FOREIGN_ORIGIN_TASKS,
  };
  const core = createTaskCore({ ...deps, callbackHmacKey: config.KIE_WEBHOOK_HMAC_KEY });

  const keyAdmin = apiKeyAdmin({ db: database.db, admins: config.ADMIN_OWNERS, access, logger });
  const takeMutation = createOwnerBudget(
    database.db,
    'mutations',
    config.RATE_LIMIT_MUTATIONS_PER_MINUTE,
  );
  const takeCreditsRead = createOwnerBudget(
    database.db,
    'credits',
    config.RATE_LIMIT_CREDITS_PER_MINUTE,
  );
  const outbound = createOutbound(config, database.db, logger, metrics);
  const shared: Omit<Context, 'viewer' | 'apiKeys'> = {
    tasks: core.tasks,
    characters: core.characters,
    videos: core.videos,
    credits: core.credits,
    models: core.models,
    availability: core.availability,
    account: { credits: cacheCredits(() => client.credit()) },
    webhooks: outbound.service,
  };
  const viewerOf = ({ owner, via }: Identity) => ({
    owner,
    seesAccount: via === 'anonymous' || config.ADMIN_OWNERS.has(owner),
    takeMutation: async () => {
      const wait = await takeMutation(owner);
      if (wait !== undefined) {
        logger.info({ owner, retryAfterSeconds: wait }, 'create refused: over the rate limit');
      }
      return wait;
    },
    takeCreditsRead: async () => {
      const retryAfterSeconds = await takeCreditsRead(owner);
      if (retryAfterSeconds === undefined) return undefined;
      return { retryAfterSeconds, perMinute: config.RATE_LIMIT_CREDITS_PER_MINUTE };
    },
  });

  const uploadDirectory = await createUploadSpool(logger);
  const uploadLimits = uploadLimitsOf(models);
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
    // An empty list of origins would read as "any origin" to graphql-yoga: no CORS at all instead.
    cors: config.corsOrigins.length > 0 && {
      origin: config.corsOrigins,
      credentials: false,
      exposedHeaders: [REQUEST_ID_HEADER],
    },
    maxRequestBodySize: multipartBodyLimit(uploadLimits),
    // Whatever NODE_ENV says: in development graphql-yoga would answer an unexpected error with its
    // original message and stack, which may hold a query's values. The log keeps what is needed.
    maskedErrors: { isDev: false },
    context: ({ identity }: { identity?: Identity }): Context => {
      // Every request that reaches execution was authenticated by useApiKeys or graphql-ws.
      if (!identity)
        throw new GraphQLError('not authenticated', { extensions: { code: 'UNAUTHENTICATED' } });
      return { ...shared, viewer: viewerOf(identity), apiKeys: keyAdmin(identity) };
    },
    plugins: [
      useRequestId(),
      useHealth({ ping: database.ping, database: database.kind }),
      useReady({ database, logger, pausedModels: () => core.availability.paused() }),
      useMetrics(metrics, { public: config.metricsPublic, token: config.METRICS_TOKEN }),
      useApiKeys({
        authenticate: access.authenticate,
        publicPaths: ['/health', '/health/live', READY_PATH, METRICS_PATH, WEBHOOK_PATH],
        graphiql: config.graphiql,
        graphqlPath: GRAPHQL_PATH,
      }),
      useRevocableSubscriptions(access, logger),
      useRequestShape(),
      useJsonBodyLimit(MAX_JSON_BYTES),
      ...queryLimits(config),
      useSubscriptionLimits({
        perConnection: config.MAX_SUBSCRIPTIONS_PER_SOCKET,
        perOwner: config.MAX_SUBSCRIPTIONS_PER_OWNER,
      }),
      useUploads({
        directory: uploadDirectory,
        ...uploadLimits,
      }),
      useKieWebhook({
        ingest: core.ingestCallback,
        logger,
        onOutcome: (outcome) => metrics.callbacks.inc({ outcome }),
      }),
    ],
  });

  const server = createServer(yoga);
  const closeServer = gracefulClose(server);
  const wsServer = serveGraphqlWs({
    server,
    path: GRAPHQL_PATH,
    yoga,
    access,
    // A message carries what an HTTP request's JSON body does, and is bounded the same.
    maxMessageBytes: MAX_JSON_BYTES,
  });

  await listen(server, config.PORT, config.HOST);
  const { port } = server.address() as AddressInfo;
  const url = localUrl(config.HOST, port);
  if (!webhookUrl && emulator) {
    webhookUrl = `${url}${WEBHOOK_PATH}`;
    logger.info(
      { webhookUrl },
      'the built-in kie.ai emulator sends its completion callbacks to this gateway',
    );
  }

  const poller = new Poller(deps, {
    intervalMs: config.POLL_INTERVAL_MS,
    maxIntervalMs: config.POLL_MAX_INTERVAL_MS,
    instance: config.INSTANCE_NAME,
    leaseMs: config.POLL_LEASE_MS,
    onLag: (seconds) => metrics.pollerLag.set(seconds),
  });
  const polling = startPoller ? every(POLL_TICK_MS, () => poller.tick()) : undefined;
  outbound.start();
  if (config.KIE_PROBE_MODELS) {
    logger.info({ models: await probeModels(deps) }, 'models probed at kie.ai');
  }
  const paused = await core.availability.paused();
  if (paused.length > 0) {
    logger.warn(
      { pausedModels: paused },
      `kie.ai has paused ${paused.map(({ model }) => model).join(', ')}: creates for them fail MODEL_PAUSED`,
    );
  }
  logger.info({ url: `${url}${GRAPHQL_PATH}` }, `gateway ready: GraphiQL at ${url}${GRAPHQL_PATH}`);

  let stopped: Promise<void> | undefined;
  const stop = async (deadlineMs: number) => {
    // Stops the timer at once; the tick in flight is awaited below, beside the connections.
    const polled = polling?.stop();
    const sent = outbound.stop();
    const watched = access.stop();
    // graphql-ws clients first, with 1001, so that they reconnect elsewhere and resubscribe: had
    // their feeds ended first, they would be sent `complete`, as if the task had no more changes.
    for (const socket of wsServer.clients) socket.close(1001, 'The gateway is shutting down');
    wsServer.close();
    // What is left follows over SSE, which has no "going away": its streams complete and their
    // responses end, instead of being cut at the deadline.
    events.endSubscriptions();
    await Promise.all([
      polled,
      sent,
      watched,
      closeServer(deadlineMs, () => {
        for (const socket of wsServer.clients) socket.terminate();
      }),
    ]);
    await yoga.dispose();
    await emulator?.close();
    await events.close();
    await database.close();
    await rm(uploadDirectory, { recursive: true, force: true });
  };

  return {
    url,
    database,
    emulator,
    poller,
    webhookSender: outbound.sender,
    uploadDirectory,
    stop(deadlineMs = 10_000) {
      stopped ??= stop(deadlineMs);
      return stopped;
    },
  };
}

/** This gateway's URL from this machine: a wildcard host is reached on loopback. */
function localUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
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
